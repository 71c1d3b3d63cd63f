// Which failures are worth another try, and how long to wait before it.
// undici's RetryAgent is not used: Tencent reports throttling and server faults as HTTP 200 with an error code,
// and every attempt must be signed anew with a fresh timestamp and pass the step's rate limiter.
import { DeadlineError } from './limiter.ts'
import { RequestError, HttpStatusError, isUntrustedCertificate, NetworkError, UnexpectedResponseError } from './http.ts'
import { ApiError, classOf, isThrottled } from './tencent/errors.ts'

/** Throttling and faults of the service (the error list's classes, tencent/meaning.ts); every other code is final. */
const isTransientCode = (error: ApiError): boolean => ['throttled', 'server-fault'].includes(classOf(error) ?? '')

/** HTTP statuses that pass: a timeout, throttling, a server or gateway fault. 3xx and other 4xx do not. */
export const isTransientHttpStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500

/** Worth another try of a read: it may pass, and asking again changes nothing. */
export function isTransient(error: unknown): boolean {
  // the client corrected its clock from this very answer: one more try (the tracker allows it once in a row)
  if (error instanceof ApiError) return error.clockCorrected || isTransientCode(error)
  if (error instanceof HttpStatusError) return isTransientHttpStatus(error.status)
  if (error instanceof UnexpectedResponseError) return true
  // A certificate that does not verify is met again on the next attempt; any other network failure may pass.
  if (isUntrustedCertificate(error)) return false
  if (error instanceof NetworkError) return true
  // Another RequestError (an endpoint never reached) is a verdict, not a hiccup.
  if (error instanceof RequestError) return false
  // Other errors with a string code come from the network stack; a plain TypeError from a bug has none.
  return typeof (error as { code?: unknown } | null)?.code === 'string'
}

/**
 * A change failed before it left: what it needed first (the keys: GitHub's ID token, STS) could not be had. That
 * is a read, so it is tried again as any read is; the change itself was never sent.
 */
export class NotSentError extends Error {
  override name = 'NotSentError'
  override readonly cause: unknown
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.cause = cause
  }
}

/**
 * Worth another try of a change the step sent: only when the failure proves the change was not carried out.
 * The connection failed before the request was written (refused, DNS, no route, certificate), the API throttled
 * it (not executed), refused it while the resource was busy with another task (a conflict or lock: sent again once
 * it is free), or refused the signature's time and the client has corrected its clock. Anything after the request
 * left (a timeout, a reset, an HTTP 5xx, InternalError, a garbled answer) proves nothing: the change may have been
 * applied, so it is never sent again.
 */
export function provesNotCarriedOut(error: unknown): boolean {
  if (error instanceof NotSentError) return isTransient(error.cause)
  if (error instanceof ApiError) return error.clockCorrected || ['throttled', 'busy'].includes(classOf(error) ?? '')
  return error instanceof NetworkError && error.notSent && !isUntrustedCertificate(error)
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

/** Refused for the rate (a read, a change, or the STS call before it): the step's pace says when to try again. */
export const refusedForRate = (error: unknown): boolean =>
  isThrottled(error instanceof NotSentError ? error.cause : error)

/** What the waiting engine does after a failed round. */
export type AfterFailure =
  /** The wait was stopped or cancelled. */
  | { readonly kind: 'aborted' }
  /** No request slot before the step's hard end: nothing was sent. The wait times out on the last failure. */
  | { readonly kind: 'deadline' }
  /** Not worth another try (or a second clock correction in a row). */
  | { readonly kind: 'final'; readonly error: Error }
  /** The server's Retry-After reaches past the deadline: the wait ends now. */
  | { readonly kind: 'past-deadline'; readonly error: Error; readonly delayMs: number }
  /**
   * Try again in delayMs; after a clock correction at once, and without a log line (the client logged it). Refused
   * for the rate (`throttled`): when the step's pace says instead.
   */
  | {
      readonly kind: 'retry'
      readonly error: Error
      readonly delayMs: number
      readonly clockCorrection: boolean
      readonly throttled: boolean
    }

/**
 * The retry state of one wait: failures in a row for the backoff, the last failure for the timeout's message,
 * and whether the last retry was a clock correction (allowed once in a row, never a loop). `retryable` is the
 * policy: isTransient for reads, provesNotCarriedOut for a change.
 */
export function createRetryTracker(random: () => number, retryable: (error: unknown) => boolean = isTransient) {
  let inARow = 0
  let lastError: Error | undefined
  let lastWasClockCorrection = false
  return {
    /** Failures in a row, for the log. */
    inARow: () => inARow,
    /** The last failure since the last success. */
    lastError: () => lastError,
    succeeded(): void {
      inARow = 0
      lastError = undefined
      lastWasClockCorrection = false
    },
    failed(
      caught: unknown,
      at: { readonly aborted: boolean; readonly now: number; readonly deadline: number },
    ): AfterFailure {
      if (at.aborted) return { kind: 'aborted' }
      if (caught instanceof DeadlineError) return { kind: 'deadline' }
      const error = caught instanceof Error ? caught : new Error(String(caught))
      const clockCorrection = error instanceof ApiError && error.clockCorrected
      if (!retryable(error) || (clockCorrection && lastWasClockCorrection)) return { kind: 'final', error }
      lastWasClockCorrection = clockCorrection
      inARow += 1
      lastError = error
      const delay = retryDelay(error, inARow, random)
      if (delay.required && at.now + delay.ms > at.deadline) return { kind: 'past-deadline', error, delayMs: delay.ms }
      return { kind: 'retry', error, delayMs: delay.ms, clockCorrection, throttled: refusedForRate(error) }
    },
  }
}

/** The RequestId an error answer carried, if any: the last answer's, for the request-id output. */
export const answeredRequestId = (error: unknown): string | undefined =>
  error instanceof ApiError ? error.requestId : error instanceof RequestError ? error.trace?.requestId : undefined
