// Which failures are worth another try, and how long to wait before it.
// undici's RetryAgent is not used: Tencent reports throttling and server faults as HTTP 200 with an error code,
// and every attempt must be signed anew with a fresh timestamp.
import { ApiError, isUntrustedCertificate, UnexpectedResponseError } from './tencent/errors.ts'

/** Throttling and server-side faults; everything else the API reports (auth, not found, bad parameter) is final. */
const TRANSIENT_CODE =
  /^(RequestLimitExceeded|LimitExceeded|InternalError|ServiceUnavailable|ResourceUnavailable)(\.|$)|^FailedOperation\.DatabaseAccessError$/

export function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return TRANSIENT_CODE.test(error.code)
  if (error instanceof UnexpectedResponseError) return true
  // Network failures: undici's errors (UND_ERR_*) and Node's system errors (ECONNRESET, ENOTFOUND, TLS errors)
  // carry a string code; a plain TypeError from a bug does not, and is not retried. Neither is a certificate
  // that does not verify: the next attempt meets the same certificate.
  if (isUntrustedCertificate(error)) return false
  return typeof (error as { code?: unknown } | null)?.code === 'string'
}

export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 10_000

/** "Full jitter": uniform in [0, min(cap, base * 2^(attempt-1))), so many waiting jobs do not retry in step. */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}
