// Polling one task flow until it ends, the timeout passes, or the step is cancelled.
// Clock, sleep and randomness come in as parameters, so tests drive this loop on a fake clock.
import { formatDuration } from './duration.ts'
import { backoffDelayMs, isTransient } from './retry.ts'
import type { Schedule } from './schedule.ts'
import { FLOW_STATUS, type FlowAnswer, type FlowStatus } from './tencent/cynosdb.ts'

export interface WaitDeps {
  readonly describeFlow: (flowId: string, signal: AbortSignal) => Promise<FlowAnswer>
  /** Milliseconds, monotonic enough for measuring waits. */
  readonly now: () => number
  /** Resolves after ms; rejects when the signal aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly random: () => number
  readonly log: (message: string) => void
}

export interface WaitOptions {
  readonly timeoutMs: number
  readonly schedule: Schedule
  readonly signal: AbortSignal
  /** When the step's wait began (shared by all flows of a step); defaults to now. */
  readonly startedAt?: number
}

/** How the wait ended: the flow ended (`done`), or the timeout, cancellation or a final API error came first. */
export type WaitEnd = 'done' | 'timeout' | 'cancelled' | 'error'

export interface FlowOutcome {
  readonly flowId: string
  /** The last status DescribeFlow reported; undefined when no call ever got an answer. */
  readonly status: FlowStatus | undefined
  readonly requestId: string | undefined
  /** DescribeFlow calls made, failed ones included. */
  readonly polls: number
  readonly elapsedMs: number
  readonly end: WaitEnd
  /** `error`: the final API error. `timeout`: the failure of the last call, if it failed. */
  readonly error: Error | undefined
}

export const RESULT_NAMES = ['succeeded', 'failed', 'processing'] as const
export type ResultName = (typeof RESULT_NAMES)[number]
export const resultName = (status: FlowStatus): ResultName => RESULT_NAMES[status]

/** A line every this often while a flow keeps processing, so a long wait shows it is alive. */
export const PROGRESS_EVERY_MS = 30_000

export async function waitForFlow(flowId: string, options: WaitOptions, deps: WaitDeps): Promise<FlowOutcome> {
  const { signal } = options
  const start = options.startedAt ?? deps.now()
  const deadline = start + options.timeoutMs
  let status: FlowStatus | undefined
  let requestId: string | undefined
  let polls = 0
  let failuresInARow = 0
  let lastError: Error | undefined
  let lastLineAt = start

  const since = (): string => formatDuration(deps.now() - start)
  const finish = (end: WaitEnd, error?: Error): FlowOutcome => ({
    flowId,
    status,
    requestId,
    polls,
    elapsedMs: deps.now() - start,
    end,
    error,
  })

  for (;;) {
    const pollAt = deps.now()
    let nextAt: number
    polls += 1
    try {
      const answer = await deps.describeFlow(flowId, signal)
      if (answer.status !== status) {
        deps.log(
          `Flow ${flowId}: ${resultName(answer.status)} after ${since()} (${polls} ${polls === 1 ? 'call' : 'calls'})`,
        )
        lastLineAt = deps.now()
      }
      ;({ status, requestId } = answer)
      failuresInARow = 0
      lastError = undefined
      if (status !== FLOW_STATUS.processing) return finish('done')
      nextAt = pollAt + options.schedule(pollAt - start)
    } catch (caught) {
      if (signal.aborted) return finish('cancelled')
      const error = caught instanceof Error ? caught : new Error(String(caught))
      if (!isTransient(error)) return finish('error', error)
      failuresInARow += 1
      lastError = error
      const delay = backoffDelayMs(failuresInARow, deps.random)
      deps.log(
        `Flow ${flowId}: call ${polls} failed (${failuresInARow} in a row): ${error.message}; retrying in ${formatDuration(delay)}`,
      )
      lastLineAt = deps.now()
      nextAt = deps.now() + delay
    }

    const now = deps.now()
    if (now >= deadline) return finish('timeout', lastError)
    if (now - lastLineAt >= PROGRESS_EVERY_MS && status !== undefined) {
      deps.log(`Flow ${flowId}: still ${resultName(status)} after ${since()} (${polls} calls)`)
      lastLineAt = now
    }
    try {
      // Never sleep past the deadline: the last call goes out at the deadline itself.
      await deps.sleep(Math.max(0, Math.min(nextAt, deadline) - now), signal)
    } catch {
      return finish('cancelled')
    }
  }
}
