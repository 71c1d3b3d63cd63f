// DescribeFlow allows 20 requests a second per account. All calls of one step go through one limiter, so
// however many flows a step waits for, it never sends more than `limit` requests in any window of `windowMs`.

export interface RateLimiterOptions {
  readonly limit: number
  readonly windowMs: number
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

/** 20 per 1.1 s: the 100 ms over a second absorbs timer and network jitter, so the server never counts 21. */
export const DESCRIBE_FLOW_RATE = { limit: 20, windowMs: 1100 } as const

/** Returns `acquire`, which resolves when a request may be sent; callers are served in order. */
export function createRateLimiter(options: RateLimiterOptions): (signal: AbortSignal) => Promise<void> {
  const granted: number[] = [] // times of the grants still inside the window, oldest first
  let queue: Promise<void> = Promise.resolve()
  return (signal) => {
    const turn = queue.then(async () => {
      for (;;) {
        const now = options.now()
        while (granted.length > 0 && (granted[0] ?? now) <= now - options.windowMs) granted.shift()
        const oldest = granted[0]
        if (oldest === undefined || granted.length < options.limit) {
          granted.push(now)
          return
        }
        await options.sleep(oldest + options.windowMs - now, signal)
      }
    })
    queue = turn.catch(() => undefined)
    return turn
  }
}
