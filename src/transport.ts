// What every request of the step shares: one deadline each, no later than timeout + request-timeout; cancellation;
// one rate limiter and one count for every Tencent Cloud request (STS included), and the step's pace told of each
// answer (wait/pace.ts: refused for the rate, or come through); each host's history, so that a host
// that has never answered is given up on after a short grace instead of being retried for the whole timeout; and
// the debug line of each request.
import type { Dispatcher } from 'undici'
import type { RequestBudget } from './budget.ts'
import { formatDuration } from './duration.ts'
import { forLog } from './foreign-text.ts'
import { RequestError, isConnectFailure, type RequestTrace } from './http.ts'
import { API_RATE, createRateLimiter } from './limiter.ts'
import { ApiError, isThrottled } from './tencent/errors.ts'
import type { Pace } from './wait/pace.ts'

/**
 * An endpoint that has never answered is given up on once it has failed to connect this often, over a quarter of
 * the timeout, at most this long: a typo in the endpoint or a closed port costs half a minute, not the whole wait.
 */
/**
 * How long connecting (TCP and TLS) may take, inside the request's own deadline: a handshake that never completes
 * fails as a connect timeout, which proves nothing was written (a change may be sent again), instead of running
 * into the request deadline, which proves nothing either way. undici's timers are coarse (a bound fires after about
 * max(1 s, bound + 0.5 s)), so half the request timeout beats the deadline from a request-timeout of 3 s on.
 */
export const connectTimeoutMs = (requestTimeoutMs: number): number => Math.min(10_000, Math.ceil(requestTimeoutMs / 2))

export const UNREACHABLE_TRIES = 3
export const UNREACHABLE_GRACE_MS = 30_000

/** No answer has ever come from the host: a typo in the endpoint, a closed port, a network that cannot reach it. */
export class UnreachableError extends RequestError {
  override name = 'UnreachableError'
  readonly host: string
  constructor(host: string, tries: number, sinceMs: number, cause: Error) {
    super(
      `${host} never answered: ${tries} tries over ${formatDuration(sinceMs)} failed before a connection was made (last: ${cause.message})`,
      { cause },
    )
    this.host = host
  }
}

/** Sends one request within `timeoutMs`, stopping when `signal` aborts. */
export type Send<T> = (signal: AbortSignal, timeoutMs: number) => Promise<T>

export interface Transport {
  /** Carries the step's network settings (proxies) and keeps its sockets. */
  readonly dispatcher: Dispatcher
  /** Any request (GitHub's ID token): its deadline, cancellation, the host's history and the debug line. */
  request<T extends { trace: RequestTrace }>(host: string, budget: RequestBudget, send: Send<T>): Promise<T>
  /** A Tencent Cloud request: a slot of the rate limiter, held until it has ended, and counted; then as `request`. */
  tencent<T extends { trace: RequestTrace }>(host: string, budget: RequestBudget, send: Send<T>): Promise<T>
  /** Tencent Cloud requests sent so far (CynosDB and STS): the `polls` output. */
  readonly requests: () => number
}

export interface TransportOptions {
  readonly dispatcher: Dispatcher
  /** The monotonic clock, and when no request may run past on it (the step's start + timeout + request-timeout). */
  readonly now: () => number
  readonly hardEnd: number
  readonly timeoutMs: number
  readonly requestTimeoutMs: number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** Told of every Tencent Cloud answer: refused for the rate, or come through. */
  readonly pace: Pace
  /** Step debug logging: one line per request. */
  readonly debug: ((message: string) => void) | undefined
}

export function createTransport(options: TransportOptions): Transport {
  const { now, hardEnd } = options
  const requestTimeout = (): number => Math.max(1, Math.min(options.requestTimeoutMs, hardEnd - now()))
  const acquire = createRateLimiter({ ...API_RATE, now, sleep: options.sleep })
  let requests = 0

  /** Every host's history: answered at least once, or failing to connect since `since`. */
  const hosts = new Map<string, { answered: boolean; since: number; tries: number }>()
  const traced = (trace: RequestTrace | undefined, outcome: string): void => {
    if (!trace) return
    const http = trace.httpStatus === undefined ? 'no HTTP answer' : `HTTP ${trace.httpStatus}`
    const id = trace.requestId ? `, RequestId ${forLog(trace.requestId)}` : ''
    options.debug?.(`${trace.action} → ${trace.host}: ${http}${id}, ${Math.round(trace.latencyMs)} ms: ${outcome}`)
  }

  async function request<T extends { trace: RequestTrace }>(
    host: string,
    budget: RequestBudget,
    send: Send<T>,
  ): Promise<T> {
    try {
      const answer = await send(budget.signal, requestTimeout())
      hosts.set(host, { answered: true, since: 0, tries: 0 })
      traced(answer.trace, 'answered')
      return answer
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught))
      const trace = (error as RequestError).trace
      traced(trace, error.name)
      const seen = hosts.get(host) ?? { answered: false, since: now(), tries: 0 }
      if (trace?.httpStatus !== undefined) seen.answered = true
      if (!seen.answered && isConnectFailure(error)) {
        seen.tries += 1
        const sinceMs = now() - seen.since
        hosts.set(host, seen)
        if (seen.tries >= UNREACHABLE_TRIES && sinceMs >= Math.min(UNREACHABLE_GRACE_MS, options.timeoutMs / 4)) {
          throw new UnreachableError(host, seen.tries, sinceMs, error)
        }
      } else {
        hosts.set(host, seen)
      }
      throw error
    }
  }

  return {
    dispatcher: options.dispatcher,
    requests: () => requests,
    request,
    async tencent(host, budget, send) {
      const release = await acquire(budget.signal, Math.min(budget.notAfter, hardEnd))
      requests += 1
      budget.sent?.()
      try {
        const answer = await request(host, budget, send)
        options.pace.answered()
        return answer
      } catch (error) {
        // the pace hears every answer of the account's API; a failure without one (the network) says nothing of it
        if (isThrottled(error)) options.pace.throttled()
        else if (error instanceof ApiError) options.pace.answered()
        throw error
      } finally {
        release()
      }
    },
  }
}
