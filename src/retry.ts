// Which failures are worth another try, and how long to wait before it.
// undici's RetryAgent is not used: Tencent reports throttling and server faults as HTTP 200 with an error code,
// and every attempt must be signed anew with a fresh timestamp and pass the step's rate limiter.
import {
  ApiError,
  HttpStatusError,
  isUntrustedCertificate,
  NetworkError,
  UnexpectedResponseError,
} from './tencent/errors.ts'

/** Throttling and server-side faults; everything else the API reports (auth, not found, bad parameter) is final. */
const TRANSIENT_CODE =
  /^(RequestLimitExceeded|LimitExceeded|InternalError|ServiceUnavailable|ResourceUnavailable)(\.|$)|^FailedOperation\.DatabaseAccessError$/

/** HTTP statuses that pass: a timeout, throttling, a server or gateway fault. 3xx and other 4xx do not. */
export const isTransientHttpStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500

export function isTransient(error: unknown): boolean {
  // the client corrected its clock from this very answer: one more try (the waiter allows it once in a row)
  if (error instanceof ApiError) return error.clockCorrected || TRANSIENT_CODE.test(error.code)
  if (error instanceof HttpStatusError) return isTransientHttpStatus(error.status)
  if (error instanceof UnexpectedResponseError) return true
  // A certificate that does not verify is met again on the next attempt; any other network failure may pass.
  if (isUntrustedCertificate(error)) return false
  if (error instanceof NetworkError) return true
  // Other errors with a string code come from the network stack; a plain TypeError from a bug has none.
  return typeof (error as { code?: unknown } | null)?.code === 'string'
}

export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 10_000

/** "Full jitter": uniform in [0, min(cap, base * 2^(attempt-1))), so many waiting jobs do not retry in step. */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/**
 * How long to wait before retrying a transient failure: at once after a clock correction, never sooner than the
 * server's Retry-After, else full-jitter backoff. `required` says the delay is the server's and must be kept.
 */
export function retryDelay(error: unknown, attempt: number, random: () => number): { ms: number; required: boolean } {
  if (error instanceof ApiError && error.clockCorrected) return { ms: 0, required: false }
  const backoff = backoffDelayMs(attempt, random)
  if (error instanceof HttpStatusError && error.retryAfterMs !== undefined && error.retryAfterMs >= backoff) {
    return { ms: error.retryAfterMs, required: true }
  }
  return { ms: backoff, required: false }
}
