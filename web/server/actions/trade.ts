'use server'

import { revalidatePath } from 'next/cache'
import type { TradeFormState } from '../../lib/market-types'
import { getSession, isSameOriginAction } from '../auth/session'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { refusal } from '../form-errors'
import { submitTradeForm } from '../trade-form'

/** The trade panel's action: checks origin and session itself, then server/trade-form.ts does the rest. */
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
  const session = await getSession()
  const { desk } = getWebServices()
  const state = await submitTradeForm(
    {
      desk: await desk,
      maxAmountMicro: getWebConfig().market.maxAmountMicro,
      now: new Date(),
      log: (message, err) => console.error(`${message}:`, err),
    },
    session,
    form,
  )
  // Filled or refused, the page re-renders with the market as it is now: a new price, a new quote.
  if (session) revalidatePath('/', 'layout')
  return state
}
