// The task probe round by round: one DescribeTasks call for every task, flows deciding, statuses read, late listing.
import { describe, expect, it } from 'vitest'
import type { StepApi } from '../src/api.ts'
import { taskProbe, taskResult } from '../src/probes/task.ts'
import type { FlowStatus, TaskInfo, TaskQuery } from '../src/tencent/cynosdb.ts'

const trace = { action: 'x', host: 'h', latencyMs: 1 }
const task = (taskId: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  taskId,
  flowId: undefined,
  status: 'running',
  taskType: 'CreateAccounts',
  clusterId: 'cynosdbmysql-c',
  instanceId: '',
  progress: 40,
  errMsg: '',
  ...extra,
})

/** Tasks listed per round (by the round's number), flows answering per call. */
function setup(listing: (round: number) => TaskInfo[], flows: Record<string, FlowStatus[]> = {}) {
  const queries: TaskQuery[] = []
  const flowCalls: string[] = []
  const api: Pick<StepApi, 'describeTasks' | 'describeFlow'> = {
    describeTasks: async (query, call) => {
      call.sent?.()
      queries.push(query)
      const wanted = query.filters?.[0]?.Values ?? []
      const items = listing(queries.length - 1).filter((t) => wanted.includes(t.taskId ?? ''))
      return { value: { items, total: items.length }, requestId: `r${queries.length}`, trace }
    },
    describeFlow: async (flowId, call) => {
      call.sent?.()
      flowCalls.push(flowId)
      const script = flows[flowId] ?? [2]
      const n = flowCalls.filter((id) => id === flowId).length - 1
      return { value: script[Math.min(n, script.length - 1)] ?? 2, requestId: `f${flowCalls.length}`, trace }
    },
  }
  return { api, queries, flowCalls }
}
const call = { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY }

describe('the task probe', () => {
  it('asks for every task in one DescribeTasks call, by TaskId, exactly', async () => {
    const { api, queries } = setup(() => [task('1'), task('2'), task('3')])
    const reading = await taskProbe(['1', '2', '3'], api).check(call)
    expect(queries).toEqual([
      { filters: [{ Names: ['TaskId'], Values: ['1', '2', '3'], ExactMatch: true }], limit: 100, offset: 0 },
    ])
    expect(reading.rows.map((r) => [r.kind, r.id, r.result, r.state])).toEqual([
      ['task', '1', 'processing', 'running'],
      ['task', '2', 'processing', 'running'],
      ['task', '3', 'processing', 'running'],
    ])
    expect(reading.line).toBe(
      'Tasks 1, 2, 3: 1 (CreateAccounts on cynosdbmysql-c) running, 40%; 2 (CreateAccounts on cynosdbmysql-c) running, 40%; 3 (CreateAccounts on cynosdbmysql-c) running, 40%',
    )
  })

  it('stops asking about a task once it succeeded', async () => {
    const { api, queries } = setup((round) => [task('1', { status: round === 0 ? 'success' : 'running' }), task('2')])
    const probe = taskProbe(['1', '2'], api)
    await probe.check(call)
    const second = await probe.check(call)
    expect(queries[1]?.filters?.[0]?.Values).toEqual(['2'])
    expect(second.rows.map((r) => r.result)).toEqual(['succeeded', 'processing'])
  })

  it('lets the flow decide when the task names one, and still names the task', async () => {
    const { api, flowCalls } = setup(() => [task('5', { flowId: '900', status: 'success', errMsg: 'disk full' })], {
      '900': [2, 1],
    })
    const probe = taskProbe(['5'], api)
    const first = await probe.check(call)
    expect(first.rows[0]).toMatchObject({ kind: 'task', id: '5', result: 'processing', parent: 'flow 900' })
    expect(first.line).toBe('Task 5 (CreateAccounts on cynosdbmysql-c): processing (flow 900), 40%')
    const second = await probe.check(call)
    expect(second.rows[0]).toMatchObject({ result: 'failed', cause: 'disk full' })
    expect(flowCalls).toEqual(['900', '900'])
  })

  it('keeps asking for a task not listed yet', async () => {
    const { api } = setup((round) => (round < 2 ? [] : [task('7', { status: 'success' })]))
    const probe = taskProbe(['7'], api)
    expect((await probe.check(call)).rows[0]).toMatchObject({ result: 'unknown', state: 'not listed yet' })
    expect((await probe.check(call)).line).toBe('Task 7: not listed yet')
    expect((await probe.check(call)).rows[0]?.result).toBe('succeeded')
  })

  it('fails a task whose status says so, quoting its ErrMsg', async () => {
    const { api } = setup(() => [task('8', { status: 'failed', errMsg: 'account exists' })])
    const reading = await taskProbe(['8'], api).check(call)
    expect(reading.rows[0]).toMatchObject({ result: 'failed', state: 'failed', cause: 'account exists' })
  })

  it('takes the worse of two listings of one task: a server that contradicts itself does not pass', async () => {
    const { api } = setup(() => [
      task('9', { status: 'failed', errMsg: 'disk full' }),
      task('9', { status: 'success' }),
    ])
    const reading = await taskProbe(['9'], api).check(call)
    expect(reading.rows[0]).toMatchObject({ result: 'failed', cause: 'disk full' })
  })

  it.each([
    { status: 'success', result: 'succeeded' },
    { status: 'SUCCESS', result: 'succeeded' },
    { status: 'failed', result: 'failed' },
    { status: 'Failure', result: 'failed' },
    { status: 'error', result: 'failed' },
    { status: 'cancelled', result: 'failed' },
    { status: 'canceled', result: 'failed' },
    { status: 'running', result: 'processing' },
    { status: 'pause', result: 'processing' },
    { status: 'init', result: 'processing' },
    { status: '', result: 'processing' },
    // a failure word only when it is the whole status
    { status: 'no_error_pending', result: 'processing' },
    { status: 'failover_running', result: 'processing' },
    { status: 'error_checked', result: 'processing' },
  ])('reads a status of "$status" as $result', ({ status, result }) => {
    expect(taskResult(status)).toBe(result)
  })
})
