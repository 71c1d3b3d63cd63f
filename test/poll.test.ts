// The waiting engine on a fake clock, with the flow probe as its probe (and a probe of its own where the engine's
// rules are general): the deadline round, retries, cancellation, stops and fail-fast.
import { describe, expect, it } from 'vitest'
import { fakeClock, type FakeClock } from '../scripts/lib/fake-clock.ts'
import type { StepApi } from '../src/api.ts'
import { HttpStatusError, NetworkError, UnexpectedResponseError } from '../src/http.ts'
import { DeadlineError } from '../src/limiter.ts'
import { poll, StopWaiting, waitForAll, type PollDeps, type WaitPlan } from '../src/wait/poll.ts'
import type { Probe } from '../src/wait/probe.ts'
import { flowProbe } from '../src/probes/flow.ts'
import { provesNotCarriedOut } from '../src/retry.ts'
import { createPace } from '../src/wait/pace.ts'
import { fixedSchedule } from '../src/wait/schedule.ts'
import type { FlowStatus } from '../src/tencent/cynosdb.ts'
import { ApiError } from '../src/tencent/errors.ts'

type Step = FlowStatus | Error
const trace = { action: 'DescribeFlow', host: 'h', latencyMs: 1 }

/** DescribeFlow answering one step per call; `latency` ms pass during each call. */
function scripted(clock: FakeClock, script: readonly Step[], latency = 0) {
  const calls: number[] = []
  const api: Pick<StepApi, 'describeFlow'> = {
    describeFlow: async (_flowId, budget) => {
      if (clock.now() > budget.notAfter) throw new DeadlineError('past the hard end')
      calls.push(clock.now())
      budget.sent?.()
      clock.advance(latency)
      const step = script[Math.min(calls.length - 1, script.length - 1)] ?? 2
      if (step instanceof Error) throw step
      return { value: step, requestId: `r${calls.length}`, trace }
    },
  }
  return { api, calls }
}

function setup(script: readonly Step[], options: { latency?: number; start?: number } = {}) {
  const clock = fakeClock(options.start ?? 1000)
  const { api, calls } = scripted(clock, script, options.latency)
  const lines: string[] = []
  const deps: PollDeps = { now: clock.now, sleep: clock.sleep, random: () => 0.5, log: (l) => lines.push(l) }
  const plan = (timeoutMs: number, gapMs: number, signal = new AbortController().signal): WaitPlan => ({
    startedAt: clock.now(),
    timeoutMs,
    hardEndMs: timeoutMs + 1000,
    schedule: fixedSchedule(gapMs),
    pace: createPace(clock.now),
    signal,
  })
  return { clock, calls, lines, deps, plan, probe: flowProbe('9', api) }
}

const throttled = new ApiError('DescribeFlow', 'RequestLimitExceeded', 'too many', 'r-x')

