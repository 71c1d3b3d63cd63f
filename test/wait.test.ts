import { describe, expect, it } from 'vitest'
import { adaptiveSchedule, fixedSchedule } from '../src/schedule.ts'
import { ApiError, HttpStatusError, UnexpectedResponseError } from '../src/tencent/errors.ts'
import { DeadlineError } from '../src/limiter.ts'
import type { FlowAnswer } from '../src/tencent/cynosdb.ts'
import { StopWaiting, waitForFlow, type WaitDeps } from '../src/wait.ts'
import { fakeClock, type FakeClock } from '../scripts/lib/fake-clock.ts'

/** One answer per call: a status, or an error to throw. `latency` ms pass during each call. */
function scripted(clock: FakeClock, script: readonly (0 | 1 | 2 | Error)[], latency = 0) {
  const calls: number[] = []
  const describeFlow = async (): Promise<FlowAnswer> => {
    calls.push(clock.now())
    clock.advance(latency)
    const step = script[Math.min(calls.length - 1, script.length - 1)]
    if (step instanceof Error) throw step
    return { status: step ?? 2, requestId: `r${calls.length}` }
  }
  return { describeFlow, calls }
}

function setup(script: readonly (0 | 1 | 2 | Error)[], latency = 0) {
  const clock = fakeClock(1000)
  const { describeFlow, calls } = scripted(clock, script, latency)
  const lines: string[] = []
  const deps: WaitDeps = {
    describeFlow,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    log: (l) => lines.push(l),
  }
  return { clock, calls, lines, deps, signal: new AbortController().signal }
}

const throttled = new ApiError('DescribeFlow', 'RequestLimitExceeded', 'too many', 'r-x')

