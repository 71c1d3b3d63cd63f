// The waiting engine: the one loop that waits for anything. It owns the deadline (the last round goes out at the
// deadline even when the timer wakes late), the schedule, the retry policy (retry.ts), cancellation and fail-fast,
// the request budget and the counting. What it waits for is a probe (probe.ts). Clock, sleep and randomness come
// in as parameters, so tests drive the engine on a fake clock.
import type { RequestBudget } from '../budget.ts'
import { formatDuration } from '../duration.ts'
import { answeredRequestId, createRetryTracker, isTransient } from '../retry.ts'
import { requestCount } from '../words.ts'
import type { Pace } from './pace.ts'
import { endsTheWait, rowName, type Probe, type ProbeOutcome, type WaitEnd } from './probe.ts'
import { drawGapMs, type Schedule } from './schedule.ts'

export interface WaitPlan {
  /** When the step's wait began, on the `now` clock: every probe of a step shares one deadline. */
  readonly startedAt: number
  readonly timeoutMs: number
  /** No request starts after startedAt + this (timeout + request-timeout): the last round may start late. */
  readonly hardEndMs: number
  readonly schedule: Schedule
  /** The step's pace, shared by all its probes: widened while the account refuses requests for the rate. */
  readonly pace: Pace
  /** Cancellation, or a StopWaiting reason once another probe of the step ended the wait. */
  readonly signal: AbortSignal
}

export interface PollDeps {
  /** Milliseconds, monotonic. */
  readonly now: () => number
  /** Resolves after ms; rejects when the signal aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly random: () => number
  readonly log: (message: string) => void
  readonly debug?: ((message: string) => void) | undefined
}

/** The abort reason when one probe's end ends the wait for all: the step fails anyway, so waiting costs minutes. */
export class StopWaiting extends Error {
  override name = 'StopWaiting'
  readonly by: string
  constructor(by: string) {
    super(`${by} ended the wait`)
    this.by = by
  }
}

/** A line every this often while nothing changes, so a long wait shows it is alive. */
export const PROGRESS_EVERY_MS = 30_000

/** Waits for one probe until every row succeeded, one failed, the timeout, a final error, or a stop. */
export async function poll<T>(probe: Probe<T>, plan: WaitPlan, deps: PollDeps): Promise<ProbeOutcome<T>> {
  const { signal } = plan
  const start = plan.startedAt
  const deadline = start + plan.timeoutMs
  const retries = createRetryTracker(deps.random, probe.retryable ?? isTransient)
  let sent = 0 // requests this probe's rounds sent, counted by the step's API as they go out
  const budget: RequestBudget = { signal, notAfter: start + plan.hardEndMs, sent: () => (sent += 1) }
  let rows = probe.rows
  let requestId: string | undefined
  let found: T | undefined
  let said = ''
  let saidAt = start
  let lastRound = false

  const since = (): string => formatDuration(deps.now() - start)
  /** The schedule's gap after a round at `at`, drawn: the floor of the pace. */
  const scheduledAt = (at: number): number => drawGapMs(plan.schedule, at - start, deps.random)
  const finish = (end: WaitEnd, error?: Error, stoppedBy?: string): ProbeOutcome<T> => ({
    name: probe.name,
    rows,
    end,
    error,
    stoppedBy,
    requests: sent,
    requestId,
    elapsedMs: deps.now() - start,
    found,
  })
  /** Stopped or cancelled; `during` is the failure of the round under way, kept to say how far it came. */
  const aborted = (during?: unknown): ProbeOutcome<T> => {
    const error = during instanceof Error ? during : undefined
    return signal.reason instanceof StopWaiting
      ? finish('stopped', error, signal.reason.by)
      : finish('cancelled', error)
  }

  for (;;) {
    const roundAt = deps.now()
    let nextAt: number
    try {
      const reading = await probe.check(budget)
      rows = reading.rows
      requestId = reading.requestId ?? requestId
      found = reading.found ?? found
      retries.succeeded()
      // a line when the state changed, and every PROGRESS_EVERY_MS while it did not
      if (reading.line !== said || deps.now() - saidAt >= PROGRESS_EVERY_MS) {
        deps.log(`${reading.line}${reading.progress ?? ''} after ${since()} (${requestCount(sent)})`)
        said = reading.line
        saidAt = deps.now()
      }
      const failed = rows.find((row) => row.result === 'failed')
      if (failed) {
        deps.debug?.(`${probe.name}: ${rowName(failed)} failed: the wait ends`)
        return finish('done')
      }
      if (rows.every((row) => row.result === 'succeeded')) {
        deps.debug?.(`${probe.name}: done`)
        return finish('done')
      }
      nextAt = roundAt + plan.pace.gapMs(scheduledAt(roundAt), deps.random)
    } catch (caught) {
      const now = deps.now()
      const next = retries.failed(caught, { aborted: signal.aborted, now, deadline })
      if (next.kind === 'aborted') return aborted(caught)
      // no request slot before the hard end: nothing was sent
      if (next.kind === 'deadline') return finish('timeout', retries.lastError())
      const { error } = next
      requestId = answeredRequestId(error) ?? requestId
      if (next.kind === 'final') {
        deps.debug?.(`${probe.name}: ${error.name}: final, not retried`)
        return finish('error', error)
      }
      if (next.kind === 'past-deadline') {
        deps.log(
          `${probe.name}: request ${sent} failed: ${error.message}; the server asks to wait ${formatDuration(next.delayMs)}, past the timeout, so the wait ends here`,
        )
        return finish('timeout', error)
      }
      // refused for the rate: the step's pace, just widened, says when, not the backoff of a fault
      const delayMs = next.throttled ? plan.pace.retryMs(scheduledAt(now), deps.random) : next.delayMs
      if (!next.clockCorrection) {
        deps.log(
          `${probe.name}: request ${sent} failed (${retries.inARow()} in a row): ${error.message}; retrying in ${formatDuration(delayMs)}`,
        )
        saidAt = now
      }
      nextAt = now + delayMs
    }

    // A round that ended at or past the deadline was the last: it is the freshest answer there will be.
    if (lastRound || deps.now() >= deadline) return finish('timeout', retries.lastError())
    if (nextAt >= deadline) {
      nextAt = deadline // the last round goes out at the deadline itself, however late the timer wakes
      lastRound = true
    }
    deps.debug?.(`${probe.name}: next round in ${formatDuration(Math.max(0, nextAt - deps.now()))}`)
    try {
      await deps.sleep(Math.max(0, nextAt - deps.now()), signal)
    } catch {
      // cancelled while waiting to retry: the failure before says how far the round came
      return aborted(retries.lastError())
    }
  }
}

/**
 * Every probe at once, on one plan. The first that fails or meets a final error ends the wait for all: the step
 * fails anyway, and waiting on costs runner minutes.
 */
export async function waitForAll(
  probes: readonly Probe<unknown>[],
  plan: WaitPlan,
  deps: PollDeps,
): Promise<ProbeOutcome[]> {
  const stop = new AbortController()
  const signal = AbortSignal.any([plan.signal, stop.signal])
  return Promise.all(
    probes.map(async (probe) => {
      const outcome = await poll(probe, { ...plan, signal }, deps)
      if (!signal.aborted && endsTheWait(outcome)) {
        const failed = outcome.rows.find((row) => row.result === 'failed')
        const by = failed ? rowName(failed) : probe.name
        if (probes.length > 1) deps.log(`${by} ended the wait: not waiting for the rest`)
        stop.abort(new StopWaiting(by))
      }
      return outcome
    }),
  )
}
