// Many steps on one account (the bench's "Many steps, one account"): the event clock that runs them, and the real
// engine, pace and transport of each against a simulated account that refuses past 20 requests in any second.
import { describe, expect, it } from 'vitest'
import { eventClock } from '../scripts/lib/event-clock.ts'
import { simulateAccount } from '../scripts/lib/simulate.ts'
import { MIN_GAP_MS } from '../src/wait/schedule.ts'

describe('eventClock', () => {
  it('wakes sleeps in the order of their times, each at its own time, and ties in the order set', async () => {
    const clock = eventClock(0)
    const signal = new AbortController().signal
    const woke: string[] = []
    const sleeper = async (name: string, ms: number[]): Promise<void> => {
      for (const m of ms) {
        await clock.sleep(m, signal)
        woke.push(`${name}@${clock.now()}`)
      }
    }
    await clock.run(Promise.all([sleeper('a', [300, 300]), sleeper('b', [500]), sleeper('c', [300])]))
    expect(woke).toEqual(['a@300', 'c@300', 'b@500', 'a@600'])
  })

  it('rejects a sleep its signal aborts, and the others go on', async () => {
    const clock = eventClock(0)
    const stop = new AbortController()
    const never = new AbortController().signal
    const aborted = clock.sleep(1000, stop.signal).then(
      () => 'woke',
      () => `aborted@${clock.now()}`,
    )
    const stopper = clock.sleep(500, never).then(() => stop.abort(new Error('stop')))
    const other = clock.sleep(2000, never).then(() => clock.now())
    expect(await clock.run(Promise.all([aborted, other, stopper]))).toEqual(['aborted@500', 2000, undefined])
  })
})

describe('simulateAccount', () => {
  it('a step alone is never refused, and sees its end within the schedule', async () => {
    const run = await simulateAccount({ steps: 1, flowMs: 12_000 })
    expect(run).toMatchObject({ failed: 0, throttled: 0 })
    expect(run.lateMs[0]).toBeLessThanOrEqual(MIN_GAP_MS)
  })

  it('10 steps fit the account: none refused, each end seen within the schedule', async () => {
    const run = await simulateAccount({ steps: 10, flowMs: 12_000, startSpreadMs: 1500 })
    expect(run).toMatchObject({ failed: 0, throttled: 0 })
    expect(Math.max(...run.lateMs)).toBeLessThanOrEqual(MIN_GAP_MS + 100) // the answer's own latency
  })

  it.each([
    { name: '30 steps, 12 s flows', steps: 30, flowMs: 12_000 },
    { name: '50 steps, 20 s flows', steps: 50, flowMs: 20_000 },
  ])('$name: none fails, and the account lets through no more than its limit', async ({ steps, flowMs }) => {
    const run = await simulateAccount({ steps, flowMs, startSpreadMs: 60 * steps })
    expect(run.failed).toBe(0)
    expect(run.busiestWindow).toBeLessThanOrEqual(20)
    // the pace spreads them out: far fewer refused than the half of all answers without it (the table)
    expect(run.throttled / run.requests).toBeLessThan(0.25)
  })
})