describe('waitForFlow', () => {
  it('polls at once, then at the schedule, until the flow succeeds', async () => {
    const { calls, deps, signal } = setup([2, 2, 2, 0])
    const outcome = await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(5000), signal }, deps)
    expect(calls).toEqual([1000, 6000, 11_000, 16_000])
    expect(outcome).toMatchObject({ flowId: '9', status: 0, requestId: 'r4', polls: 4, elapsedMs: 15_000, end: 'done' })
  })

  it('keeps the schedule from the start of each call, so latency does not add up', async () => {
    const { calls, deps, signal } = setup([2, 2, 0], 300)
    await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal }, deps)
    expect(calls).toEqual([1000, 2000, 3000])
  })

  it('stops at a failed flow at once', async () => {
    const { calls, deps, signal } = setup([2, 1, 0])
    const outcome = await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal }, deps)
    expect(outcome).toMatchObject({ status: 1, end: 'done', polls: 2 })
    expect(calls).toHaveLength(2)
  })

  it('makes a last call at the deadline, then times out', async () => {
    const { calls, deps, signal } = setup([2])
    const outcome = await waitForFlow('9', { timeoutMs: 2500, schedule: fixedSchedule(1000), signal }, deps)
    expect(calls).toEqual([1000, 2000, 3000, 3500])
    expect(outcome).toMatchObject({ status: 2, end: 'timeout', elapsedMs: 2500, error: undefined })
  })

  it('retries transient failures with logged, jittered backoff, then goes on polling', async () => {
    const { calls, lines, deps, signal } = setup([2, throttled, new UnexpectedResponseError('HTTP 502'), 0])
    const outcome = await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(5000), signal }, deps)
    // random() = 0.5: half of 1 s after the first failure, half of 2 s after the second
    expect(calls).toEqual([1000, 6000, 6500, 7500])
    expect(outcome).toMatchObject({ status: 0, polls: 4, end: 'done' })
    expect(lines).toContain(
      'Flow 9: call 2 failed (1 in a row): DescribeFlow failed with RequestLimitExceeded: too many (RequestId r-x); retrying in 500ms',
    )
    expect(lines).toContain('Flow 9: call 3 failed (2 in a row): HTTP 502; retrying in 1s')
  })

  it('never lets retries run past the deadline, and names the last cause', async () => {
    const { calls, deps, signal } = setup([new UnexpectedResponseError('HTTP 503')])
    const outcome = await waitForFlow('9', { timeoutMs: 10_000, schedule: fixedSchedule(1000), signal }, deps)
    expect(calls.at(-1)).toBe(11_000)
    expect(calls.every((t) => t <= 11_000)).toBe(true)
    expect(outcome).toMatchObject({ status: undefined, end: 'timeout', elapsedMs: 10_000 })
    expect(outcome.error?.message).toBe('HTTP 503')
  })

  it('ends at once on an error that cannot heal', async () => {
    const { calls, deps, signal } = setup([new ApiError('DescribeFlow', 'AuthFailure.SignatureFailure', 'bad', 'r1')])
    const outcome = await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal }, deps)
    expect(calls).toHaveLength(1)
    expect(outcome).toMatchObject({ end: 'error', polls: 1 })
    expect((outcome.error as ApiError).code).toBe('AuthFailure.SignatureFailure')
  })

  it('does not retry a plain bug (an error without a code)', async () => {
    const { calls, deps, signal } = setup([new TypeError('x is not a function')])
    const outcome = await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal }, deps)
    expect(calls).toHaveLength(1)
    expect(outcome.end).toBe('error')
  })

  it('stops when cancelled and reports what it knew', async () => {
    const { clock, deps } = setup([2])
    const cancel = new AbortController()
    const sleep: WaitDeps['sleep'] = async (ms, signal) => {
      if (clock.now() >= 4000) cancel.abort()
      return clock.sleep(ms, signal)
    }
    const outcome = await waitForFlow(
      '9',
      { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: cancel.signal },
      { ...deps, sleep },
    )
    expect(outcome).toMatchObject({ status: 2, end: 'cancelled', polls: 4, elapsedMs: 3000 })
  })

  it('logs a status change once, and a line every 30 s while nothing changes', async () => {
    const { lines, deps, signal } = setup([...Array<2>(20).fill(2), 0])
    await waitForFlow('9', { timeoutMs: 600_000, schedule: fixedSchedule(5000), signal }, deps)
    expect(lines).toEqual([
      'Flow 9: processing after 0ms (1 call)',
      'Flow 9: still processing after 30s (7 calls)',
      'Flow 9: still processing after 1m (13 calls)',
      'Flow 9: still processing after 1m30s (19 calls)',
      'Flow 9: succeeded after 1m40s (21 calls)',
    ])
  })

  it('stops, as `stopped`, when another flow ends the wait, naming that flow', async () => {
    const { clock, deps } = setup([2])
    const stop = new AbortController()
    const sleep: WaitDeps['sleep'] = async (ms, signal) => {
      if (clock.now() >= 3000) stop.abort(new StopWaiting('7'))
      return clock.sleep(ms, signal)
    }
    const outcome = await waitForFlow(
      '9',
      { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: stop.signal },
      { ...deps, sleep },
    )
    expect(outcome).toMatchObject({ status: 2, end: 'stopped', stoppedBy: '7', polls: 3 })
  })

  it('times out without a call when the rate limiter has no slot before the deadline', async () => {
    const { clock, deps, signal } = setup([2])
    const calls: number[] = []
    const describeFlow: WaitDeps['describeFlow'] = async (_id, call) => {
      if (clock.now() >= call.notAfter) throw new DeadlineError('no slot')
      calls.push(clock.now())
      return { status: 2, requestId: 'r' }
    }
    const outcome = await waitForFlow(
      '9',
      { timeoutMs: 2000, schedule: fixedSchedule(1000), signal },
      {
        ...deps,
        describeFlow,
      },
    )
    expect(calls).toEqual([1000, 2000])
    expect(outcome).toMatchObject({ end: 'timeout', polls: 2 })
  })

  it("keeps a server's Retry-After, and ends at once when it reaches past the deadline", async () => {
    const busy = (seconds: number) => new HttpStatusError('DescribeFlow', 'h', 429, seconds * 1000)
    const kept = setup([busy(3), 0])
    await waitForFlow('9', { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: kept.signal }, kept.deps)
    expect(kept.calls).toEqual([1000, 4000])
    const late = setup([busy(120)])
    const outcome = await waitForFlow(
      '9',
      { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: late.signal },
      late.deps,
    )
    expect(late.calls).toEqual([1000])
    expect(outcome).toMatchObject({ end: 'timeout', polls: 1, elapsedMs: 0 })
  })

  it('retries a clock correction at once, but not twice in a row', async () => {
    const corrected = () =>
      Object.assign(new ApiError('DescribeFlow', 'AuthFailure.SignatureExpire', 'e', 'r'), { clockCorrected: true })
    const once = setup([corrected(), 0])
    const ok = await waitForFlow(
      '9',
      { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: once.signal },
      once.deps,
    )
    expect(once.calls).toEqual([1000, 1000])
    expect(ok).toMatchObject({ status: 0, polls: 2 })
    const twice = setup([corrected(), corrected(), 0])
    const failed = await waitForFlow(
      '9',
      { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: twice.signal },
      twice.deps,
    )
    expect(failed).toMatchObject({ end: 'error', polls: 2 })
  })

  it('keeps the RequestId of an error answer as the last one', async () => {
    const { deps, signal } = setup([2, new ApiError('DescribeFlow', 'InternalError', 'x', 'r-error')])
    const outcome = await waitForFlow('9', { timeoutMs: 1500, schedule: fixedSchedule(1000), signal }, deps)
    expect(outcome.requestId).toBe('r-error')
  })

  it('measures from a shared start, so several flows share one deadline', async () => {
    const { calls, deps, signal } = setup([2])
    const outcome = await waitForFlow(
      '9',
      { timeoutMs: 2000, schedule: fixedSchedule(1000), signal, startedAt: 0 },
      deps,
    )
    expect(calls).toEqual([1000, 2000])
    expect(outcome.elapsedMs).toBe(2000)
  })
})

