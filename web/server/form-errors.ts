import { isCurationError } from '@curia/curation/errors'
import type { FormError, FormErrorCode } from '../lib/market-types'

/**
 * The one translation from what server actions throw to what a form shows. The market layer's refusals already
 * carry sentences written for people (amounts, limits, what is left); a few get a clearer or a more actionable one
 * here. Anything else is a fault on our side: it is logged with its detail and the person gets a plain sentence.
 */
export function toFormError(
  err: unknown,
  log: (message: string, err: unknown) => void = logError,
): FormError {
  if (isCurationError(err)) {
    const code = err.code
    switch (code) {
      case 'unknown_market':
        return { code, message: 'This market does not exist.' }
      case 'slippage_exceeded':
        return {
          code,
          message: `${err.message} Nothing was traded; check the new quote and submit again.`,
        }
      case 'idempotency_conflict':
        return {
          code,
          message:
            'This form was already used for a different trade, so it was refused. Nothing was traded; submit again.',
        }
      case 'auth_required':
      case 'bad_auth':
        return { code: 'auth_required', message: 'Sign in to continue.' }
      case 'bad_request':
      case 'bad_amount':
      case 'insufficient_balance':
      case 'market_closed':
      case 'position_cap':
        return { code: code satisfies FormErrorCode, message: err.message }
      default:
        // Codes from other parts of the curation layer (feed, jury, settlement) are refusals of a request too.
        return { code: 'bad_request', message: err.message }
    }
  }
  log('server action failed', err)
  return {
    code: 'unavailable',
    message:
      'Something went wrong on our side. Submitting the same form again is safe: it is never applied twice.',
  }
}

export function refusal(code: FormErrorCode, message: string): FormError {
  return { code, message }
}

function logError(message: string, err: unknown): void {
  console.error(`${message}:`, err)
}
