import { describe, expect, it } from 'vitest'
import { createRateLimiter, DeadlineError } from '../src/limiter.ts'
import { fakeClock } from '../scripts/lib/fake-clock.ts'

describe('createRateLimiter', () => {
  it('grants at most `limit` in any window, and in order', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 3, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const signal = new AbortController().signal
    const granted: [number, number][] = []
    await Promise.all(Array.from({ length: 7 }, (_, i) => acquire(signal).then(() => granted.push([i, clock.now()]))))
    expect(granted).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 1000],
      [4, 1000],
      [5, 1000],
      [6, 2000],
    ])
  })

  it('does not hold back requests spread out in time', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const signal = new AbortController().signal
    for (let i = 0; i < 5; i++) {
      await acquire(signal)
      clock.advance(600)
    }
    expect(clock.sleeps).toEqual([])
  })

  it('lets a cancelled waiter go without blocking the rest', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const live = new AbortController().signal
    const cancelled = new AbortController()
    cancelled.abort()
    await acquire(live)
    await expect(acquire(cancelled.signal)).rejects.toThrow()
    await acquire(live)
    expect(clock.now()).toBe(1000)
  })

  it('refuses a call it could only grant after its deadline, at once and without sleeping', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const signal = new AbortController().signal
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => acquire(signal, 500)))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'])
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(DeadlineError)
    expect(clock.sleeps).toEqual([])
    expect(clock.now()).toBe(0)
  })

  it('grants a call whose slot comes before its deadline, and refuses one whose deadline has passed', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const signal = new AbortController().signal
    await acquire(signal, 2000)
    await acquire(signal, 2000) // slot at 1000
    expect(clock.now()).toBe(1000)
    clock.advance(5000)
    await expect(acquire(signal, 2000)).rejects.toBeInstanceOf(DeadlineError)
  })
})
