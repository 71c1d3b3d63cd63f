// DescribeTasks in the stand-in, as the API documents it: the start-time window, QueryFilter, Limit and Offset,
// answers as BizTaskInfo, and statuses that move on each time a task is listed.
import { describe, expect, it } from 'vitest'
import { startFakeTencent, type FakeTencentOptions, type TaskPlan } from '../../scripts/lib/stand-in.ts'
import { standIn } from '../support/e2e.ts'
import { answerOf, call, type Answer } from '../support/stand-in-client.ts'

const task = (extra: Partial<TaskPlan> = {}): TaskPlan => ({ taskType: 'ModifyInstance', ...extra })
const taskList: Record<string, TaskPlan> = {
  '11': task({ flowId: '101', clusterId: 'cynosdbmysql-a', startedAt: '2026-01-01 10:00:00' }),
  '12': task({
    flowId: '102',
    clusterId: 'cynosdbmysql-b',
    startedAt: '2026-01-02 10:00:00',
    taskType: 'UpgradeInstance',
  }),
  '13': task({
    clusterId: 'cynosdbmysql-a',
    instanceId: 'cynosdbmysql-ins-a1',
    startedAt: '2026-01-03 10:00:00',
    statuses: ['running'],
  }),
}
const ids = (answer: Answer): string[] =>
  ((answer.Response.TaskList ?? []) as { ID: number }[]).map((t) => String(t.ID))
const tasks = async (params: Record<string, unknown>, options: FakeTencentOptions = { taskList }) =>
  answerOf(await standIn(options), 'DescribeTasks', params)
const filter = (Names: string[], Values: string[], extra = {}) => ({ Filters: [{ Names, Values, ...extra }] })

