// Polling one task flow until it ends, the timeout passes, or the step is cancelled.
// Clock, sleep and randomness come in as parameters, so tests drive this loop on a fake clock.
import { formatDuration } from './duration.ts'
import { forLog } from './foreign-text.ts'
import { answeredRequestId, createRetryTracker } from './retry.ts'
import type { Schedule } from './schedule.ts'
import { progressText, taskLabel, type TaskDetails } from './tasks.ts'
import { FLOW_STATUS, type FlowAnswer, type FlowStatus } from './tencent/cynosdb.ts'
import type { CallError, RequestTrace } from './tencent/errors.ts'

export interface DescribeFlowCall {
  readonly signal: AbortSignal
  /** No request may start after this time (the `now` clock): the call rejects with DeadlineError instead. */
  readonly notAfter: number
}

export interface WaitDeps {
  /** One DescribeFlow request, through the step's rate limiter. */
  readonly describeFlow: (flowId: string, call: DescribeFlowCall) => Promise<FlowAnswer>
  /** Milliseconds, monotonic enough for measuring waits. */
  readonly now: () => number
  /** Resolves after ms; rejects when the signal aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly random: () => number
  readonly log: (message: string) => void
  /** Step debug logging: one line per request with what it did and what comes next. */
  readonly debug?: ((message: string) => void) | undefined
  /** Task details for a status (tasks.ts): looked up when due, never throws. */
  readonly observeTask?:
    ((flowId: string, status: FlowStatus, call: DescribeFlowCall) => Promise<TaskDetails | undefined>) | undefined
}

export interface WaitOptions {
  readonly timeoutMs: number
  readonly schedule: Schedule
  /** Aborted by cancellation, or with a StopWaiting reason when another flow of the step ended the wait. */
  readonly signal: AbortSignal
  /** When the step's wait began (shared by all flows of a step); defaults to now. */
  readonly startedAt?: number
}

/** The abort reason when one flow's end ends the wait for all: the step fails anyway, so waiting costs minutes. */
export class StopWaiting extends Error {
  override name = 'StopWaiting'
  readonly byFlowId: string
  constructor(byFlowId: string) {
    super(`flow ${byFlowId} ended the wait`)
    this.byFlowId = byFlowId
  }
}

/**
 * How the wait ended: the flow ended (`done`); the timeout, cancellation or a final API error came first; or
 * another flow of the step failed and the wait was `stopped`.
 */
export type WaitEnd = 'done' | 'timeout' | 'cancelled' | 'stopped' | 'error'

/** How any wait of the step ended: what flows and purchases have in common. */
export interface WaitRecord {
  /** The RequestId of the last answer, error answers included. */
  readonly requestId: string | undefined
  /** Calls made, failed ones included (not those the deadline or a stop kept from going out). */
  readonly polls: number
  readonly elapsedMs: number
  readonly end: WaitEnd
  /** `error`: the final error. `timeout`: the failure of the last call, if it failed. */
  readonly error: Error | undefined
  /** `stopped`: what ended the wait. */
  readonly stoppedBy?: string | undefined
}

export interface FlowOutcome extends WaitRecord {
  /** The flow's ID; for a purchase (report.ts), an instance ID or the deal names. */
  readonly flowId: string
  /** Absent for a flow; a purchase's instance, or its deals while they are not delivered. */
  readonly kind?: 'instance' | 'deal' | undefined
  /** An instance's own status word (creating, running, isolated…). */
  readonly instanceStatus?: string | undefined
  /** The last status DescribeFlow reported; undefined when no call ever got an answer. */
  readonly status: FlowStatus | undefined
  /** What the flow's task said last, when DescribeTasks could tell. */
  readonly task?: TaskDetails | undefined
}

export const RESULT_NAMES = ['succeeded', 'failed', 'processing'] as const
export type ResultName = (typeof RESULT_NAMES)[number]
export const resultName = (status: FlowStatus): ResultName => RESULT_NAMES[status]

/** A line every this often while a flow keeps processing, so a long wait shows it is alive. */
export const PROGRESS_EVERY_MS = 30_000

const describeTrace = (t: RequestTrace): string =>
  `${t.action} → ${t.host}: ${t.httpStatus === undefined ? 'no HTTP answer' : `HTTP ${t.httpStatus}`}` +
  `${t.requestId ? `, RequestId ${forLog(t.requestId)}` : ''}, ${Math.round(t.latencyMs)} ms`

