'use server'

import { revalidatePath } from 'next/cache'
import type { TradeFormState } from '../../lib/market-types'
import { getSession, isSameOriginAction } from '../auth/session'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { refusal, toFormError } from '../form-errors'
import { submitTradeForm } from '../trade-form'

/**
 * The trade panel's action: checks origin and session itself, then server/trade-form.ts does the rest. A fault
 * before the order reaches the form's own handling (the session or the desk failing to load) is answered like one
 * inside it, as form state with the submission's key: the panel then offers to send the same order again, rather
 * than the page being replaced by the error page.
 */
export async function placeTradeAction(_prev: TradeFormState, form: FormData): Promise<TradeFormState> {
  const field = form.get('idempotencyKey')
  const key = typeof field === 'string' ? field : ''
  if (!(await isSameOriginAction())) {
    return {
      status: 'refused',
      error: refusal('bad_origin', 'This request did not come from Curia.'),
      idempotencyKey: key,
    }
  }
  let session: Awaited<ReturnType<typeof getSession>> = null
  let state: TradeFormState
  try {
    session = await getSession()
    const { desk } = getWebServices()
    state = await submitTradeForm(
      {
        desk: await desk,
        maxAmountMicro: getWebConfig().market.maxAmountMicro,
        now: new Date(),
        log: (message, err) => console.error(`${message}:`, err),
      },
      session,
      form,
    )
  } catch (err) {
    state = { status: 'refused', error: toFormError(err), idempotencyKey: key }
  }
  // Filled or refused, the page re-renders with the market as it is now: a new price, a new quote.
  if (session) revalidatePath('/', 'layout')
  return state
}
