// What a flow is doing: its task in DescribeTasks (type, cluster or instance, progress, and why it failed).
// DescribeFlow answers one number; the task behind the flow says the rest. The lookups run beside the wait, never
// inside it: the flow probe tells the watcher each status and goes on, so no flow's end waits on a DescribeTasks
// answer. Details are a bonus: no permission or any final error leaves one notice and the wait goes on without.
import type { CallBudget } from './api.ts'
import { forLog } from './foreign-text.ts'
import { DeadlineError } from './limiter.ts'
import type { TaskDetails } from './poll.ts'
import { isTransient } from './retry.ts'
import {
  FLOW_STATUS,
  type FlowStatus,
  type Page,
  type TaskInfo,
  type TaskQuery,
  type Traced,
} from './tencent/cynosdb.ts'
import { isDenied } from './tencent/errors.ts'

/** While a flow runs, its task is looked up again at most this often. */
export const TASK_REFRESH_MS = 30_000
/** Tasks that started this long before the step are still searched: the change may come from an earlier step. */
export const TASK_LOOKBACK_MS = 3600_000
/** One listing reads at most this many pages of 100 tasks (the API does not document their order). */
export const MAX_TASK_PAGES = 5

export interface TaskDetailsDeps {
  /** DescribeTasks through the step's rate limiter (counted like every request). */
  readonly describeTasks: (query: TaskQuery, call: CallBudget) => Promise<Traced<Page<TaskInfo>>>
  /** The clock of the refresh interval. */
  readonly now: () => number
  /** When the step began, in ms since the epoch: the search starts TASK_LOOKBACK_MS before it. */
  readonly stepStartedAtEpochMs: number
  /** What the lookups may use: the step's cancellation and hard end. */
  readonly budget: CallBudget
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
  get(flowId: string): TaskDetails | undefined
  /** Waits at most `ms` for the lookups under way: a failed flow's own lookup names why it failed. */
  settle(ms: number, sleep: (ms: number, signal: AbortSignal) => Promise<void>): Promise<void>
  /** Ends every lookup under way: the wait is over. */
  stop(): void
}

/**
 * `YYYY-MM-DD HH:MM:SS` in UTC. The API page does not give StartTimeBegin's format; this is the one Tencent's
 * database APIs document for the same field. If the service reads it as China Standard Time, the window only
 * grows by 8 hours: the flow's task is still in it, and tasks are matched on FlowId anyway.
 */
export const taskTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')

export const toDetails = (task: TaskInfo): TaskDetails => ({
  taskType: task.taskType,
  target: task.instanceId || task.clusterId,
  progress: task.progress,
  errMsg: task.errMsg,
})

/** ` (ModifyInstance on cynosdbmysql-ins-…)`, neutralised for the log; empty without details. */
export function taskLabel(details: TaskDetails | undefined): string {
  if (!details || (!details.taskType && !details.target)) return ''
  const what = forLog(details.taskType || 'task')
  return ` (${details.target ? `${what} on ${forLog(details.target)}` : what})`
}

/**
 * `, 40%` while the work runs: clamped to 0–99, since a task still running is not done whatever its counter
 * says (`100%` would read as finished, `-5%` or `1e+308%` as nonsense). Nothing when there is no number.
 */
export const progressText = (details: TaskDetails | undefined): string =>
  details?.progress === undefined || !Number.isFinite(details.progress)
    ? ''
    : `, ${Math.min(99, Math.max(0, Math.floor(details.progress)))}%`

export function createTaskDetails(deps: TaskDetailsDeps): TaskDetailsWatcher {
  const known = new Map<string, { details: TaskDetails | undefined; lookedAt: number; afterFailure: boolean }>()
  const stopped = new AbortController()
  const budget: CallBudget = {
    signal: AbortSignal.any([deps.budget.signal, stopped.signal]),
    notAfter: deps.budget.notAfter,
  }
  const underWay = new Set<Promise<void>>()
  let disabled = false
  // One listing serves every flow of the step: many flows seen processing at once cost one sweep, not one each.
  let sweep: { at: number; tasks: Promise<TaskInfo[]> } | undefined

  async function list(): Promise<TaskInfo[]> {
    const startTimeBegin = taskTime(deps.stepStartedAtEpochMs - TASK_LOOKBACK_MS)
    const tasks: TaskInfo[] = []
    for (let page = 0; page < MAX_TASK_PAGES; page++) {
      const { value } = await deps.describeTasks({ startTimeBegin, limit: 100, offset: page * 100 }, budget)
      tasks.push(...value.items)
      if ((page + 1) * 100 >= value.total || value.items.length === 0) break
    }
    return tasks
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
      if (task) known.set(flowId, { details: toDetails(task), lookedAt: now, afterFailure })
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
    async settle(ms, sleep) {
      if (underWay.size === 0) return
      const timer = new AbortController()
      await Promise.race([Promise.allSettled([...underWay]), sleep(ms, timer.signal).catch(() => undefined)])
      timer.abort()
    },
    stop: () => stopped.abort(),
  }
}
