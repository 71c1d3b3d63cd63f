// The waiting engine: the one loop that waits for anything. It owns the deadline (the last round goes out at the
// deadline even when the timer wakes late), the schedule, the retry policy (retry.ts), cancellation and fail-fast,
// the call budget and the counting. What it waits for is a probe: a small object whose `check` makes the calls
// of one round and reads their answers into rows (probes/). Clock, sleep and randomness come in as parameters,
// so tests drive the engine on a fake clock.
import type { CallBudget } from './api.ts'
import { formatDuration } from './duration.ts'
import { answeredRequestId, createRetryTracker, isTransient } from './retry.ts'
import type { Schedule } from './schedule.ts'

/** What the step says of a thing it waits for; `unknown` when no answer ever said anything of it. */
export const RESULTS = ['succeeded', 'failed', 'processing', 'unknown'] as const
export type Result = (typeof RESULTS)[number]

/** What a step may wait for: a task flow, a task, a purchase's deal or instance, or the change it sent. */
export type RowKind = 'flow' | 'task' | 'deal' | 'instance' | 'call'

/** What a task says of itself (DescribeTasks): shown beside flows and tasks. Text is foreign: neutralise it. */
export interface TaskDetails {
  readonly taskType: string
  /** The instance the task works on, else its cluster. */
  readonly target: string
  readonly progress: number | undefined
  readonly errMsg: string
}

/** One thing waited for, as the last answer about it said. */
export interface Row {
  readonly kind: RowKind
  readonly id: string
  readonly result: Result
  /** What it is doing, in words: `processing`, an instance's `creating`, a task's status, `not listed yet`. */
  readonly state: string
  /** Why it failed, in the API's words (neutralised where it is shown). */
  readonly cause?: string | undefined
  readonly task?: TaskDetails | undefined
  /** What it belongs to: an instance's cluster, a task's flow. */
  readonly parent?: string | undefined
}

/** What one round of a probe found. */
export interface Reading {
  /** A fresh view of every row: nothing is carried over from earlier answers. */
  readonly rows: readonly Row[]
  /** The state in words, e.g. `Flow 123 (ModifyInstance on …): processing`; logged whenever it changes. */
  readonly line: string
  /** Said after the line but not compared: progress, e.g. `, 40%`. */
  readonly progress?: string | undefined
  /** The RequestId of the round's last answer. */
  readonly requestId?: string | undefined
}

export interface Probe {
  /** For log lines: `Flow 123`, `Deal d1`, `Tasks 1, 2`. */
  readonly name: string
  /** What it waits for, before any answer. */
  readonly rows: readonly Row[]
  /** One round: its calls, within the budget, and what their answers say. Throws the failure of a call. */
  check(call: CallBudget): Promise<Reading>
  /** Whether a failed round may be tried again: isTransient for reads; a change is sent at most once. */
  readonly retryable?: ((error: unknown) => boolean) | undefined
}

/** How the wait for a probe ended. */
export type WaitEnd = 'done' | 'timeout' | 'cancelled' | 'stopped' | 'error'

export interface ProbeOutcome {
  readonly name: string
  readonly rows: readonly Row[]
  readonly end: WaitEnd
  /** `error`: the final error. `timeout`: the failure of the last round, if it failed. */
  readonly error: Error | undefined
  /** `stopped`: which row or probe ended the wait. */
  readonly stoppedBy: string | undefined
  /** Tencent Cloud requests this probe sent, failed ones included. */
  readonly calls: number
  /** The RequestId of the last answer, error answers included. */
  readonly requestId: string | undefined
  readonly elapsedMs: number
}

export interface WaitPlan {
  /** When the step's wait began, on the `now` clock: every probe of a step shares one deadline. */
  readonly startedAt: number
  readonly timeoutMs: number
  /** No request starts after startedAt + this (timeout + request-timeout): the last round may start late. */
  readonly hardEndMs: number
  readonly schedule: Schedule
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

/** `1 call`, `3 calls`: the calls of a wait, as its log lines and messages count them. */
export const callCount = (n: number): string => `${n} ${n === 1 ? 'call' : 'calls'}`

/** A row's name in messages: `Flow 123`, `Instance cynosdbmysql-ins-…`. */
export const rowName = (row: Pick<Row, 'kind' | 'id'>): string =>
  `${row.kind.charAt(0).toUpperCase()}${row.kind.slice(1)} ${row.id}`

/** Waits for one probe until every row succeeded, one failed, the timeout, a final error, or a stop. */
export async function poll(probe: Probe, plan: WaitPlan, deps: PollDeps): Promise<ProbeOutcome> {
  const { signal } = plan
  const start = plan.startedAt
  const deadline = start + plan.timeoutMs
  const retries = createRetryTracker(deps.random, probe.retryable ?? isTransient)
  let sent = 0 // requests this probe's rounds sent, counted by the step's API as they go out
  const budget: CallBudget = { signal, notAfter: start + plan.hardEndMs, sent: () => (sent += 1) }
  let rows = probe.rows
  let requestId: string | undefined
  let said = ''
  let saidAt = start
  let lastRound = false

  const since = (): string => formatDuration(deps.now() - start)
  const finish = (end: WaitEnd, error?: Error, stoppedBy?: string): ProbeOutcome => ({
    name: probe.name,
    rows,
    end,
    error,
    stoppedBy,
    calls: sent,
    requestId,
    elapsedMs: deps.now() - start,
  })
  const aborted = (): ProbeOutcome =>
    signal.reason instanceof StopWaiting ? finish('stopped', undefined, signal.reason.by) : finish('cancelled')

  for (;;) {
    const roundAt = deps.now()
    let nextAt: number
    try {
      const reading = await probe.check(budget)
      rows = reading.rows
      requestId = reading.requestId ?? requestId
      retries.succeeded()
      // a line when the state changed, and every PROGRESS_EVERY_MS while it did not
      if (reading.line !== said || deps.now() - saidAt >= PROGRESS_EVERY_MS) {
        deps.log(`${reading.line}${reading.progress ?? ''} after ${since()} (${callCount(sent)})`)
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
      nextAt = roundAt + plan.schedule(roundAt - start)
    } catch (caught) {
      const now = deps.now()
      const next = retries.failed(caught, { aborted: signal.aborted, now, deadline })
      if (next.kind === 'aborted') return aborted()
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
          `${probe.name}: call ${sent} failed: ${error.message}; the server asks to wait ${formatDuration(next.delayMs)}, past the timeout, so the wait ends here`,
        )
        return finish('timeout', error)
      }
      if (!next.clockCorrection) {
        deps.log(
          `${probe.name}: call ${sent} failed (${retries.inARow()} in a row): ${error.message}; retrying in ${formatDuration(next.delayMs)}`,
        )
        saidAt = now
      }
      nextAt = now + next.delayMs
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
      return aborted()
    }
  }
}

/** A probe's end that ends the wait for every probe of the step: a failure, or a final error. */
export const endsTheWait = (outcome: ProbeOutcome): boolean =>
  outcome.end === 'error' || outcome.rows.some((row) => row.result === 'failed')

/**
 * Every probe at once, on one plan. The first that fails or meets a final error ends the wait for all: the step
 * fails anyway, and waiting on costs runner minutes.
 */
export async function waitForAll(
  probes: readonly Probe[],
  plan: WaitPlan,
  deps: PollDeps,
): Promise<readonly ProbeOutcome[]> {
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
