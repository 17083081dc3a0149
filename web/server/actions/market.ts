'use server'

import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import type { SimpleFormState } from '../../lib/market-types'
import { getSession, isSameOriginAction } from '../auth/session'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { refusal, toFormError } from '../form-errors'
import { submitOpenMarket } from '../open-market-form'
import { getRateLimiters } from '../rate-limit'

/** "Open a market" for a pasted post link; on success, the post's page. */
export async function openMarketAction(_prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  const field = form.get('post')
  const input = typeof field === 'string' ? field : ''
  if (!(await isSameOriginAction())) {
    return { status: 'refused', error: refusal('bad_origin', 'This request did not come from Curia.'), input }
  }
  let result: Awaited<ReturnType<typeof submitOpenMarket>>
  try {
    const session = await getSession()
    const config = getWebConfig()
    const { database, oauth, ledger } = getWebServices()
    const [db, client] = await Promise.all([database, oauth])
    result = await submitOpenMarket(
      {
        database: db,
        identity: client.identityResolver,
        recordSourceUrl: config.recordSourceUrl,
        params: config.market,
        ledgerReady: ledger,
        limiter: getRateLimiters().openMarket,
        now: new Date(),
        log: (message, err) => console.warn(`${message}:`, err),
      },
      session,
      input,
    )
  } catch (err) {
    // The session or the services failed to load: a refusal in the form, not the error page.
    return { status: 'refused', error: toFormError(err), input }
  }
  if (!result.ok) return { status: 'refused', error: result.error, input }
  revalidatePath('/', 'layout')
  redirect(result.path)
}