describe('adaptiveSchedule (the default)', () => {
  it.each([
    { elapsed: 0, gap: 1250 },
    { elapsed: 5000, gap: 1250 },
    { elapsed: 7500, gap: 1500 },
    { elapsed: 15_000, gap: 3000 },
    { elapsed: 40_000, gap: 3500 },
    { elapsed: 52_500, gap: 3500 },
    { elapsed: 90_000, gap: 6000 },
    { elapsed: 150_000, gap: 10_000 },
    { elapsed: 3_600_000, gap: 10_000 },
  ])('after $elapsed ms waits $gap ms', ({ elapsed, gap }) => {
    expect(adaptiveSchedule(elapsed)).toBe(gap)
  })

  // The performance targets, on the fake clock with instant answers (npm run bench measures them for real).
  it.each([
    { name: 'a 7 s flow', endsAt: 7000, maxLateMs: 1500, maxCalls: 10 },
    { name: 'a 40 s flow', endsAt: 40_000, maxLateMs: 4000, maxCalls: 20 },
  ])('sees $name soon enough with few calls', async ({ endsAt, maxLateMs, maxCalls }) => {
    const clock = fakeClock(0)
    let calls = 0
    const deps: WaitDeps = {
      describeFlow: async () => ({ status: clock.now() >= endsAt ? 0 : 2, requestId: String(++calls) }),
      now: clock.now,
      sleep: clock.sleep,
      random: Math.random,
      log: () => undefined,
    }
    const outcome = await waitForFlow(
      '1',
      { timeoutMs: 600_000, schedule: adaptiveSchedule, signal: new AbortController().signal },
      deps,
    )
    expect(outcome.elapsedMs - endsAt).toBeLessThanOrEqual(maxLateMs)
    expect(outcome.polls).toBeLessThanOrEqual(maxCalls)
  })

  it('costs at most 6 calls a minute on a long flow', async () => {
    const clock = fakeClock(0)
    const deps: WaitDeps = {
      describeFlow: async () => ({ status: 2, requestId: 'r' }),
      now: clock.now,
      sleep: clock.sleep,
      random: Math.random,
      log: () => undefined,
    }
    const first = await waitForFlow(
      '1',
      { timeoutMs: 5 * 60_000, schedule: adaptiveSchedule, signal: new AbortController().signal },
      deps,
    )
    const clock2 = fakeClock(0)
    const second = await waitForFlow(
      '1',
      { timeoutMs: 15 * 60_000, schedule: adaptiveSchedule, signal: new AbortController().signal },
      { ...deps, now: clock2.now, sleep: clock2.sleep },
    )
    // the ten minutes between the 5th and the 15th minute
    expect((second.polls - first.polls) / 10).toBeLessThanOrEqual(6)
  })
})