describe('DescribeTasks', () => {
  it.each([
    { name: 'everything, without parameters', params: {}, want: ['11', '12', '13'] },
    { name: 'StartTimeBegin', params: { StartTimeBegin: '2026-01-02 00:00:00' }, want: ['12', '13'] },
    { name: 'StartTimeEnd', params: { StartTimeEnd: '2026-01-02 10:00:00' }, want: ['11', '12'] },
    {
      name: 'both',
      params: { StartTimeBegin: '2026-01-02 00:00:00', StartTimeEnd: '2026-01-02 23:59:59' },
      want: ['12'],
    },
    { name: 'a TaskId filter', params: filter(['TaskId'], ['12'], { ExactMatch: true }), want: ['12'] },
    { name: 'filter names in any case', params: filter(['taskid'], ['13']), want: ['13'] },
    {
      name: 'the single Name form',
      params: { Filters: [{ Name: 'ClusterId', Values: ['cynosdbmysql-a'] }] },
      want: ['11', '13'],
    },
    { name: 'several values (OR)', params: filter(['TaskId'], ['11', '13']), want: ['11', '13'] },
    {
      name: 'several names (OR)',
      params: filter(['ClusterId', 'InstanceId'], ['cynosdbmysql-b', 'cynosdbmysql-ins-a1']),
      want: ['12', '13'],
    },
    {
      name: 'several filters (AND)',
      params: {
        Filters: [
          { Names: ['ClusterId'], Values: ['cynosdbmysql-a'] },
          { Names: ['Status'], Values: ['success'] },
        ],
      },
      want: ['11'],
    },
    { name: 'an ID filter matches exactly', params: filter(['ClusterId'], ['cynosdbmysql']), want: [] },
    { name: 'a TaskType filter', params: filter(['TaskType'], ['UpgradeInstance']), want: ['12'] },
    { name: 'an InstanceId filter', params: filter(['InstanceId'], ['cynosdbmysql-ins-a1']), want: ['13'] },
    { name: 'Limit', params: { Limit: 2 }, want: ['11', '12'] },
    { name: 'Offset', params: { Limit: 2, Offset: 2 }, want: ['13'] },
  ])('honours $name', async ({ params, want }) => {
    expect(ids(await tasks(params))).toEqual(want)
  })

  it('counts all matching tasks in TotalCount, not just the page, and pages past other flows', async () => {
    const answer = await tasks({ Limit: 2, Offset: 4 }, { taskList, otherTasks: 5 })
    expect(answer.Response.TotalCount).toBe(8)
    expect(ids(answer)).toEqual(['900004', '11'])
  })

  it('lists 20 by default (no default is documented)', async () => {
    const answer = await tasks({}, { otherTasks: 25 })
    expect(answer.Response).toMatchObject({ TotalCount: 25 })
    expect(ids(answer)).toHaveLength(20)
  })

  it.each([
    { name: 'a time in another format', params: { StartTimeBegin: '2026-01-02T00:00:00Z' } },
    { name: 'a filter on a field DescribeTasks does not support', params: filter(['FlowId'], ['101']) },
    { name: 'a filter naming no field', params: { Filters: [{ Values: ['101'] }] } },
  ])('refuses $name with InvalidParameterValue', async ({ params }) => {
    expect((await tasks(params)).Response.Error?.Code).toBe('InvalidParameterValue')
  })

  it('answers UnauthorizedOperation.PermissionDenied with denyTasks', async () => {
    expect((await tasks({}, { taskList, denyTasks: true })).Response.Error?.Code).toBe(
      'UnauthorizedOperation.PermissionDenied',
    )
  })

  it('answers a task as BizTaskInfo, its FlowId with every digit past 2^53', async () => {
    const planned = task({
      flowId: '9007199254740993',
      instanceId: 'cynosdbmysql-ins-x',
      errMsg: 'disk full',
      progress: [40],
    })
    const { text, answer } = await call(
      await standIn({ taskList: { '9007199254740995': planned } }),
      'DescribeTasks',
      {},
    )
    expect(text).toContain('"ID":9007199254740995,"FlowId":9007199254740993,')
    expect(answer.Response.TaskList).toEqual([
      {
        ID: expect.any(Number), // the digits are checked on the text above: JSON.parse rounds them
        FlowId: expect.any(Number),
        TaskType: 'ModifyInstance',
        ClusterId: '',
        InstanceId: 'cynosdbmysql-ins-x',
        ErrMsg: 'disk full',
        Status: 'success',
        Process: 40,
        StartTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      },
    ])
  })

  it('moves statuses and progress on each time the task is listed, the last repeating', async () => {
    const fake = await standIn({
      taskList: { '7': task({ statuses: ['running', 'running', 'failed'], progress: [10, 50] }) },
    })
    const seen = []
    for (let i = 0; i < 4; i++) {
      const [info] = (await answerOf(fake, 'DescribeTasks', {})).Response.TaskList as {
        Status: string
        Process: number
      }[]
      seen.push(`${info?.Status} ${info?.Process}`)
    }
    expect(seen).toEqual(['running 10', 'running 50', 'failed 50', 'failed 50'])
  })

  it('hides a task from the first listedAfter answers that would list it', async () => {
    const fake = await standIn({ taskList: { '7': task({ listedAfter: 2 }), '8': task() } })
    const lists = []
    for (let i = 0; i < 3; i++) lists.push(ids(await answerOf(fake, 'DescribeTasks', {})))
    // an answer whose filters leave it out does not count
    await call(fake, 'DescribeTasks', filter(['TaskId'], ['8']))
    expect(lists).toEqual([['8'], ['8'], ['7', '8']])
  })

  it.each<{ name: string; plan: Record<string, TaskPlan>; error: RegExp }>([
    { name: 'a task ID that is not one', plan: { abc: task() }, error: /taskList "abc": a task ID/ },
    { name: 'a flowId that is not decimal', plan: { '1': task({ flowId: '0x10' }) }, error: /flowId/ },
    { name: 'no statuses', plan: { '1': task({ statuses: [] }) }, error: /statuses/ },
  ])('refuses, when it starts, $name', async ({ plan, error }) => {
    await expect(startFakeTencent({ taskList: plan })).rejects.toThrow(error)
  })
})
