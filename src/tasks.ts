// What a flow is doing: its task in DescribeTasks (type, cluster or instance, progress, and why it failed).
// DescribeFlow answers one number; the task behind the flow says the rest. Details are a bonus: no permission or
// any error from DescribeTasks leaves one notice and the wait goes on as it would without them.
import { forLog } from './foreign-text.ts'
import { DeadlineError } from './limiter.ts'
import { isTransient } from './retry.ts'
import type { TaskInfo, TaskQuery, Traced } from './tencent/cynosdb.ts'
import { ApiError } from './tencent/errors.ts'

/** While a flow runs, its task is looked up again at most this often. */
export const TASK_REFRESH_MS = 30_000
/** Tasks that started this long before the step are still searched: the change may come from an earlier step. */
export const TASK_LOOKBACK_MS = 3600_000
/** One listing reads at most this many pages of 100 tasks (the API does not document their order). */
export const MAX_TASK_PAGES = 5

export interface TaskDetails {
  readonly taskType: string
  /** The instance the task works on, else its cluster. */
  readonly target: string
  readonly progress: number | undefined
  readonly errMsg: string
}

export interface TaskWatcherDeps {
  /** DescribeTasks through the step's rate limiter (counted like every request). */
  readonly describeTasks: (
    query: TaskQuery,
    call: { signal: AbortSignal; notAfter: number },
  ) => Promise<Traced<{ tasks: TaskInfo[]; total: number }>>
  /** The clock of `notAfter` and of the refresh interval. */
  readonly now: () => number
  /** When the step began, in ms since the epoch: the search starts TASK_LOOKBACK_MS before it. */
  readonly stepStartedAtEpochMs: number
  readonly notice: (message: string) => void
  readonly debug?: ((message: string) => void) | undefined
}

export interface TaskWatcher {
  /**
   * Called with every DescribeFlow status. Looks the task up when the flow is first seen processing, then at most
   * every TASK_REFRESH_MS while it runs (one listing shared by all flows), and once after it failed. Never throws.
   */
  observe(
    flowId: string,
    status: number,
    call: { signal: AbortSignal; notAfter: number },
  ): Promise<TaskDetails | undefined>
}

/**
 * `YYYY-MM-DD HH:MM:SS` in UTC. The API page does not give StartTimeBegin's format; this is the one Tencent's
 * database APIs document for the same field. If the service reads it as China Standard Time, the window only
 * grows by 8 hours: the flow's task is still in it, and tasks are matched on FlowId anyway.
 */
export const taskTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')

const matches = (task: TaskInfo, flowId: string): boolean =>
  task.flowId !== undefined && (String(task.flowId) === flowId || task.flowId === Number(flowId))

const toDetails = (task: TaskInfo): TaskDetails => ({
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

/** `, 40%` when the task reports progress. */
export const progressText = (details: TaskDetails | undefined): string =>
  details?.progress === undefined ? '' : `, ${Math.round(details.progress)}%`

export function createTaskWatcher(deps: TaskWatcherDeps): TaskWatcher {
  const known = new Map<string, { details: TaskDetails | undefined; lookedAt: number; afterFailure: boolean }>()
  let disabled = false
  // One listing serves every flow of the step: many flows seen processing at once cost one sweep, not one each.
  let sweep: { at: number; tasks: Promise<TaskInfo[]> } | undefined

  async function list(call: { signal: AbortSignal; notAfter: number }): Promise<TaskInfo[]> {
    const startTimeBegin = taskTime(deps.stepStartedAtEpochMs - TASK_LOOKBACK_MS)
    const tasks: TaskInfo[] = []
    for (let page = 0; page < MAX_TASK_PAGES; page++) {
      const { value } = await deps.describeTasks({ startTimeBegin, limit: 100, offset: page * 100 }, call)
      tasks.push(...value.tasks)
      if ((page + 1) * 100 >= value.total || value.tasks.length === 0) break
    }
    return tasks
  }

  async function lookUp(flowId: string, fresh: boolean, call: { signal: AbortSignal; notAfter: number }) {
    const now = deps.now()
    if (fresh || sweep === undefined || now - sweep.at >= TASK_REFRESH_MS) {
      const current = { at: now, tasks: list(call) }
      sweep = current
      current.tasks.catch(() => {
        if (sweep === current) sweep = undefined // a failed listing is not reused
      })
    }
    return (await sweep.tasks).find((task) => matches(task, flowId))
  }

  return {
    async observe(flowId, status, call) {
      const state = known.get(flowId)
      const now = deps.now()
      const due =
        status === 1
          ? !state?.afterFailure
          : status === 2 && (state === undefined || now - state.lookedAt >= TASK_REFRESH_MS)
      if (disabled || !due) return state?.details
      try {
        // after a failure, a listing of its own: the task's ErrMsg is what the step reports
        const task = await lookUp(flowId, status === 1, call)
        const details = task ? toDetails(task) : state?.details
        known.set(flowId, { details, lookedAt: now, afterFailure: status === 1 })
        if (!task) deps.debug?.(`Flow ${flowId}: no task with this FlowId in DescribeTasks yet`)
        return details
      } catch (error) {
        known.set(flowId, { details: state?.details, lookedAt: now, afterFailure: status === 1 })
        if (disabled || call.signal.aborted || error instanceof DeadlineError) return state?.details
        if (isTransient(error)) {
          // throttled, a network hiccup, a clock just corrected: the next due lookup tries again
          deps.debug?.(
            `Flow ${flowId}: DescribeTasks failed, tried again later: ${error instanceof Error ? error.message : ''}`,
          )
          return state?.details
        }
        disabled = true
        const denied = error instanceof ApiError && /^(AuthFailure\.)?UnauthorizedOperation/.test(error.code)
        deps.notice(
          denied
            ? 'Task details (type, progress, why a flow failed) need the CAM action cynosdb:DescribeTasks, which this key or role lacks; waiting without them.'
            : `Task details are not available (${error instanceof Error ? error.message : String(error)}); waiting without them.`,
        )
        return state?.details
      }
    },
  }
}
