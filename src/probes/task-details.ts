// What a flow is doing: its task in DescribeTasks (type, cluster or instance, progress, and why it failed).
// DescribeFlow answers one number; the task behind the flow says the rest. The lookups run beside the wait, never
// inside it: the flow probe tells the watcher each status and goes on, so no flow's end waits on a DescribeTasks
// answer. Details are a bonus: no permission or any final error leaves one notice and the wait goes on without.
import type { RequestBudget } from '../budget.ts'
import { forLog } from '../foreign-text.ts'
import { DeadlineError } from '../limiter.ts'
import { isTransient } from '../retry.ts'
import {
  FLOW_STATUS,
  type FlowStatus,
  type Page,
  type TaskInfo,
  type TaskQuery,
  type Traced,
} from '../tencent/cynosdb.ts'
import { isDenied } from '../tencent/errors.ts'
import type { ProbeOutcome, Row } from '../wait/probe.ts'
import { readPages } from './pages.ts'

/** While a flow runs, its task is looked up again at most this often. */
export const TASK_REFRESH_MS = 30_000
/** Tasks that started this long before the step are still searched: the change may come from an earlier step. */
export const TASK_LOOKBACK_MS = 3600_000
/** One listing reads at most this many pages of 100 tasks (the API does not document their order). */
export const MAX_TASK_PAGES = 5

export interface TaskDetailsDeps {
  /** DescribeTasks through the step's rate limiter (counted like every request). */
  readonly describeTasks: (query: TaskQuery, budget: RequestBudget) => Promise<Traced<Page<TaskInfo>>>
  /** The clock of the refresh interval, and the sleep that bounds the wait for a failed flow's lookup. */
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** When the step began, in ms since the epoch: the search starts TASK_LOOKBACK_MS before it. */
  readonly stepStartedAtEpochMs: number
  /** What the lookups may use: the step's cancellation and hard end. */
  readonly budget: RequestBudget
  readonly notice: (message: string) => void
  readonly debug?: ((message: string) => void) | undefined
}

export interface TaskDetailsWatcher {
  /**
   * Told of every DescribeFlow status; never waits. Looks the task up in the background when the flow is first
   * seen processing, then at most every TASK_REFRESH_MS while it runs (one listing shared by all flows), and once
   * after it failed.
   */
  observe(flowId: string, status: FlowStatus): void
  /** What the flow's task said last. */
  get(flowId: string): TaskWork | undefined
  /**
   * The wait is over: when a flow failed (and the step was not cancelled), waits at most `settleMs` for the lookups
   * under way, since a failed flow's own lookup names why it failed; then ends every lookup and gives the outcomes
   * with each flow's task as it stands now.
   */
  complete(outcomes: readonly ProbeOutcome[], settleMs: number): Promise<ProbeOutcome[]>
}

/**
 * `YYYY-MM-DD HH:MM:SS` in UTC. The API page does not give StartTimeBegin's format; this is the one Tencent's
 * database APIs document for the same field. If the service reads it as China Standard Time, the window only
 * grows by 8 hours: the flow's task is still in it, and tasks are matched on FlowId anyway.
 */
export const taskTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')

/** What a task says of the work behind a row: `ModifyInstance on cynosdbmysql-ins-…`, progress, why it failed. */
export interface TaskWork {
  readonly work: string | undefined
  readonly progress: number | undefined
  readonly errMsg: string
}

export function workOf(task: TaskInfo): TaskWork {
  const target = task.instanceId || task.clusterId
  const work = task.taskType || target ? `${task.taskType || 'task'}${target ? ` on ${target}` : ''}` : undefined
  return { work, progress: task.progress, errMsg: task.errMsg }
}

/** ` (ModifyInstance on cynosdbmysql-ins-…)`, neutralised for the log; empty when the work is not known. */
export const workLabel = (row: Pick<Row, 'work'>): string => (row.work ? ` (${forLog(row.work)})` : '')

/**
 * `, 40%` while the work runs: clamped to 0–99, since a task still running is not done whatever its counter
 * says (`100%` would read as finished, `-5%` or `1e+308%` as nonsense). Nothing when there is no number.
 */
export const progressText = (row: Pick<Row, 'progress'>): string =>
  row.progress === undefined || !Number.isFinite(row.progress)
    ? ''
    : `, ${Math.min(99, Math.max(0, Math.floor(row.progress)))}%`