describe('poll: one probe until it ends', () => {
  it('polls at once, then at the schedule, until the flow succeeds', async () => {
    const { calls, deps, plan, probe } = setup([2, 2, 2, 0])
    const outcome = await poll(probe, plan(60_000, 5000), deps)
    expect(calls).toEqual([1000, 6000, 11_000, 16_000])
    expect(outcome).toMatchObject({ name: 'Flow 9', requestId: 'r4', requests: 4, elapsedMs: 15_000, end: 'done' })
    expect(outcome.rows).toEqual([expect.objectContaining({ kind: 'flow', id: '9', result: 'succeeded' })])
  })

  it('keeps the schedule from the start of each round, so latency does not add up', async () => {
    const { calls, deps, plan, probe } = setup([2, 2, 0], { latency: 300 })
    await poll(probe, plan(60_000, 1000), deps)
    expect(calls).toEqual([1000, 2000, 3000])
  })

  it('stops at a failed flow at once', async () => {
    const { calls, deps, plan, probe } = setup([2, 1, 0])
    const outcome = await poll(probe, plan(60_000, 1000), deps)
    expect(outcome).toMatchObject({ end: 'done', requests: 2 })
    expect(outcome.rows[0]?.result).toBe('failed')
    expect(calls).toHaveLength(2)
  })

  it('makes a last round at the deadline, then times out', async () => {
    const { calls, deps, plan, probe } = setup([2])
    const outcome = await poll(probe, plan(2500, 1000), deps)
    expect(calls).toEqual([1000, 2000, 3000, 3500])
    expect(outcome).toMatchObject({ end: 'timeout', elapsedMs: 2500, error: undefined })
    expect(outcome.rows[0]?.result).toBe('processing')
  })

  it('still makes the last round when the timer wakes late, and sees a flow that ended before it', async () => {
    // timeout 10 s, a poll every 6 s, the flow done at 7 s; every sleep overshoots by 40 ms
    const clock = fakeClock(0)
    const calls: number[] = []
    const api: Pick<StepApi, 'describeFlow'> = {
      describeFlow: async (_id, budget) => {
        if (clock.now() > budget.notAfter) throw new DeadlineError('past the hard end')
        calls.push(clock.now())
        budget.sent?.()
        return { value: clock.now() >= 7000 ? 0 : 2, requestId: 'r', trace }
      },
    }
    const lateSleep: PollDeps['sleep'] = (ms, signal) => clock.sleep(ms + 40, signal)
    const outcome = await poll(
      flowProbe('9', api),
      {
        startedAt: 0,
        timeoutMs: 10_000,
        hardEndMs: 11_000,
        schedule: fixedSchedule(6000),
        pace: createPace(clock.now),
        signal: new AbortController().signal,
      },
      { now: clock.now, sleep: lateSleep, random: () => 0.5, log: () => undefined },
    )
    expect(calls).toEqual([0, 6040, 10_040])
    expect(outcome).toMatchObject({ end: 'done', requests: 3 })
    expect(outcome.rows[0]?.result).toBe('succeeded')
  })

  it('retries transient failures with logged, jittered backoff, then goes on polling', async () => {
    const internal = new ApiError('DescribeFlow', 'InternalError', 'oops', 'r-x')
    const { calls, lines, deps, plan, probe } = setup([2, internal, new UnexpectedResponseError('HTTP 502'), 0])
    const outcome = await poll(probe, plan(60_000, 5000), deps)
    // random() = 0.5: half of 1 s after the first failure, half of 2 s after the second
    expect(calls).toEqual([1000, 6000, 6500, 7500])
    expect(outcome).toMatchObject({ requests: 4, end: 'done' })
    expect(lines).toContain(
      'Flow 9: request 2 failed (1 in a row): DescribeFlow failed with InternalError: oops (RequestId r-x); retrying in 500ms',
    )
    expect(lines).toContain('Flow 9: request 3 failed (2 in a row): HTTP 502; retrying in 1s')
  })

  /** DescribeFlow answering one step per call, telling the plan's pace of each answer as the transport does. */
  function pacedApi(clock: FakeClock, calls: number[], waitPlan: WaitPlan, script: readonly Step[]) {
    const api: Pick<StepApi, 'describeFlow'> = {
      describeFlow: async (_flowId, budget) => {
        if (clock.now() > budget.notAfter) throw new DeadlineError('past the hard end')
        calls.push(clock.now())
        budget.sent?.()
        const step = script[Math.min(calls.length - 1, script.length - 1)] ?? 0
        if (step instanceof Error) {
          waitPlan.pace.throttled()
          throw step
        }
        waitPlan.pace.answered()
        return { value: step, requestId: `r${calls.length}`, trace }
      },
    }
    return flowProbe('9', api)
  }

  it('keeps to the pace a refusal for the rate widened: the retry, and every round after it', async () => {
    const { clock, calls, lines, deps, plan } = setup([])
    const waitPlan = plan(120_000, 2000)
    const outcome = await poll(pacedApi(clock, calls, waitPlan, [2, throttled, 2, 2, 0]), waitPlan, deps)
    expect(outcome).toMatchObject({ requests: 5, end: 'done' })
    // refused at 3000: the pace widens to 2.5 x 2 s; the retry comes within it (at 0.625 of it), the rounds at it
    const pace = 5000
    const retryAt = 3000 + pace * 0.625
    const narrowed = pace * 0.995
    expect(calls).toEqual([1000, 3000, retryAt, retryAt + narrowed, retryAt + narrowed + narrowed * 0.995])
    expect(lines).toContain(
      'Flow 9: request 2 failed (1 in a row): DescribeFlow failed with RequestLimitExceeded: too many (RequestId r-x); retrying in 3.1s',
    )
  })

  it('refused for the rate to the end: the pace never takes a round past the deadline', async () => {
    const { clock, calls, deps, plan } = setup([])
    const waitPlan = plan(30_000, 1000)
    const outcome = await poll(pacedApi(clock, calls, waitPlan, [throttled]), waitPlan, deps)
    expect(outcome).toMatchObject({ end: 'timeout', elapsedMs: 30_000 })
    expect(outcome.error?.message).toMatch(/RequestLimitExceeded/)
    expect(calls.at(-1)).toBe(31_000) // the last round looks at the deadline itself
    // widened once per crowded moment, by 1.25 each time after the first: fewer rounds than the 1 s schedule's 30
    expect(calls.length).toBeLessThan(15)
  })

  it('never lets retries run past the deadline, and names the last cause', async () => {
    const { calls, deps, plan, probe } = setup([new UnexpectedResponseError('HTTP 503')])
    const outcome = await poll(probe, plan(10_000, 1000), deps)
    expect(calls.at(-1)).toBe(11_000)
    expect(calls.every((t) => t <= 11_000)).toBe(true)
    expect(outcome).toMatchObject({ end: 'timeout', elapsedMs: 10_000 })
    expect(outcome.rows[0]?.result).toBe('unknown')
    expect(outcome.error?.message).toBe('HTTP 503')
  })

  it('ends at once on an error that cannot heal', async () => {
    const { calls, deps, plan, probe } = setup([
      new ApiError('DescribeFlow', 'AuthFailure.SignatureFailure', 'bad', 'r1'),
    ])
    const outcome = await poll(probe, plan(60_000, 1000), deps)
    expect(calls).toHaveLength(1)
    expect(outcome).toMatchObject({ end: 'error', requests: 1, requestId: 'r1' })
    expect((outcome.error as ApiError).code).toBe('AuthFailure.SignatureFailure')
  })

  it('does not retry a plain bug (an error without a code)', async () => {
    const { calls, deps, plan, probe } = setup([new TypeError('x is not a function')])
    const outcome = await poll(probe, plan(60_000, 1000), deps)
    expect(calls).toHaveLength(1)
    expect(outcome.end).toBe('error')
  })

  it('stops when cancelled and reports what it knew', async () => {
    const { clock, deps, plan, probe } = setup([2])
    const cancel = new AbortController()
    const sleep: PollDeps['sleep'] = async (ms, signal) => {
      if (clock.now() >= 4000) cancel.abort()
      return clock.sleep(ms, signal)
    }
    const outcome = await poll(probe, plan(60_000, 1000, cancel.signal), { ...deps, sleep })
    expect(outcome).toMatchObject({ end: 'cancelled', requests: 4, elapsedMs: 3000 })
    expect(outcome.rows[0]?.result).toBe('processing')
  })

  it('logs a change once, and a line every 30 s while nothing changes', async () => {
    const { lines, deps, plan, probe } = setup([...Array<2>(20).fill(2), 0])
    await poll(probe, plan(600_000, 5000), deps)
    expect(lines).toEqual([
      'Flow 9: processing after 0ms (1 request)',
      'Flow 9: processing after 30s (7 requests)',
      'Flow 9: processing after 1m (13 requests)',
      'Flow 9: processing after 1m30s (19 requests)',
      'Flow 9: succeeded after 1m40s (21 requests)',
    ])
  })

  it('stops, as `stopped`, when another probe ends the wait, naming it', async () => {
    const { clock, deps, plan, probe } = setup([2])
    const stop = new AbortController()
    const sleep: PollDeps['sleep'] = async (ms, signal) => {
      if (clock.now() >= 3000) stop.abort(new StopWaiting('Flow 7'))
      return clock.sleep(ms, signal)
    }
    const outcome = await poll(probe, plan(60_000, 1000, stop.signal), { ...deps, sleep })
    expect(outcome).toMatchObject({ end: 'stopped', stoppedBy: 'Flow 7', requests: 3 })
  })

  it('times out without a call when the rate limiter has no slot before the hard end', async () => {
    const { clock, deps, probe } = setup([2])
    const calls: number[] = []
    const refusing: Probe = {
      ...probe,
      check: async (budget) => {
        if (clock.now() >= 2000) throw new DeadlineError('no slot')
        calls.push(clock.now())
        budget.sent?.()
        return { rows: [{ kind: 'flow', id: '9', result: 'processing', state: 'processing' }], line: 'x' }
      },
    }
    const outcome = await poll(
      refusing,
      {
        startedAt: 1000,
        timeoutMs: 5000,
        hardEndMs: 6000,
        schedule: fixedSchedule(1000),
        pace: createPace(clock.now),
        signal: new AbortController().signal,
      },
      deps,
    )
    expect(calls).toEqual([1000])
    expect(outcome).toMatchObject({ end: 'timeout', requests: 1 })
  })

  it("keeps a server's Retry-After, and ends at once when it reaches past the deadline", async () => {
    const busy = (seconds: number) => new HttpStatusError('DescribeFlow', 'h', 429, seconds * 1000)
    const kept = setup([busy(3), 0])
    await poll(kept.probe, kept.plan(60_000, 1000), kept.deps)
    expect(kept.calls).toEqual([1000, 4000])
    const late = setup([busy(120)])
    const outcome = await poll(late.probe, late.plan(60_000, 1000), late.deps)
    expect(late.calls).toEqual([1000])
    expect(outcome).toMatchObject({ end: 'timeout', requests: 1, elapsedMs: 0 })
  })

  it('retries a clock correction at once, but not twice in a row', async () => {
    const corrected = () =>
      Object.assign(new ApiError('DescribeFlow', 'AuthFailure.SignatureExpire', 'e', 'r'), { clockCorrected: true })
    const once = setup([corrected(), 0])
    const ok = await poll(once.probe, once.plan(60_000, 1000), once.deps)
    expect(once.calls).toEqual([1000, 1000])
    expect(ok).toMatchObject({ end: 'done', requests: 2 })
    const twice = setup([corrected(), corrected(), 0])
    const failed = await poll(twice.probe, twice.plan(60_000, 1000), twice.deps)
    expect(failed).toMatchObject({ end: 'error', requests: 2 })
  })

  it('keeps the RequestId of an error answer as the last one', async () => {
    const { deps, plan, probe } = setup([2, new ApiError('DescribeFlow', 'InternalError', 'x', 'r-error')])
    const outcome = await poll(probe, plan(1500, 1000), deps)
    expect(outcome.requestId).toBe('r-error')
  })

  it('measures from the shared start, so several probes share one deadline', async () => {
    const { calls, clock, deps, probe } = setup([2])
    const outcome = await poll(
      probe,
      {
        startedAt: 0,
        timeoutMs: 2000,
        hardEndMs: 3000,
        schedule: fixedSchedule(1000),
        pace: createPace(clock.now),
        signal: new AbortController().signal,
      },
      deps,
    )
    expect(calls).toEqual([1000, 2000])
    expect(outcome.elapsedMs).toBe(2000)
  })
})

