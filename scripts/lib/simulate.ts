// A flow waited for on a fake clock by the real engine (src/poll.ts) and flow probe, with instant answers: how late
// its end is seen and how many DescribeFlow calls it took. The bench's table and the schedule's tests use it.
import type { StepApi } from '../../src/api.ts'
import { poll } from '../../src/wait/poll.ts'
import { flowProbe } from '../../src/probes/flow.ts'
import type { Schedule } from '../../src/wait/schedule.ts'
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
    { startedAt: 0, timeoutMs, hardEndMs: timeoutMs + 15_000, schedule, signal: new AbortController().signal },
    { now: clock.now, sleep: clock.sleep, random: () => 0.5, log: () => undefined },
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
): Promise<{ worstMs: number; goalMs: number; metGoal: boolean }> {
  let worst = { worstMs: 0, goalMs: lateGoalMs(fromMs), ratio: -1 }
  let metGoal = true
  for (let i = 0; i < samples; i++) {
    const endsAt = fromMs + ((toMs - fromMs) * i) / Math.max(1, samples - 1)
    const lateMs = (await simulateFlow(endsAt, schedule, toMs * 2 + 60_000)).lateMs ?? Number.POSITIVE_INFINITY
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
