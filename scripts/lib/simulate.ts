// Flows waited for on a fake clock by the real engine (src/wait/poll.ts), pace and flow probe: one flow with instant
// answers (how late its end is seen and how many DescribeFlow calls it took), and many steps sharing one account's
// rate limit, each through its own real transport and limiter. The bench's tables and the tests use them.
import { Agent } from 'undici'
import type { StepApi } from '../../src/api.ts'
import { createTransport } from '../../src/transport.ts'
import { ApiError } from '../../src/tencent/errors.ts'
import { createPace } from '../../src/wait/pace.ts'
import { poll } from '../../src/wait/poll.ts'
import { flowProbe } from '../../src/probes/flow.ts'
import { adaptiveSchedule, type Schedule } from '../../src/wait/schedule.ts'
import { eventClock } from './event-clock.ts'
import { fakeClock } from './fake-clock.ts'

export interface Simulated {
  /** From the flow's end to the first answer that says so; undefined when it was not seen within the timeout. */
  readonly lateMs: number | undefined
  readonly requests: number
}

/** A flow that ends `endsAtMs` after the step starts (Infinity: never), waited for at most `timeoutMs`. */
export async function simulateFlow(
  endsAtMs: number,
  schedule: Schedule,
  timeoutMs = 24 * 3600_000,
  random: () => number = () => 0.5,
): Promise<Simulated> {
  const clock = fakeClock(0)
  let seenAt: number | undefined
  const api: Pick<StepApi, 'describeFlow'> = {
    describeFlow: async (_id, budget) => {
      budget.sent?.()
      const done = clock.now() >= endsAtMs
      if (done) seenAt ??= clock.now()
      return { value: done ? 0 : 2, requestId: undefined, trace: { action: 'DescribeFlow', host: 'sim', latencyMs: 0 } }
    },
  }
  const outcome = await poll(
    flowProbe('1', api),
    {
      startedAt: 0,
      timeoutMs,
      hardEndMs: timeoutMs + 15_000,
      schedule,
      pace: createPace(clock.now),
      signal: new AbortController().signal,
    },
    { now: clock.now, sleep: clock.sleep, random, log: () => undefined },
  )
  return { lateMs: seenAt === undefined ? undefined : seenAt - endsAtMs, requests: outcome.requests }
}

/** The goal: a flow's end is seen at most max(1.5 s, 10% of its length) after it ended. */
export const lateGoalMs = (flowMs: number): number => Math.max(1500, flowMs / 10)

/**
 * Flows ending at `samples` points evenly across [fromMs, toMs]: the one seen latest for its length (the highest
 * lateness over goal), its lateness and goal, and whether every one was seen within the goal for its own length.
 */
export async function lateness(
  fromMs: number,
  toMs: number,
  schedule: Schedule,
  samples = 50,
  random?: () => number,
): Promise<{ worstMs: number; goalMs: number; metGoal: boolean }> {
  let worst = { worstMs: 0, goalMs: lateGoalMs(fromMs), ratio: -1 }
  let metGoal = true
  for (let i = 0; i < samples; i++) {
    const endsAt = fromMs + ((toMs - fromMs) * i) / Math.max(1, samples - 1)
    const lateMs = (await simulateFlow(endsAt, schedule, toMs * 2 + 60_000, random)).lateMs ?? Number.POSITIVE_INFINITY
    const goalMs = lateGoalMs(endsAt)
    if (lateMs / goalMs > worst.ratio) worst = { worstMs: lateMs, goalMs, ratio: lateMs / goalMs }
    metGoal &&= lateMs <= goalMs
  }
  return { worstMs: worst.worstMs, goalMs: worst.goalMs, metGoal }
}

/** DescribeFlow calls a minute that a flow still running costs between minute `from` and minute `to`. */
export async function callsPerMinute(schedule: Schedule, from = 10, to = 30): Promise<number> {
  const upTo = async (minutes: number): Promise<number> =>
    (await simulateFlow(Number.POSITIVE_INFINITY, schedule, minutes * 60_000)).requests
  return ((await upTo(to)) - (await upTo(from))) / (to - from)
}

/** A seeded random source (mulberry32): the same simulation every time. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export interface AccountOptions {
  /** Steps started together, each waiting for one flow. */
  readonly steps: number
  /** Each flow ends this long after its step started. */
  readonly flowMs: number
  /** The account's limit: at most `limit` requests let through in any `windowMs`; the rest are refused. */
  readonly limit?: number
  readonly windowMs?: number
  /** The steps start within this long of each other (runners do not start to the millisecond). */
  readonly startSpreadMs?: number
  /** From a request's start to its arrival, and again from there to its answer. */
  readonly halfLatencyMs?: number
  readonly schedule?: Schedule
  readonly timeoutMs?: number
  readonly seed?: number
}

