// A task flow (FlowId): one DescribeFlow call a round. Its documented Status is the whole truth: 0 succeeded,
// 1 failed, 2 processing. The flow's task (type, target, progress, why it failed) comes from the task details
// watcher, told of each status and never waited for.
import type { StepApi } from '../api.ts'
import type { Probe, ProbeOutcome, Result, Row } from '../poll.ts'
import { progressText, taskLabel, type TaskDetailsWatcher } from '../task-details.ts'
import { FLOW_STATUS, type FlowStatus } from '../tencent/cynosdb.ts'

const RESULT_OF: Readonly<Record<FlowStatus, Result>> = { 0: 'succeeded', 1: 'failed', 2: 'processing' }

/** A flow's row, as DescribeFlow last answered (status) and its task last said. */
export function flowRow(flowId: string, status: FlowStatus | undefined, details?: TaskDetailsWatcher): Row {
  const result = status === undefined ? 'unknown' : RESULT_OF[status]
  const task = details?.get(flowId)
  return {
    kind: 'flow',
    id: flowId,
    result,
    state: status === undefined ? 'no answer from DescribeFlow' : result,
    cause: status === FLOW_STATUS.failed && task?.errMsg ? task.errMsg : undefined,
    task,
  }
}

export function flowProbe(flowId: string, api: Pick<StepApi, 'describeFlow'>, details?: TaskDetailsWatcher): Probe {
  return {
    name: `Flow ${flowId}`,
    rows: [flowRow(flowId, undefined)],
    async check(call) {
      const answer = await api.describeFlow(flowId, call)
      details?.observe(flowId, answer.value)
      const row = flowRow(flowId, answer.value, details)
      return {
        rows: [row],
        line: `Flow ${flowId}${taskLabel(row.task)}: ${row.state}`,
        progress: answer.value === FLOW_STATUS.processing ? progressText(row.task) : undefined,
        requestId: answer.requestId,
      }
    },
  }
}

/** A finished wait with its flows' task details as they stand now: a lookup may end after the last round. */
export function withTaskDetails(outcome: ProbeOutcome, details: TaskDetailsWatcher): ProbeOutcome {
  const rows = outcome.rows.map((row) => {
    if (row.kind !== 'flow') return row
    const task = details.get(row.id) ?? row.task
    return { ...row, task, cause: row.result === 'failed' && task?.errMsg ? task.errMsg : row.cause }
  })
  return { ...outcome, rows }
}
