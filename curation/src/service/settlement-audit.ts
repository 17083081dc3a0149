/**
 * The settled side of the books, which `checkLedgerInvariant` leaves to settlement: for every settled or void market,
 * one settlement row, one position row per position, each payout what the rule owes (the winning shares, or the net
 * spend capped by what the escrow and the clawbacks could cover), the ledger entries matching those rows exactly,
 * and an empty escrow. Read only, one REPEATABLE READ snapshot; full scans (an operator command and a test helper).
 */
import type { Database } from '@curia/db'
import type { MarketAnomaly } from '../ledger/invariant'

export async function checkSettlementBooks(database: Database): Promise<MarketAnomaly[]> {
  return database.sql.begin('isolation level repeatable read read only', async (tx) => {
    const rows = await tx<{ marketId: string; problem: string }[]>`
      with closed as (select * from market where status in ('settled', 'void')),
      ps as (
        select ps.*, p.yes_shares_micro, p.no_shares_micro, p.net_spend_micro, p.market_id as position_market
        from position_settlement ps
        full join position p on p.market_id = ps.market_id and p.account_id = ps.account_id
        where coalesce(ps.market_id, p.market_id) in (select id from closed)
      ),
      sums as (
        select market_id,
               coalesce(sum(paid_micro) filter (where paid_micro > 0), 0) as paid,
               coalesce(-sum(paid_micro) filter (where paid_micro < 0), 0) as clawed,
               count(*) as n
        from position_settlement group by market_id
      ),
      flows as (
        select substr(reference, 12)::bigint as market_id, to_account as account_id, amount_micro as amount
        from ledger_entry where reference like 'settlement:%'
        union all
        select substr(reference, 12)::bigint, from_account, -amount_micro
        from ledger_entry where reference like 'settlement:%'
      ),
      net as (select market_id, account_id, sum(amount) as amount from flows group by market_id, account_id)
      select m.id::text as "marketId", 'has no settlement row' as problem
      from closed m left join market_settlement s on s.market_id = m.id where s.market_id is null
      union all
      select s.market_id::text, format('settlement row for a market in status %s', m.status)
      from market_settlement s join market m on m.id = s.market_id where m.status not in ('settled', 'void')
      union all
      select m.id::text, format('status %s / outcome %s but settled as %s', m.status, m.resolved_outcome, s.resolution)
      from closed m join market_settlement s on s.market_id = m.id
      where (s.resolution = 'void') <> (m.status = 'void') or (m.status = 'settled' and m.resolved_outcome <> s.resolution)
      union all
      select coalesce(market_id, position_market)::text,
             format('account %s: position and settlement rows do not pair up', account_id)
      from ps where ps.market_id is null or ps.position_market is null
      union all
      select ps.market_id::text,
             format('account %s: owed %s but the rule owes %s', ps.account_id, ps.owed_micro,
                    case s.resolution when 'yes' then ps.yes_shares_micro when 'no' then ps.no_shares_micro
                    else ps.net_spend_micro end)
      from ps join market_settlement s on s.market_id = ps.market_id
      where ps.position_market is not null and ps.owed_micro <> case s.resolution when 'yes' then ps.yes_shares_micro
                                                                when 'no' then ps.no_shares_micro
                                                                else ps.net_spend_micro end
      union all
      select ps.market_id::text, format('account %s: a verdict paid %s of %s owed', ps.account_id, ps.paid_micro, ps.owed_micro)
      from ps join market_settlement s on s.market_id = ps.market_id
      where s.resolution <> 'void' and ps.paid_micro <> ps.owed_micro
      union all
      select s.market_id::text,
             format('settlement says paid %s, clawed %s over %s positions; its rows say %s, %s over %s',
                    s.paid_micro, s.clawed_back_micro, s.positions, coalesce(x.paid, 0), coalesce(x.clawed, 0),
                    coalesce(x.n, 0))
      from market_settlement s left join sums x on x.market_id = s.market_id
      where s.paid_micro <> coalesce(x.paid, 0) or s.clawed_back_micro <> coalesce(x.clawed, 0)
         or s.positions <> coalesce(x.n, 0)
      union all
      select s.market_id::text, format('void with %s uncollected and %s cut, but the treasury kept %s',
                                       s.uncollected_micro, s.haircut_micro, s.remainder_micro)
      from market_settlement s where s.haircut_micro > 0 and s.remainder_micro > 0
      union all
      select ps.market_id::text, format('account %s: settlement row says %s, ledger moved %s', ps.account_id,
                                        ps.paid_micro, coalesce(n.amount, 0))
      from position_settlement ps left join net n on n.market_id = ps.market_id and n.account_id = ps.account_id
      where ps.paid_micro <> coalesce(n.amount, 0)
      union all
      select n.market_id::text, format('ledger moved %s for account %s with no settlement row', n.amount, n.account_id)
      from net n
      join account a on a.id = n.account_id and a.kind = 'curator'
      where not exists (select 1 from position_settlement ps
                        where ps.market_id = n.market_id and ps.account_id = n.account_id)
      union all
      select s.market_id::text, format('remainder %s but the treasury got %s', s.remainder_micro, coalesce(n.amount, 0))
      from market_settlement s
      join account t on t.kind = 'treasury'
      left join net n on n.market_id = s.market_id and n.account_id = t.id
      where s.remainder_micro <> coalesce(n.amount, 0)
      union all
      select s.market_id::text, format('escrow held %s but its settlement entries moved %s', s.escrow_micro,
                                       -coalesce(n.amount, 0))
      from market_settlement s
      join account e on e.kind = 'market' and e.market_id = s.market_id
      left join net n on n.market_id = s.market_id and n.account_id = e.id
      where s.escrow_micro <> -coalesce(n.amount, 0)
      union all
      select m.id::text, format('escrow still holds %s after settlement', e.balance_micro)
      from closed m join account e on e.kind = 'market' and e.market_id = m.id
      where e.balance_micro <> 0`
    return rows.map((r) => ({ marketId: Number(r.marketId), problem: r.problem }))
  })
}