export interface AccountRun {
  /** Steps whose flow was not seen to succeed. */
  readonly failed: number
  readonly requests: number
  readonly throttled: number
  /** Refused in the first second of the run: every step polling at once. */
  readonly throttledFirstSecond: number
  /** From each flow's end to the first answer that said so, by step. */
  readonly lateMs: readonly number[]
  /** Requests let through a second, over the run. */
  readonly ratePerSecond: number
  /** The most let through in any one window. */
  readonly busiestWindow: number
}

/**
 * N steps against one account's rate limit, on one fake clock: each step the real engine, pace, transport (with
 * its limiter) and flow probe; the account lets `limit` requests through in any window and answers
 * RequestLimitExceeded past that, as the real API does.
 */
export async function simulateAccount(options: AccountOptions): Promise<AccountRun> {
  const { steps, flowMs, limit = 20, windowMs = 1000, startSpreadMs = 0, halfLatencyMs = 25 } = options
  const timeoutMs = options.timeoutMs ?? flowMs * 3 + 60_000
  const clock = eventClock(0)
  const random = seeded(options.seed ?? 1)
  const letThrough: number[] = [] // arrival times of the requests the account answered
  let requests = 0
  let throttled = 0
  let throttledFirstSecond = 0
  let busiestWindow = 0
  let lastAt = 0
  const dispatcher = new Agent()

  async function step(index: number): Promise<{ lateMs: number | undefined; succeeded: boolean }> {
    const startedAt = clock.now()
    const endsAt = startedAt + flowMs
    let seenAt: number | undefined
    const pace = createPace(clock.now)
    const transport = createTransport({
      dispatcher,
      pace,
      now: clock.now,
      hardEnd: startedAt + timeoutMs + 10_000,
      timeoutMs,
      requestTimeoutMs: 10_000,
      sleep: clock.sleep,
      debug: undefined,
    })
    const api: Pick<StepApi, 'describeFlow'> = {
      describeFlow: (_flowId, budget) =>
        transport.tencent('sim', budget, async (signal) => {
          await clock.sleep(halfLatencyMs, signal)
          const at = clock.now()
          requests += 1
          while ((letThrough[0] ?? Number.POSITIVE_INFINITY) <= at - windowMs) letThrough.shift()
          const refused = letThrough.length >= limit
          if (!refused) letThrough.push(at)
          busiestWindow = Math.max(busiestWindow, letThrough.length)
          lastAt = at
          await clock.sleep(halfLatencyMs, signal)
          const trace = { action: 'DescribeFlow', host: 'sim', latencyMs: 2 * halfLatencyMs }
          if (refused) {
            throttled += 1
            if (at < 1000 + startSpreadMs) throttledFirstSecond += 1
            throw new ApiError(
              'DescribeFlow',
              'RequestLimitExceeded',
              'Your current request times equals to `20` in a second',
              `sim-${requests}`,
            )
          }
          const done = at >= endsAt
          if (done) seenAt ??= clock.now()
          return { value: done ? 0 : 2, requestId: `sim-${requests}`, trace }
        }),
    }
    const outcome = await poll(
      flowProbe(String(index + 1), api),
      {
        startedAt,
        timeoutMs,
        hardEndMs: timeoutMs + 10_000,
        schedule: options.schedule ?? adaptiveSchedule,
        pace,
        signal: new AbortController().signal,
      },
      { now: clock.now, sleep: clock.sleep, random, log: () => undefined },
    )
    return {
      lateMs: seenAt === undefined ? undefined : seenAt - endsAt,
      succeeded: outcome.rows.every((row) => row.result === 'succeeded'),
    }
  }

  const started = Promise.all(
    Array.from({ length: steps }, async (_, i) => {
      await clock.sleep(Math.floor(random() * startSpreadMs), new AbortController().signal)
      return step(i)
    }),
  )
  const results = await clock.run(started)
  await dispatcher.close()
  const accepted = requests - throttled
  return {
    failed: results.filter((r) => !r.succeeded).length,
    requests,
    throttled,
    throttledFirstSecond,
    lateMs: results.map((r) => r.lateMs ?? Number.POSITIVE_INFINITY),
    ratePerSecond: accepted / Math.max(1, lastAt / 1000),
    busiestWindow,
  }
}