/** A flow row with what its task says: the work, its progress, and why it failed when the flow failed. */
export const withWork = (row: Row, task: TaskWork | undefined): Row =>
  task
    ? {
        ...row,
        work: task.work ?? row.work,
        progress: task.progress ?? row.progress,
        cause: row.result === 'failed' && task.errMsg ? task.errMsg : row.cause,
      }
    : row

export function createTaskDetails(deps: TaskDetailsDeps): TaskDetailsWatcher {
  const known = new Map<string, { details: TaskWork | undefined; lookedAt: number; afterFailure: boolean }>()
  const stopped = new AbortController()
  const budget: RequestBudget = {
    signal: AbortSignal.any([deps.budget.signal, stopped.signal]),
    notAfter: deps.budget.notAfter,
  }
  const underWay = new Set<Promise<void>>()
  let disabled = false
  // One listing serves every flow of the step: many flows seen processing at once cost one sweep, not one each.
  let sweep: { at: number; tasks: Promise<TaskInfo[]> } | undefined

  async function list(): Promise<TaskInfo[]> {
    const startTimeBegin = taskTime(deps.stepStartedAtEpochMs - TASK_LOOKBACK_MS)
    const read = await readPages((page) => deps.describeTasks({ startTimeBegin, ...page }, budget), MAX_TASK_PAGES)
    return read.items
  }

  async function lookUp(flowId: string, status: FlowStatus): Promise<void> {
    const state = known.get(flowId)
    const now = deps.now()
    const afterFailure = status === FLOW_STATUS.failed
    known.set(flowId, { details: state?.details, lookedAt: now, afterFailure })
    try {
      // after a failure, a listing of its own: the task's ErrMsg is what the step reports
      if (afterFailure || sweep === undefined || now - sweep.at >= TASK_REFRESH_MS) {
        const current = { at: now, tasks: list() }
        sweep = current
        current.tasks.catch(() => {
          if (sweep === current) sweep = undefined // a failed listing is not reused
        })
      }
      // matched on the FlowId's decimal text: IDs past 2^53 are compared exactly
      const task = (await sweep.tasks).find((t) => t.flowId === flowId)
      if (task) known.set(flowId, { details: workOf(task), lookedAt: now, afterFailure })
      else deps.debug?.(`Flow ${flowId}: no task with this FlowId in DescribeTasks yet`)
    } catch (error) {
      if (disabled || budget.signal.aborted || error instanceof DeadlineError) return
      if (isTransient(error)) {
        // throttled, a network hiccup, a clock just corrected: the next due lookup tries again
        deps.debug?.(`Flow ${flowId}: DescribeTasks failed, tried again later: ${(error as Error).message}`)
        return
      }
      disabled = true
      deps.notice(
        isDenied(error)
          ? 'Task details (type, progress, why a flow failed) need the CAM action cynosdb:DescribeTasks, which this key or role lacks; waiting without them.'
          : `Task details are not available (${error instanceof Error ? error.message : String(error)}); waiting without them.`,
      )
    }
  }

  return {
    observe(flowId, status) {
      const state = known.get(flowId)
      const due =
        status === FLOW_STATUS.failed
          ? !state?.afterFailure
          : status === FLOW_STATUS.processing && (state === undefined || deps.now() - state.lookedAt >= TASK_REFRESH_MS)
      if (disabled || !due || budget.signal.aborted) return
      const lookup = lookUp(flowId, status)
      underWay.add(lookup)
      void lookup.finally(() => underWay.delete(lookup))
    },
    get: (flowId) => known.get(flowId)?.details,
    async complete(outcomes, settleMs) {
      const flowFailed = outcomes.some((o) => o.rows.some((row) => row.kind === 'flow' && row.result === 'failed'))
      if (flowFailed && !budget.signal.aborted && underWay.size > 0) {
        const timer = new AbortController()
        const settled = Promise.allSettled([...underWay])
        await Promise.race([settled, deps.sleep(settleMs, timer.signal).catch(() => undefined)])
        timer.abort()
      }
      stopped.abort() // any lookup still under way is of no use now
      return outcomes.map((outcome) => ({
        ...outcome,
        rows: outcome.rows.map((row) => (row.kind === 'flow' ? withWork(row, known.get(row.id)?.details) : row)),
      }))
    },
  }
}