export async function waitForFlow(flowId: string, options: WaitOptions, deps: WaitDeps): Promise<FlowOutcome> {
  const { signal } = options
  const start = options.startedAt ?? deps.now()
  const deadline = start + options.timeoutMs
  let status: FlowStatus | undefined
  let requestId: string | undefined
  let polls = 0
  const retries = createRetryTracker(deps.random)
  let lastLineAt = start
  let task: TaskDetails | undefined

  const since = (): string => formatDuration(deps.now() - start)
  const finish = (end: WaitEnd, error?: Error): FlowOutcome => ({
    flowId,
    status,
    requestId,
    polls,
    elapsedMs: deps.now() - start,
    end,
    error,
    stoppedBy: end === 'stopped' && signal.reason instanceof StopWaiting ? signal.reason.byFlowId : undefined,
    task,
  })
  const said = (what: string): string =>
    `Flow ${flowId}${taskLabel(task)}: ${what}${status === FLOW_STATUS.processing ? progressText(task) : ''}`
  const aborted = (): FlowOutcome => finish(signal.reason instanceof StopWaiting ? 'stopped' : 'cancelled')

  for (;;) {
    const pollAt = deps.now()
    let nextAt: number
    try {
      const answer = await deps.describeFlow(flowId, { signal, notAfter: deadline })
      polls += 1
      const changed = answer.status !== status
      ;({ status, requestId } = answer)
      task = (await deps.observeTask?.(flowId, answer.status, { signal, notAfter: deadline })) ?? task
      if (changed) {
        deps.log(`${said(resultName(answer.status))} after ${since()} (${polls} ${polls === 1 ? 'call' : 'calls'})`)
        lastLineAt = deps.now()
      }
      retries.succeeded()
      const ended = status !== FLOW_STATUS.processing
      nextAt = pollAt + options.schedule(pollAt - start)
      if (answer.trace) {
        const next = ended ? 'done' : `next poll in ${formatDuration(Math.max(0, nextAt - deps.now()))}`
        deps.debug?.(`Flow ${flowId}: ${describeTrace(answer.trace)}: Status ${status}; ${next}`)
      }
      if (ended) return finish('done')
    } catch (caught) {
      const now = deps.now()
      const next = retries.failed(caught, { aborted: signal.aborted, now, deadline })
      if (next.kind === 'aborted') {
        if (next.sent) polls += 1 // the request went out before the wait stopped
        return aborted() // else it was stopped while waiting for the rate limiter: nothing was sent
      }
      // no slot before the deadline: nothing was sent
      if (next.kind === 'deadline') return finish('timeout', retries.lastError())
      polls += 1 // a call that failed, whether it got an answer or not
      const { error } = next
      requestId = answeredRequestId(error) ?? requestId
      const trace = (error as CallError).trace
      const traced = (decision: string): void => {
        if (trace) deps.debug?.(`Flow ${flowId}: ${describeTrace(trace)}: ${error.name}; ${decision}`)
      }
      if (next.kind === 'final') {
        traced('final, not retried')
        return finish('error', error)
      }
      if (next.kind === 'past-deadline') {
        traced(`the server asks for ${formatDuration(next.delayMs)} (Retry-After), past the timeout: not retried`)
        deps.log(
          `Flow ${flowId}: call ${polls} failed: ${error.message}; the server asks to wait past the timeout, so the wait ends here`,
        )
        return finish('timeout', error)
      }
      traced(`retry in ${formatDuration(next.delayMs)}`)
      if (!next.clockCorrection) {
        deps.log(
          `Flow ${flowId}: call ${polls} failed (${retries.inARow()} in a row): ${error.message}; retrying in ${formatDuration(next.delayMs)}`,
        )
        lastLineAt = now
      }
      nextAt = now + next.delayMs
    }

    const now = deps.now()
    if (now >= deadline) return finish('timeout', retries.lastError())
    if (now - lastLineAt >= PROGRESS_EVERY_MS && status !== undefined) {
      deps.log(`${said(`still ${resultName(status)}`)} after ${since()} (${polls} calls)`)
      lastLineAt = now
    }
    try {
      // Never sleep past the deadline: the last call goes out at the deadline itself.
      await deps.sleep(Math.max(0, Math.min(nextAt, deadline) - now), signal)
    } catch {
      return aborted()
    }
  }
}