describe('poll: a change is sent at most once', () => {
  const sentOnce = (failures: Error[]) => {
    const clock = fakeClock(0)
    let sends = 0
    const probe: Probe = {
      name: 'Call ModifyInstanceParam',
      rows: [{ kind: 'call', id: 'ModifyInstanceParam', result: 'unknown', state: 'not sent yet' }],
      retryable: provesNotCarriedOut,
      check: async (budget) => {
        budget.sent?.()
        sends += 1
        const failure = failures[sends - 1]
        if (failure) throw failure
        return { rows: [{ kind: 'call', id: 'ModifyInstanceParam', result: 'succeeded', state: 'sent' }], line: 'sent' }
      },
    }
    const plan: WaitPlan = {
      startedAt: 0,
      timeoutMs: 60_000,
      hardEndMs: 61_000,
      schedule: fixedSchedule(1000),
      pace: createPace(clock.now),
      signal: new AbortController().signal,
    }
    return {
      run: () => poll(probe, plan, { now: clock.now, sleep: clock.sleep, random: () => 0.5, log: () => undefined }),
      sends: () => sends,
    }
  }

  it.each([
    { name: 'an HTTP 502', error: new HttpStatusError('ModifyInstanceParam', 'h', 502, undefined) },
    { name: 'InternalError', error: new ApiError('ModifyInstanceParam', 'InternalError', 'x', 'r') },
    { name: 'a timeout after sending', error: new NetworkError('no answer', 'RequestTimeout', 'h', false) },
    { name: 'a reset', error: new NetworkError('reset', 'ECONNRESET', 'h', false) },
    { name: 'a garbled answer', error: new UnexpectedResponseError('not JSON') },
    {
      name: 'a quota (LimitExceeded.*): refused, and asking again does not help',
      error: new ApiError('ModifyInstanceParam', 'LimitExceeded.UserInstanceLimit', 'x', 'r'),
    },
  ])('ends after one send on $name', async ({ error }) => {
    const { run, sends } = sentOnce([error])
    const outcome = await run()
    expect(outcome.end).toBe('error')
    expect(sends()).toBe(1)
  })

  it.each([
    { name: 'throttled', error: new ApiError('ModifyInstanceParam', 'RequestLimitExceeded', 'x', 'r') },
    { name: 'refused before connecting', error: new NetworkError('refused', 'ECONNREFUSED', 'h', true) },
    {
      name: 'a clock just corrected',
      error: Object.assign(new ApiError('ModifyInstanceParam', 'AuthFailure.SignatureExpire', 'x', 'r'), {
        clockCorrected: true,
      }),
    },
  ])('sends again when the failure proves it was not carried out: $name', async ({ error }) => {
    const { run, sends } = sentOnce([error])
    const outcome = await run()
    expect(outcome.end).toBe('done')
    expect(sends()).toBe(2)
  })
})

describe('waitForAll: fail fast', () => {
  it('stops every other probe once one fails, naming it', async () => {
    const clock = fakeClock(0)
    const lines: string[] = []
    const failing = scripted(clock, [2, 1])
    const running = scripted(clock, [2])
    const outcomes = await waitForAll(
      [flowProbe('1', failing.api), flowProbe('2', running.api)],
      {
        startedAt: 0,
        timeoutMs: 60_000,
        hardEndMs: 61_000,
        schedule: fixedSchedule(1000),
        pace: createPace(clock.now),
        signal: new AbortController().signal,
      },
      { now: clock.now, sleep: clock.sleep, random: () => 0.5, log: (l) => lines.push(l) },
    )
    expect(outcomes.map((o) => o.end)).toEqual(['done', 'stopped'])
    expect(outcomes[1]?.stoppedBy).toBe('Flow 1')
    expect(lines).toContain('Flow 1 ended the wait: not waiting for the rest')
  })
})
