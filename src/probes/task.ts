// Tasks (TaskId): the changes that answer a TaskId and no FlowId (CreateAccounts, OpenClusterTransparentEncrypt,
// ModifyClusterGlobalEncryption, TransferClusterZone, …) and ModifyClusterReadOnly's ClusterTaskIds. One
// DescribeTasks call a round asks for every task not yet ended, by TaskId. A task that names a FlowId is decided by
// its flow (DescribeFlow's documented 0, 1, 2); for the others only `success` is documented, so a status that
// plainly says failure fails it and every other status is shown as progress (see the README, "Tasks").
import type { CallBudget, StepApi } from '../api.ts'
import { forLog } from '../foreign-text.ts'
import type { Probe, Result, Row } from '../poll.ts'
import { progressText, taskLabel, toDetails } from '../task-details.ts'
import type { TaskInfo } from '../tencent/cynosdb.ts'
import { flowRow } from './flow.ts'

/** The one status value the API documents (BizTaskInfo.Status), and the Terraform provider waits for. */
export const TASK_SUCCESS = 'success'
/** A status that says plainly that the task failed or was cancelled: undocumented, so read by its words. */
const TASK_FAILURE = /fail|error|cancel/i
/** DescribeTasks' largest page (Limit). */
const TASK_PAGE = 100

/** What a task's own status says, when no flow decides. */
export function taskResult(status: string): Result {
  if (status.toLowerCase() === TASK_SUCCESS) return 'succeeded'
  if (TASK_FAILURE.test(status)) return 'failed'
  return 'processing'
}

type Api = Pick<StepApi, 'describeTasks' | 'describeFlow'>

/** How bad what a task says of itself is: failed over running over succeeded. */
const badness = (task: TaskInfo): number =>
  ({ failed: 2, processing: 1, unknown: 1, succeeded: 0 })[taskResult(task.status)]

export function taskProbe(taskIds: readonly string[], api: Api): Probe {
  /** Rows of tasks that ended (succeeded or failed): they are not asked about again. */
  const ended = new Map<string, Row>()
  const notListed = (id: string): Row => ({ kind: 'task', id, result: 'unknown', state: 'not listed yet' })

  /** The tasks not yet ended, by TaskId, in one DescribeTasks call (more only past 100 tasks). */
  async function list(
    ids: readonly string[],
    call: CallBudget,
  ): Promise<{ tasks: Map<string, TaskInfo>; requestId?: string }> {
    const tasks = new Map<string, TaskInfo>()
    let requestId: string | undefined
    for (let offset = 0; offset < ids.length; offset += TASK_PAGE) {
      const answer = await api.describeTasks(
        {
          filters: [{ Names: ['TaskId'], Values: ids.slice(offset, offset + TASK_PAGE), ExactMatch: true }],
          limit: TASK_PAGE,
          offset: 0,
        },
        call,
      )
      requestId = answer.requestId ?? requestId
      for (const task of answer.value.items) {
        if (task.taskId === undefined) continue
        // listed twice with two statuses (a server that contradicts itself): the worse one counts
        const before = tasks.get(task.taskId)
        if (before === undefined || badness(task) > badness(before)) tasks.set(task.taskId, task)
      }
    }
    return { tasks, requestId }
  }

  /** A listed task's row: its flow decides when it names one (one DescribeFlow call), else its own status. */
  async function rowOf(id: string, task: TaskInfo, call: CallBudget): Promise<{ row: Row; requestId?: string }> {
    const details = toDetails(task)
    if (task.flowId !== undefined) {
      const answer = await api.describeFlow(task.flowId, call)
      const flow = flowRow(task.flowId, answer.value)
      const row: Row = {
        kind: 'task',
        id,
        result: flow.result,
        state: `${flow.state} (flow ${task.flowId})`,
        cause: flow.result === 'failed' ? task.errMsg || undefined : undefined,
        task: details,
        parent: `flow ${task.flowId}`,
      }
      return { row, requestId: answer.requestId }
    }
    const result = taskResult(task.status)
    const row: Row = {
      kind: 'task',
      id,
      result,
      state: task.status || 'no status',
      cause: result === 'failed' ? task.errMsg || `its status is ${task.status}` : undefined,
      task: details,
    }
    return { row }
  }

  const name = `Task${taskIds.length > 1 ? 's' : ''} ${taskIds.join(', ')}`
  return {
    name,
    rows: taskIds.map(notListed),
    async check(call) {
      const waiting = taskIds.filter((id) => !ended.has(id))
      const listed = await list(waiting, call)
      let requestId = listed.requestId
      const rows: Row[] = []
      for (const id of taskIds) {
        const done = ended.get(id)
        const task = listed.tasks.get(id)
        if (done) rows.push(done)
        else if (!task)
          rows.push(notListed(id)) // it may appear a moment after the call: asked again next round
        else {
          const read = await rowOf(id, task, call)
          requestId = read.requestId ?? requestId
          if (read.row.result === 'succeeded' || read.row.result === 'failed') ended.set(id, read.row)
          rows.push(read.row)
        }
      }
      return { rows, line: tasksLine(name, rows), requestId }
    },
  }
}

/**
 * `Task 1 (CreateAccounts on cynosdbmysql-…): running, 40%`, or for several
 * `Tasks 1, 2: 1 (CreateAccounts on …) running, 40%; 2 success`, at most ten named.
 */
function tasksLine(name: string, rows: readonly Row[]): string {
  const state = (row: Row): string => `${forLog(row.state)}${row.result === 'processing' ? progressText(row.task) : ''}`
  if (rows.length === 1 && rows[0]) return `${name}${taskLabel(rows[0].task)}: ${state(rows[0])}`
  const named = rows.slice(0, 10).map((row) => `${forLog(row.id)}${taskLabel(row.task)} ${state(row)}`)
  return `${name}: ${named.join('; ')}${rows.length > 10 ? `; and ${rows.length - 10} more` : ''}`
}
