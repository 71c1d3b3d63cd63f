// Tasks (TaskId): the changes that answer a TaskId and no FlowId (CreateAccounts, OpenClusterTransparentEncrypt,
// ModifyClusterGlobalEncryption, TransferClusterZone, …) and ModifyClusterReadOnly's ClusterTaskIds. One
// DescribeTasks request a round asks for every task not yet ended, by TaskId. A task that names a FlowId is decided by
// its flow (DescribeFlow's documented 0, 1, 2); for the others only `success` is documented, so a status that
// plainly says failure fails it and every other status is shown as progress (see the README, "Tasks").
import type { StepApi } from '../api.ts'
import type { RequestBudget } from '../budget.ts'
import { forLog } from '../foreign-text.ts'
import type { TaskInfo } from '../tencent/cynosdb.ts'
import type { Probe, Result, Row } from '../wait/probe.ts'
import { isWorse } from '../wait/verdict.ts'
import { listed, plural } from '../words.ts'
import { flowRow } from './flow.ts'
import { PAGE, readPages } from './pages.ts'
import { progressText, workLabel, workOf } from './task-details.ts'

/** The one status value the API documents (BizTaskInfo.Status), and the Terraform provider waits for. */
export const TASK_SUCCESS = 'success'
/**
 * A status that is a failure word: undocumented, so read by what it says, and only when it says that alone
 * (`failed`, `error`, `cancelled`); `no_error_pending` does not fail a task.
 */
const TASK_FAILURE: ReadonlySet<string> = new Set([
  'fail',
  'failed',
  'failure',
  'error',
  'cancel',
  'cancelled',
  'canceled',
])

/** What a task's own status says, when no flow decides. */
export function taskResult(status: string): Result {
  const word = status.trim().toLowerCase()
  if (word === TASK_SUCCESS) return 'succeeded'
  if (TASK_FAILURE.has(word)) return 'failed'
  return 'processing'
}

type Api = Pick<StepApi, 'describeTasks' | 'describeFlow'>

export function taskProbe(taskIds: readonly string[], api: Api): Probe {
  /** Rows of tasks that ended (succeeded or failed): they are not asked about again. */
  const ended = new Map<string, Row>()
  const notListed = (id: string): Row => ({ kind: 'task', id, result: 'unknown', state: 'not listed yet' })

  /** The tasks not yet ended, by TaskId, one DescribeTasks request per 100 of them. */
  async function list(
    ids: readonly string[],
    budget: RequestBudget,
  ): Promise<{ tasks: Map<string, TaskInfo>; requestId?: string }> {
    const tasks = new Map<string, TaskInfo>()
    let requestId: string | undefined
    for (let start = 0; start < ids.length; start += PAGE) {
      const filters = [{ Names: ['TaskId'], Values: ids.slice(start, start + PAGE), ExactMatch: true }]
      // at most one task per ID: a second page can only come from a server that counts wrong
      const read = await readPages((page) => api.describeTasks({ filters, ...page }, budget), 1)
      requestId = read.requestId ?? requestId
      for (const task of read.items) {
        if (task.taskId === undefined) continue
        // listed twice with two statuses (a server that contradicts itself): the worse one counts
        const before = tasks.get(task.taskId)
        if (before === undefined || isWorse(taskResult(task.status), taskResult(before.status)))
          tasks.set(task.taskId, task)
      }
    }
    return { tasks, requestId }
  }

  /** A listed task's row: its flow decides when it names one (one DescribeFlow request), else its own status. */
  async function rowOf(id: string, task: TaskInfo, budget: RequestBudget): Promise<{ row: Row; requestId?: string }> {
    const { work, progress } = workOf(task)
    if (task.flowId !== undefined) {
      const answer = await api.describeFlow(task.flowId, budget)
      const flow = flowRow(task.flowId, answer.value)
      const row: Row = {
        kind: 'task',
        id,
        result: flow.result,
        state: `${flow.state} (flow ${task.flowId})`,
        cause: flow.result === 'failed' ? task.errMsg || undefined : undefined,
        work,
        progress,
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
      work,
      progress,
    }
    return { row }
  }

  const name = `${plural(taskIds.length, 'Task')} ${taskIds.join(', ')}`
  return {
    name,
    rows: taskIds.map(notListed),
    async check(budget) {
      const waiting = taskIds.filter((id) => !ended.has(id))
      const listed = await list(waiting, budget)
      let requestId = listed.requestId
      const rows: Row[] = []
      for (const id of taskIds) {
        const done = ended.get(id)
        const task = listed.tasks.get(id)
        if (done) rows.push(done)
        else if (!task)
          rows.push(notListed(id)) // it may appear a moment after the change: asked again next round
        else {
          const read = await rowOf(id, task, budget)
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
  const state = (row: Row): string => `${forLog(row.state)}${row.result === 'processing' ? progressText(row) : ''}`
  if (rows.length === 1 && rows[0]) return `${name}${workLabel(rows[0])}: ${state(rows[0])}`
  return `${name}: ${listed(
    rows.map((row) => `${forLog(row.id)}${workLabel(row)} ${state(row)}`),
    10,
    '; ',
  )}`
}
