import { describe, expect, it } from 'vitest'
import { createRateLimiter, DeadlineError } from '../src/limiter.ts'
import { fakeClock } from '../scripts/lib/fake-clock.ts'

const signal = new AbortController().signal

/** A clock that moves only when the test says, waking the sleeps it passes (or that their signal aborts). */
function manualClock() {
  let time = 0
  const timers = new Set<{ at: number; wake: () => void }>()
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve()
  }
  return {
    now: () => time,
    sleep: (ms: number, wakeOn: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const timer = { at: time + ms, wake: resolve }
        timers.add(timer)
        wakeOn.addEventListener(
          'abort',
          () => {
            timers.delete(timer)
            reject(wakeOn.reason)
          },
          { once: true },
        )
      }),
    async advanceTo(at: number): Promise<void> {
      await flush()
      time = at
      for (const timer of [...timers]) {
        if (timer.at <= at) {
          timers.delete(timer)
          timer.wake()
        }
      }
      await flush()
    },
  }
}

describe('createRateLimiter', () => {
  it('grants at most `limit` in any window, and in order, for requests that end at once', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 3, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const granted: [number, number][] = []
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        acquire(signal).then((release) => {
          granted.push([i, clock.now()])
          release()
        }),
      ),
    )
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

  it('keeps a slot while its request runs, and a window after it ended, not a window after its grant', async () => {
    // two slow requests (700 ms, arriving at the server any time in them): the third may not start before 1700,
    // else the server could see it and both of them within one second
    const clock = manualClock()
    const acquire = createRateLimiter({ limit: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const [a, b] = [await acquire(signal), await acquire(signal)]
    let third: number | undefined
    const waiting = acquire(signal).then((release) => {
      third = clock.now()
      release()
    })
    await clock.advanceTo(700)
    a()
    b()
    await clock.advanceTo(1000) // a window after the grants: not yet
    expect(third).toBeUndefined()
    await clock.advanceTo(1700)
    await waiting
    expect(third).toBe(1700)
  })

  it('wakes a waiting call when a request under way ends, not only at its next look a minute on', async () => {
    const clock = manualClock()
    const acquire = createRateLimiter({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const release = await acquire(signal)
    let granted: number | undefined
    const waiting = acquire(signal).then(() => (granted = clock.now()))
    await clock.advanceTo(300)
    release()
    await clock.advanceTo(1300)
    await waiting
    expect(granted).toBe(1300) // a window after the end
  })

  it('does not hold back requests spread out in time', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    for (let i = 0; i < 5; i++) {
      ;(await acquire(signal))()
      clock.advance(600)
    }
    expect(clock.sleeps).toEqual([])
  })

  it('lets a cancelled waiter go without blocking the rest', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const cancelled = new AbortController()
    cancelled.abort()
    ;(await acquire(signal))()
    await expect(acquire(cancelled.signal)).rejects.toThrow()
    ;(await acquire(signal))()
    expect(clock.now()).toBe(1000)
  })

  it('refuses a call it could only grant after its deadline, at once and without sleeping', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => acquire(signal, 500).then((release) => release())),
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'])
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(DeadlineError)
    expect(clock.sleeps).toEqual([])
    expect(clock.now()).toBe(0)
  })

  it('grants a call whose slot comes before its deadline, and refuses one whose deadline has passed', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    ;(await acquire(signal, 2000))()
    ;(await acquire(signal, 2000))() // slot at 1000
    expect(clock.now()).toBe(1000)
    clock.advance(5000)
    await expect(acquire(signal, 2000)).rejects.toBeInstanceOf(DeadlineError)
  })

  it('refuses a call at its deadline while the requests holding every slot never end', async () => {
    const clock = fakeClock(0)
    const acquire = createRateLimiter({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep })
    await acquire(signal) // never released
    await expect(acquire(signal, 5000)).rejects.toBeInstanceOf(DeadlineError)
    expect(clock.now()).toBeGreaterThan(5000)
    expect(clock.now()).toBeLessThan(5100)
  })
})
