// A task flow (FlowId): one DescribeFlow request a round. Its documented Status is the whole truth: 0 succeeded,
// 1 failed, 2 processing. The flow's task (type, target, progress, why it failed) comes from the task details
// watcher, told of each status and never waited for.
import type { StepApi } from '../api.ts'
import { FLOW_STATUS, type FlowStatus } from '../tencent/cynosdb.ts'
import type { Probe, Result, Row } from '../wait/probe.ts'
import { progressText, withWork, workLabel, type TaskDetailsWatcher } from './task-details.ts'

const RESULT_OF: Readonly<Record<FlowStatus, Result>> = { 0: 'succeeded', 1: 'failed', 2: 'processing' }

/** A flow's row, as DescribeFlow last answered (status). */
export function flowRow(flowId: string, status: FlowStatus | undefined): Row {
  const result = status === undefined ? 'unknown' : RESULT_OF[status]
  return { kind: 'flow', id: flowId, result, state: status === undefined ? 'no answer from DescribeFlow' : result }
}

export function flowProbe(flowId: string, api: Pick<StepApi, 'describeFlow'>, details?: TaskDetailsWatcher): Probe {
  return {
    name: `Flow ${flowId}`,
    rows: [flowRow(flowId, undefined)],
    async check(budget) {
      const answer = await api.describeFlow(flowId, budget)
      details?.observe(flowId, answer.value)
      const row = withWork(flowRow(flowId, answer.value), details?.get(flowId))
      return {
        rows: [row],
        line: `Flow ${flowId}${workLabel(row)}: ${row.state}`,
        progress: answer.value === FLOW_STATUS.processing ? progressText(row) : undefined,
        requestId: answer.requestId,
      }
    },
  }
}
