// CynosDB's Describe actions (DescribeFlow among them) and STS allow 20 requests a second per account. Every
// Tencent Cloud request of one step goes through one limiter, so however much a step waits for, it never sends
// more than `limit` requests in any window of `windowMs`. A call that could only be granted after its deadline
// is refused at once: nothing starts after the deadline.

export interface RateLimiterOptions {
  readonly limit: number
  readonly windowMs: number
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

/** 20 per 1.1 s: the 100 ms over a second absorbs timer and network jitter, so the server never counts 21. */
export const API_RATE = { limit: 20, windowMs: 1100 } as const

/** No slot for this call before its deadline. */
export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

/** Resolves when a request may be sent (callers are served in order); rejects past `notAfter` or on abort. */
export type Acquire = (signal: AbortSignal, notAfter?: number) => Promise<void>

export function createRateLimiter(options: RateLimiterOptions): Acquire {
  const granted: number[] = [] // times of the grants still inside the window, oldest first
  let queue: Promise<void> = Promise.resolve()
  return (signal, notAfter = Number.POSITIVE_INFINITY) => {
    const turn = queue.then(async () => {
      for (;;) {
        signal.throwIfAborted()
        const now = options.now()
        if (now > notAfter) throw new DeadlineError('the deadline passed while the call waited for the rate limit')
        while (granted.length > 0 && (granted[0] ?? now) <= now - options.windowMs) granted.shift()
        const oldest = granted[0]
        if (oldest === undefined || granted.length < options.limit) {
          granted.push(now)
          return
        }
        const freeAt = oldest + options.windowMs
        if (freeAt > notAfter) throw new DeadlineError('no request slot before the deadline (rate limit)')
        await options.sleep(freeAt - now, signal)
      }
    })
    queue = turn.catch(() => undefined)
    return turn
  }
}
