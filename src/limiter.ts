// CynosDB's Describe actions (DescribeFlow among them) and STS allow 20 requests a second per account, counted where
// they arrive. Every Tencent Cloud request of one step goes through one limiter, so however much a step waits for,
// the server never sees more than `limit` of them in any window of `windowMs`.
//
// A request may arrive any time between its grant and its end (a slow connect or TLS handshake holds it back), so a
// slot stays taken while the request runs and for a window after it ended, not a window after its grant: then any
// `limit + 1` requests that arrived within one window would have had to be granted while `limit` slots were taken.
// A call that could only be granted after its deadline is refused as soon as that is known: nothing starts after it.

export interface RateLimiterOptions {
  readonly limit: number
  readonly windowMs: number
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
}

/** 20 per 1.1 s: the 100 ms over a second absorbs timer jitter, so the server never counts 21. */
export const API_RATE = { limit: 20, windowMs: 1100 } as const

/** The longest a waiting call sleeps before it looks at the slots again. */
const MAX_SLEEP_MS = 60_000

/** No slot for this call before its deadline. */
export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

/** Frees a slot: the request has ended (answered, failed or abandoned). Calling it again changes nothing. */
export type Release = () => void

/** Resolves when a request may be sent (callers are served in order); rejects past `notAfter` or on abort. */
export type Acquire = (signal: AbortSignal, notAfter?: number) => Promise<Release>

export function createRateLimiter(options: RateLimiterOptions): Acquire {
  /** Taken slots: a request under way (`endedAt` undefined), or one that ended less than a window ago. */
  const slots: { endedAt: number | undefined }[] = []
  /** Woken when a request under way ends, so a waiting call need not sleep a whole window. */
  let ended = new AbortController()
  let queue: Promise<unknown> = Promise.resolve()
  return (signal, notAfter = Number.POSITIVE_INFINITY) => {
    const turn = queue.then(async (): Promise<Release> => {
      for (;;) {
        signal.throwIfAborted()
        const now = options.now()
        if (now > notAfter) throw new DeadlineError('the deadline passed while the request waited for the rate limit')
        for (let i = slots.length - 1; i >= 0; i--) {
          const endedAt = slots[i]?.endedAt
          if (endedAt !== undefined && endedAt <= now - options.windowMs) slots.splice(i, 1)
        }
        if (slots.length < options.limit) {
          const slot: { endedAt: number | undefined } = { endedAt: undefined }
          slots.push(slot)
          return () => {
            if (slot.endedAt !== undefined) return
            slot.endedAt = options.now()
            ended.abort()
            ended = new AbortController()
          }
        }
        // Every slot is taken: the first to come free is a window after the earliest end, or sooner when a
        // request under way ends. When every request has ended, that time is known exactly.
        const ends = slots.map((s) => s.endedAt).filter((at): at is number => at !== undefined)
        const freeAt = ends.length > 0 ? Math.min(...ends) + options.windowMs : Number.POSITIVE_INFINITY
        if (ends.length === slots.length && freeAt > notAfter) {
          throw new DeadlineError('no request slot before the deadline (rate limit)')
        }
        const wake = AbortSignal.any([signal, ended.signal])
        const until = Math.min(freeAt, notAfter + 1, now + MAX_SLEEP_MS) // look again at least once a minute
        await options.sleep(Math.max(0, until - now), wake).catch(() => {
          signal.throwIfAborted() // cancelled; else a request ended: look again
        })
      }
    })
    queue = turn.catch(() => undefined)
    return turn
  }
}
