// DescribeTasks over the noise tasks and `taskList`: the window, the filters and the page, as the API documents them.
import type { Handler, Reply, StandIn } from './context.ts'
import { page, passes, unknownFilter, type QueryFilter } from './filters.ts'
import { nonEmpty, nth, planError, type FakeTencentOptions, type TaskPlan } from './plans.ts'

/**
 * The filters DescribeTasks supports, as cynosdb_models.d.ts lists them ("ClusterId"、"ClusterName"、"InstanceId"、
 * "InstanceName"、"Status"、"TaskId"、"TaskType"), lower-cased. QueryFilter matches InstanceName with LIKE unless
 * ExactMatch is true, and IDs exactly. How DescribeTasks matches ClusterName, Status and TaskType is not
 * documented: ClusterName is matched like InstanceName, the others exactly.
 */
const FILTERS = ['clusterid', 'clustername', 'instanceid', 'instancename', 'status', 'taskid', 'tasktype']
const FUZZY = new Set(['clustername', 'instancename'])
/**
 * StartTimeBegin/StartTimeEnd: the DescribeTasks page gives no format ("Starting value of the task start time").
 * Its example's task times, and the same field of Tencent's other database APIs, are `YYYY-MM-DD HH:MM:SS`, so that
 * is what the stand-in takes; it refuses anything else, and compares as text (the time zone is not documented).
 */
const TASK_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
/** DescribeTasks documents no default Limit; the stand-in uses DescribeInstances's documented 20. */
const DEFAULT_LIMIT = 20

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
const taskTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')

function checkTask(taskId: string, plan: TaskPlan): void {
  const bad = planError('taskList', taskId)
  if (!/^[1-9]\d*$/.test(taskId)) bad('a task ID is a positive decimal integer')
  if (typeof plan !== 'object' || plan === null || typeof plan.taskType !== 'string') bad('needs a taskType')
  // 0 is what the API answers for a task without a flow
  if (plan.flowId !== undefined && !/^(0|[1-9]\d*)$/.test(plan.flowId)) bad('flowId is 0 or a positive decimal integer')
  if (plan.statuses !== undefined && !nonEmpty(plan.statuses, 'string')) bad('statuses is a non-empty list of text')
  if (plan.progress !== undefined && !nonEmpty(plan.progress, 'number')) bad('progress is a non-empty list of numbers')
  if (plan.listedAfter !== undefined && !(Number.isInteger(plan.listedAfter) && plan.listedAfter >= 0))
    bad('listedAfter is a whole number')
  if (plan.startedAt !== undefined && !TASK_TIME.test(plan.startedAt)) bad('startedAt is YYYY-MM-DD HH:MM:SS')
}

/** The tasks DescribeTasks lists, noise first: `otherTasks` tasks of other flows, then `taskList` by task ID. */
function taskListOf(options: FakeTencentOptions, startedAt: string): [string, TaskPlan][] {
  const noise = Array.from({ length: options.otherTasks ?? 0 }, (_, i): [string, TaskPlan] => [
    String(900_000 + i),
    {
      flowId: String(800_000 + i),
      taskType: 'ModifyClusterParam',
      clusterId: `cynosdbmysql-other${i}`,
      errMsg: `the task of flow ${800_000 + i} failed`,
      progress: [100],
      startedAt,
    },
  ])
  const tasks = Object.entries(options.taskList ?? {})
  for (const [taskId, plan] of tasks) checkTask(taskId, plan)
  return [...noise, ...tasks.map(([id, plan]): [string, TaskPlan] => [id, { startedAt, ...plan }])]
}

/** A StartTimeBegin or StartTimeEnd in another format than the one the stand-in takes. */
function badTime(params: Record<string, unknown>): Reply | undefined {
  for (const field of ['StartTimeBegin', 'StartTimeEnd'] as const) {
    const value = params[field]
    if (typeof value === 'string' && !TASK_TIME.test(value))
      return { error: 'InvalidParameterValue', message: `${field} ${JSON.stringify(value)} is not YYYY-MM-DD HH:MM:SS` }
  }
  return undefined
}

/** The task as BizTaskInfo; its status and progress move on each time a page lists it. */
function listed(standIn: StandIn, id: string, plan: TaskPlan, status: string): Record<string, unknown> {
  const n = standIn.count(`task ${id}`)
  return {
    ID: BigInt(id),
    FlowId: plan.flowId === undefined ? undefined : BigInt(plan.flowId),
    TaskType: plan.taskType,
    ClusterId: plan.clusterId ?? '',
    InstanceId: plan.instanceId ?? '',
    ErrMsg: plan.errMsg ?? '',
    Status: status,
    Process: plan.progress === undefined ? undefined : nth(plan.progress, n),
    StartTime: plan.startedAt,
  }
}

/** DescribeTasks for these options; a task plan it cannot play throws PlanError. */
export function describeTasks(options: FakeTencentOptions): Handler {
  const tasks = taskListOf(options, taskTime(Date.now()))
  return (standIn, { params }) => {
    if (options.denyTasks)
      return { error: 'UnauthorizedOperation.PermissionDenied', message: 'no cynosdb:DescribeTasks' }
    const filters = (params.Filters ?? []) as readonly QueryFilter[]
    const refused = badTime(params) ?? unknownFilter(filters, FILTERS)
    if (refused) return refused
    const begin = params.StartTimeBegin as string | undefined
    const end = params.StartTimeEnd as string | undefined
    const { limit, offset } = page(params, DEFAULT_LIMIT)
    const status = (id: string, plan: TaskPlan): string =>
      nth(plan.statuses ?? ['success'], standIn.counted(`task ${id}`)) ?? ''
    const matching = tasks.filter(([id, plan]) => {
      const startedAt = plan.startedAt ?? ''
      if ((begin !== undefined && startedAt < begin) || (end !== undefined && startedAt > end)) return false
      const fields = new Map([
        ['clusterid', plan.clusterId ?? ''],
        ['instanceid', plan.instanceId ?? ''],
        ['status', status(id, plan)],
        ['taskid', id],
        ['tasktype', plan.taskType],
      ])
      // an answer that would list it counts: it is not listed yet if it is to appear late
      return passes(filters, fields, FUZZY) && standIn.count(`seen ${id}`) >= (plan.listedAfter ?? 0)
    })
    const taskList = matching
      .slice(offset, offset + limit)
      .map(([id, plan]) => listed(standIn, id, plan, status(id, plan)))
    return {
      answer: `tasks ${taskList.length} of ${matching.length}`,
      response: { TotalCount: matching.length, TaskList: taskList },
    }
  }
}
