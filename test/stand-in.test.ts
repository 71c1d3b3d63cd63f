// The stand-in Tencent Cloud API (scripts/lib/stand-in.ts) as Tencent documents the API: every request checked
// against the model generated from the official SDK, answered in the API's shapes.
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import {
  API_MODELS,
  startFakeTencent,
  type FakeTencent,
  type DealPlan,
  type FakeTencentOptions,
  type TaskPlan,
  githubIdToken,
} from '../scripts/lib/stand-in.ts'
import type { ApiModel } from '../src/tencent/api-model.ts'
import { sign } from '../src/tencent/sign.ts'

const KEY = { secretId: 'AKIDstandInTest000000000000000000000', secretKey: 'stand-in-test-secret-key-000000000' }
let server: FakeTencent | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(options: FakeTencentOptions = {}): Promise<FakeTencent> {
  server = await startFakeTencent({ keys: { [KEY.secretId]: { secretKey: KEY.secretKey } }, ...options })
  return server
}

interface Answer {
  readonly Response: {
    readonly Error?: { readonly Code: string; readonly Message: string }
    readonly RequestId: string
    readonly [field: string]: unknown
  }
}

/** One CynosDB call signed with TC3-HMAC-SHA256 over exactly this body and content type. */
async function call(
  fake: Pick<FakeTencent, 'url' | 'host'>,
  action: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; answer: Answer; text: string }> {
  const timestamp = Math.floor(Date.now() / 1000)
  const signed = { 'content-type': contentType, host: fake.host, 'x-tc-action': action }
  const { authorization } = sign({ ...KEY, service: 'cynosdb', timestamp, headers: signed, payload: body })
  const res = await fetch(fake.url, {
    method: 'POST',
    headers: {
      ...signed,
      authorization,
      'x-tc-version': '2019-01-07',
      'x-tc-region': 'ap-guangzhou',
      'x-tc-timestamp': String(timestamp),
    },
    body,
  })
  const text = await res.text()
  return { status: res.status, answer: JSON.parse(text) as Answer, text }
}

const errorOf = (answer: Answer) => answer.Response.Error

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('the stand-in reads requests as the API does', () => {
  it.each([
    { name: 'application/json, compact', contentType: 'application/json', body: '{"FlowId":123}' },
    {
      name: "application/json; charset=utf-8, as Tencent's signature docs send it",
      contentType: 'application/json; charset=utf-8',
      body: '{"FlowId":123}',
    },
    { name: 'JSON with spaces and newlines', contentType: 'application/json', body: '{\n  "FlowId" : 123\n}' },
  ])('accepts $name', async ({ contentType, body }) => {
    const fake = await start({ flows: { '123': [2] } })
    const { status, answer } = await call(fake, 'DescribeFlow', body, contentType)
    expect(status).toBe(200)
    expect(answer.Response).toEqual({ Status: 2, RequestId: expect.stringMatching(UUID) })
  })

  it('keeps every digit of a flow ID past 2^53 in any JSON layout', async () => {
    const fake = await start({ flows: { '9007199254740993': [0] } })
    const { answer } = await call(fake, 'DescribeFlow', '{ "FlowId": 9007199254740993 }')
    expect(answer.Response.Status).toBe(0)
  })

  it('refuses a content type that is not JSON', async () => {
    const fake = await start({ flows: { '123': [2] } })
    const { answer } = await call(fake, 'DescribeFlow', '{"FlowId":123}', 'text/plain')
    expect(errorOf(answer)?.Code).toBe('InvalidParameter')
  })

  it('gives every answer a RequestId of its own, a UUID as the real ones are', async () => {
    const fake = await start({ flows: { '123': [2] } })
    const ids = [
      (await call(fake, 'DescribeFlow', '{"FlowId":123}')).answer.Response.RequestId,
      (await call(fake, 'DescribeFlow', '{"FlowId":999}')).answer.Response.RequestId, // an error answer too
    ]
    expect(ids).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)])
    expect(new Set(ids).size).toBe(2)
    expect(fake.requests.map((r) => r.requestId)).toEqual(ids)
  })
})

describe('the stand-in checks every request against the model', () => {
  it.each([
    {
      name: 'an unknown action',
      action: 'DescribeFlows',
      body: '{"FlowId":1}',
      error: {
        Code: 'InvalidAction',
        Message:
          'The request action=`DescribeFlows` is invalid or not found in service=`cynosdb` and version=`2019-01-07`.',
      },
    },
    {
      name: 'a parameter the model lacks (DescribeFlow)',
      action: 'DescribeFlow',
      body: '{"FlowId":1,"Region":"ap-guangzhou"}',
      error: { Code: 'UnknownParameter', Message: 'The parameter `Region` is not recognized.' },
    },
    {
      name: 'a misspelt parameter (DescribeTasks)',
      action: 'DescribeTasks',
      body: '{"Limit":100,"Ofset":0}',
      error: { Code: 'UnknownParameter', Message: 'The parameter `Ofset` is not recognized.' },
    },
    {
      name: 'a field a filter lacks',
      action: 'DescribeTasks',
      body: '{"Filters":[{"Names":["TaskId"],"Values":["1"],"Exact":true}]}',
      error: { Code: 'UnknownParameter', Message: 'The parameter `Filters.0.Exact` is not recognized.' },
    },
    {
      name: 'a missing required parameter',
      action: 'DescribeFlow',
      body: '{}',
      error: { Code: 'MissingParameter', Message: 'The request is missing a required parameter `FlowId`.' },
    },
    {
      name: 'a flow ID as a string',
      action: 'DescribeFlow',
      body: '{"FlowId":"123"}',
      error: { Code: 'InvalidParameter', Message: 'The value type of parameter `FlowId` is not valid.' },
    },
    {
      name: 'a flow ID that is not whole',
      action: 'DescribeFlow',
      body: '{"FlowId":12.5}',
      error: { Code: 'InvalidParameter', Message: 'The value type of parameter `FlowId` is not valid.' },
    },
    {
      name: 'a body that is not JSON',
      action: 'DescribeFlow',
      body: 'FlowId=123',
      error: { Code: 'InvalidParameter', Message: 'The request body is not JSON.' },
    },
    {
      name: 'a value outside its documented range',
      action: 'DescribeInstances',
      body: '{"Limit":1000}',
      error: {
        Code: 'InvalidParameterValue',
        Message: 'The Limit parameter value is invalid and should meet the rule: (0,100]',
      },
    },
  ])('refuses $name in the API error shape, HTTP 200', async ({ action, body, error }) => {
    const fake = await start({ flows: { '1': [0], '123': [0] } })
    const { status, answer } = await call(fake, action, body)
    expect(status).toBe(200)
    expect(answer).toEqual({ Response: { Error: error, RequestId: expect.stringMatching(UUID) } })
    expect(fake.requests.map((r) => r.answer)).toEqual([error.Code])
  })

  it('checks the signature first: a bad one is refused whatever the body', async () => {
    const fake = await start({ keys: { [KEY.secretId]: { secretKey: 'another-key' } } })
    const { answer } = await call(fake, 'DescribeFlow', '{"Nonsense":1}')
    expect(errorOf(answer)?.Code).toBe('AuthFailure.SignatureFailure')
  })

  it('refuses a request that used a field once a modified model lacks it', async () => {
    // the model as it would be if the SDK renamed DescribeFlow's FlowId
    const model = structuredClone(API_MODELS.cynosdb) as ApiModel & { structs: Record<string, unknown> }
    model.structs.DescribeFlowRequest = { FlowID: { type: 'number', required: true } }
    const fake = await start({ flows: { '123': [0] }, models: { cynosdb: model } })
    const { answer } = await call(fake, 'DescribeFlow', '{"FlowId":123}')
    expect(errorOf(answer)).toEqual({ Code: 'UnknownParameter', Message: 'The parameter `FlowId` is not recognized.' })
    // the same request is fine with the model as generated
    await server?.close()
    const plain = await start({ flows: { '123': [0] } })
    expect((await call(plain, 'DescribeFlow', '{"FlowId":123}')).answer.Response.Status).toBe(0)
  })
})

describe('STS AssumeRoleWithWebIdentity against its model', () => {
  const OIDC = { idToken: 'id', requestToken: 'rt', roleArn: 'qcs::cam::uin/1:roleName/ci', providerId: 'github' }
  const role = {
    ProviderId: OIDC.providerId,
    WebIdentityToken: githubIdToken('id', 'sts.tencentcloudapi.com'),
    RoleArn: OIDC.roleArn,
    RoleSessionName: 'ci-1',
  }
  const assume = async (fake: FakeTencent, params: Record<string, unknown>): Promise<Answer> => {
    const res = await fetch(fake.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'SKIP',
        'x-tc-action': 'AssumeRoleWithWebIdentity',
        'x-tc-version': '2018-08-13',
        'x-tc-region': 'ap-guangzhou',
        'x-tc-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: JSON.stringify(params),
    })
    return (await res.json()) as Answer
  }

  it.each([
    { name: 'the request the action sends', params: { ...role, DurationSeconds: 3600 }, code: undefined },
    { name: 'no RoleArn', params: { ...role, RoleArn: undefined }, code: 'MissingParameter' },
    { name: 'DurationSeconds past 43200', params: { ...role, DurationSeconds: 43201 }, code: 'InvalidParameterValue' },
    {
      name: 'a RoleSessionName with a slash',
      params: { ...role, RoleSessionName: 'a/b' },
      code: 'InvalidParameterValue',
    },
    { name: 'a field STS does not know', params: { ...role, Audience: 'sts' }, code: 'UnknownParameter' },
  ])('$name', async ({ params, code }) => {
    const fake = await start({ oidc: OIDC })
    const answer = await assume(fake, params)
    expect(errorOf(answer)?.Code).toBe(code)
    if (!code) expect(answer.Response).toMatchObject({ Credentials: { TmpSecretId: expect.any(String) } })
  })
})

describe('actions the stand-in has no plan for', () => {
  it('answers a valid call of any other CynosDB action with its RequestId alone', async () => {
    const fake = await start()
    const { answer } = await call(fake, 'DescribeClusters', '{"DbType":"MYSQL","Limit":10}')
    expect(answer).toEqual({ Response: { RequestId: expect.stringMatching(UUID) } })
  })

  it('still checks such a call against the model', async () => {
    const fake = await start()
    const { answer } = await call(fake, 'CreateAccounts', '{"ClusterId":"cynosdbmysql-x"}')
    expect(errorOf(answer)).toEqual({
      Code: 'MissingParameter',
      Message: 'The request is missing a required parameter `Accounts`.',
    })
  })
})

describe('DescribeTasks, by task ID', () => {
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
    (await call(await start(options), 'DescribeTasks', JSON.stringify(params))).answer

  it.each([
    { name: 'everything, without parameters', params: {}, want: ['11', '12', '13'] },
    { name: 'StartTimeBegin', params: { StartTimeBegin: '2026-01-02 00:00:00' }, want: ['12', '13'] },
    { name: 'StartTimeEnd', params: { StartTimeEnd: '2026-01-02 10:00:00' }, want: ['11', '12'] },
    {
      name: 'both',
      params: { StartTimeBegin: '2026-01-02 00:00:00', StartTimeEnd: '2026-01-02 23:59:59' },
      want: ['12'],
    },
    {
      name: 'a TaskId filter',
      params: { Filters: [{ Names: ['TaskId'], Values: ['12'], ExactMatch: true }] },
      want: ['12'],
    },
    { name: 'filter names in any case', params: { Filters: [{ Names: ['taskid'], Values: ['13'] }] }, want: ['13'] },
    {
      name: 'the single Name form',
      params: { Filters: [{ Name: 'ClusterId', Values: ['cynosdbmysql-a'] }] },
      want: ['11', '13'],
    },
    {
      name: 'several values (OR)',
      params: { Filters: [{ Names: ['TaskId'], Values: ['11', '13'] }] },
      want: ['11', '13'],
    },
    {
      name: 'several names (OR)',
      params: { Filters: [{ Names: ['ClusterId', 'InstanceId'], Values: ['cynosdbmysql-b', 'cynosdbmysql-ins-a1'] }] },
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
    {
      name: 'an ID filter matches exactly',
      params: { Filters: [{ Names: ['ClusterId'], Values: ['cynosdbmysql'] }] },
      want: [],
    },
    {
      name: 'a TaskType filter',
      params: { Filters: [{ Names: ['TaskType'], Values: ['UpgradeInstance'] }] },
      want: ['12'],
    },
    {
      name: 'an InstanceId filter',
      params: { Filters: [{ Names: ['InstanceId'], Values: ['cynosdbmysql-ins-a1'] }] },
      want: ['13'],
    },
    { name: 'Limit', params: { Limit: 2 }, want: ['11', '12'] },
    { name: 'Offset', params: { Limit: 2, Offset: 2 }, want: ['13'] },
  ])('honours $name', async ({ params, want }) => {
    const answer = await tasks(params)
    expect(ids(answer)).toEqual(want)
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
    {
      name: 'a filter on a field DescribeTasks does not support',
      params: { Filters: [{ Names: ['FlowId'], Values: ['101'] }] },
    },
    { name: 'a filter naming no field', params: { Filters: [{ Values: ['101'] }] } },
  ])('refuses $name with InvalidParameterValue', async ({ params }) => {
    expect(errorOf(await tasks(params))?.Code).toBe('InvalidParameterValue')
  })

  it('answers a task as BizTaskInfo, its FlowId with every digit past 2^53', async () => {
    const fake = await start({
      taskList: {
        '9007199254740995': task({
          flowId: '9007199254740993',
          instanceId: 'cynosdbmysql-ins-x',
          errMsg: 'disk full',
          progress: [40],
        }),
      },
    })
    const { text, answer } = await call(fake, 'DescribeTasks', '{}')
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
    const fake = await start({
      taskList: { '7': task({ statuses: ['running', 'running', 'failed'], progress: [10, 50] }) },
    })
    const seen = []
    for (let i = 0; i < 4; i++) {
      const [info] = (await call(fake, 'DescribeTasks', '{}')).answer.Response.TaskList as {
        Status: string
        Process: number
      }[]
      seen.push(`${info?.Status} ${info?.Process}`)
    }
    expect(seen).toEqual(['running 10', 'running 50', 'failed 50', 'failed 50'])
  })

  it('hides a task from the first listedAfter answers that would list it', async () => {
    const fake = await start({ taskList: { '7': task({ listedAfter: 2 }), '8': task() } })
    const lists = []
    for (let i = 0; i < 3; i++) lists.push(ids((await call(fake, 'DescribeTasks', '{}')).answer))
    // an answer whose filters leave it out does not count
    await call(fake, 'DescribeTasks', '{"Filters":[{"Names":["TaskId"],"Values":["8"]}]}')
    expect(lists).toEqual([['8'], ['8'], ['7', '8']])
  })

  it('refuses a plan it cannot play when it starts', async () => {
    await expect(startFakeTencent({ taskList: { abc: task() } })).rejects.toThrow(/taskList "abc": a task ID/)
    await expect(startFakeTencent({ taskList: { '1': task({ flowId: '0x10' }) } })).rejects.toThrow(/flowId/)
    await expect(startFakeTencent({ taskList: { '1': task({ statuses: [] }) } })).rejects.toThrow(/statuses/)
  })
})

describe('DescribeResourcesByDealName', () => {
  // The documented example: one DealName, two clusters (tencentcloud.com/document/product/1098/40735).
  const documented = {
    '201302542054': {
      clusters: [
        { clusterId: 'cynosdbmysql-r8ewihg4', instanceIds: ['cynosdbmysql-ins-pecl0drs'] },
        { clusterId: 'cynosdbmysql-hjosrxhu', instanceIds: ['cynosdbmysql-ins-7f59pahg'] },
      ],
    },
    'deal-2': { clusterId: 'cynosdbmysql-x', instanceIds: ['cynosdbmysql-ins-x1', 'cynosdbmysql-ins-x2'] },
    late: { clusterId: 'cynosdbmysql-y', instanceIds: [], deliveredAfter: 2 },
  }
  const resources = async (params: Record<string, unknown>) =>
    (await call(await start({ deals: documented }), 'DescribeResourcesByDealName', JSON.stringify(params))).answer

  it('answers one BillingResourceInfo per cluster of a deal, as the documented example does', async () => {
    expect((await resources({ DealName: '201302542054' })).Response.BillingResourceInfos).toEqual([
      { ClusterId: 'cynosdbmysql-r8ewihg4', InstanceIds: ['cynosdbmysql-ins-pecl0drs'], DealName: '201302542054' },
      { ClusterId: 'cynosdbmysql-hjosrxhu', InstanceIds: ['cynosdbmysql-ins-7f59pahg'], DealName: '201302542054' },
    ])
  })

  it.each([
    {
      name: 'DealNames, in order',
      params: { DealNames: ['deal-2', '201302542054'] },
      want: ['x', 'r8ewihg4', 'hjosrxhu'],
    },
    {
      name: 'DealName over DealNames when both are given',
      params: { DealName: 'deal-2', DealNames: ['201302542054'] },
      want: ['x'],
    },
  ])('takes $name', async ({ params, want }) => {
    const infos = (await resources(params)).Response.BillingResourceInfos as { ClusterId: string }[]
    expect(infos.map((i) => i.ClusterId.replace('cynosdbmysql-', ''))).toEqual(want)
  })

  it.each([
    { name: 'neither DealName nor DealNames', params: {}, code: 'MissingParameter' },
    { name: 'an empty DealNames', params: { DealNames: [] }, code: 'MissingParameter' },
    {
      name: 'a deal it does not know',
      params: { DealNames: ['deal-2', 'nope'] },
      code: 'InvalidParameterValue.DealNameNotFound',
    },
  ])('refuses $name', async ({ params, code }) => {
    expect(errorOf(await resources(params))?.Code).toBe(code)
  })

  it('answers DealNameNotFound until a deal is delivered', async () => {
    const fake = await start({ deals: documented })
    for (let i = 0; i < 3; i++) await call(fake, 'DescribeResourcesByDealName', '{"DealName":"late"}')
    expect(fake.requests.map((r) => r.answer)).toEqual([
      'InvalidParameterValue.DealNameNotFound',
      'InvalidParameterValue.DealNameNotFound',
      'delivered',
    ])
  })

  it.each([
    { name: 'a deal of no clusters', deal: { clusters: [] } },
    { name: 'a cluster without instanceIds', deal: { clusters: [{ clusterId: 'c' }] } },
  ])('refuses $name when it starts', async ({ deal }) => {
    await expect(startFakeTencent({ deals: { d: deal as unknown as DealPlan } })).rejects.toThrow(/^deals: /)
  })
})

describe('DescribeInstances', () => {
  const deals = {
    d: {
      clusters: [
        { clusterId: 'cynosdbmysql-a', instanceIds: ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2'] },
        { clusterId: 'cynosdbmysql-b', instanceIds: ['cynosdbmysql-ins-b1'] },
      ],
    },
  }
  const instances = {
    'cynosdbmysql-ins-a1': ['creating', 'running'],
    'cynosdbmysql-ins-a2': ['running'],
    'cynosdbmysql-ins-b1': ['isolated'],
    'cynosdbmysql-ins-unplanned': [],
  }
  const listed = (answer: Answer): string[] =>
    ((answer.Response.InstanceSet ?? []) as { InstanceId: string }[]).map((i) =>
      i.InstanceId.replace('cynosdbmysql-ins-', ''),
    )
  const list = async (params: Record<string, unknown>) =>
    (await call(await start({ deals, instances }), 'DescribeInstances', JSON.stringify(params))).answer

  it.each([
    { name: 'no parameters at all', params: {}, want: ['a1', 'a2', 'b1'], total: 3 },
    {
      name: 'InstanceIds',
      params: { InstanceIds: ['cynosdbmysql-ins-b1', 'cynosdbmysql-ins-a1'] },
      want: ['a1', 'b1'],
      total: 2,
    },
    { name: 'Limit', params: { Limit: 2 }, want: ['a1', 'a2'], total: 3 },
    { name: 'Offset', params: { Limit: 2, Offset: 2 }, want: ['b1'], total: 3 },
    { name: 'Status', params: { Status: 'running' }, want: ['a2'], total: 1 },
    {
      name: 'a ClusterId filter',
      params: { Filters: [{ Names: ['ClusterId'], Values: ['cynosdbmysql-a'] }] },
      want: ['a1', 'a2'],
      total: 2,
    },
    {
      name: "the documented example's lower-case status filter",
      params: { Filters: [{ Names: ['status'], Values: ['isolated'], ExactMatch: true, Name: '', Operator: '' }] },
      want: ['b1'],
      total: 1,
    },
    {
      name: 'two filters (AND)',
      params: {
        Filters: [
          { Names: ['ClusterId'], Values: ['cynosdbmysql-a'] },
          { Name: 'InstanceId', Values: ['cynosdbmysql-ins-a2', 'cynosdbmysql-ins-b1'] },
        ],
      },
      want: ['a2'],
      total: 1,
    },
  ])('honours $name', async ({ params, want, total }) => {
    const answer = await list(params)
    expect(listed(answer)).toEqual(want)
    expect(answer.Response.TotalCount).toBe(total)
  })

  it('answers InstanceId, ClusterId and Status', async () => {
    expect((await list({ InstanceIds: ['cynosdbmysql-ins-a1'] })).Response.InstanceSet).toEqual([
      { InstanceId: 'cynosdbmysql-ins-a1', ClusterId: 'cynosdbmysql-a', Status: 'creating' },
    ])
  })

  it('lists 20 by default and refuses a Limit past the documented 100', async () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`cynosdbmysql-ins-${i}`, ['running']]))
    const fake = await start({ instances: many })
    expect(listed((await call(fake, 'DescribeInstances', '{}')).answer)).toHaveLength(20)
    expect(errorOf((await call(fake, 'DescribeInstances', '{"Limit":101}')).answer)?.Code).toBe('InvalidParameterValue')
  })

  it("moves an instance's status on once per answer that lists it", async () => {
    const fake = await start({ deals, instances })
    const statuses = async (params: object) =>
      (
        (await call(fake, 'DescribeInstances', JSON.stringify(params))).answer.Response.InstanceSet as {
          Status: string
        }[]
      ).map((i) => i.Status)
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a2'] })).toEqual(['running']) // a1 not listed
    expect(await statuses({ Limit: 1, Offset: 1 })).toEqual(['running']) // a1 matched but not on the page
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a1'] })).toEqual(['creating'])
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a1'] })).toEqual(['running'])
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a1'] })).toEqual(['running'])
  })

  it('refuses a filter DescribeInstances does not document', async () => {
    expect(errorOf(await list({ Filters: [{ Names: ['Zone'], Values: ['ap-guangzhou-3'] }] }))?.Code).toBe(
      'InvalidParameterValue',
    )
  })

  it('refuses an undocumented instance status when it starts', async () => {
    await expect(startFakeTencent({ instances: { 'cynosdbmysql-ins-x': ['booting'] } })).rejects.toThrow(
      /instances "cynosdbmysql-ins-x": statuses are creating, running/,
    )
  })
})

describe('change calls (changes)', () => {
  // ModifyInstanceParam's documented example request (tencentcloud.com/document/api/1098/*, tccli's examples)
  const params = {
    InstanceParamList: [{ CurrentValue: '2', ParamName: 'innodb_stats_transient_sample_pages' }],
    ClusterId: 'cynosdbmysql-ge5ck0jr',
    InstanceIds: ['cynosdbmysql-ins-kzavkukw'],
    IsInMaintainPeriod: 'no',
  }

  it('answers the planned fields with a RequestId, and records the request with its body', async () => {
    const fake = await start({ changes: { ModifyInstanceParam: [{ answer: { FlowId: 1103611 } }] } })
    const { answer } = await call(fake, 'ModifyInstanceParam', JSON.stringify(params))
    expect(answer).toEqual({ Response: { FlowId: 1103611, RequestId: expect.stringMatching(UUID) } })
    const sent = fake.requests.filter((r) => r.action === 'ModifyInstanceParam')
    expect(sent.map((r) => JSON.parse(r.body))).toEqual([params])
    expect(sent.map((r) => r.answer)).toEqual(['{"FlowId":1103611}'])
  })

  it('plays one step per call, the last repeating, faults included', async () => {
    const fake = await start({
      changes: {
        RestartInstance: [{ error: 'RequestLimitExceeded' }, { http: 502 }, { answer: { FlowId: 147262 } }],
      },
    })
    for (let i = 0; i < 4; i++) {
      // the 502 is an HTML page: the helper cannot read it, the stand-in's record can
      await call(fake, 'RestartInstance', '{"InstanceId":"cynosdbmysql-ins-qwerasd"}').catch(() => undefined)
    }
    expect(fake.requests.filter((r) => r.action === 'RestartInstance').map((r) => r.answer)).toEqual([
      'RequestLimitExceeded',
      'http 502',
      '{"FlowId":147262}',
      '{"FlowId":147262}',
    ])
  })

  it('writes an ID past 2^53 with every digit', async () => {
    const fake = await start({ changes: { ResumeServerless: [{ answer: { FlowId: 9007199254740993n } }] } })
    const { text } = await call(fake, 'ResumeServerless', '{"ClusterId":"cynosdbmysql-xxxx"}')
    expect(text).toMatch(/^\{"Response":\{"FlowId":9007199254740993,"RequestId":"[0-9a-f-]{36}"\}\}$/)
  })

  it('still checks the request against the model', async () => {
    const fake = await start({ changes: { ModifyInstanceParam: [{ answer: { FlowId: 1 } }] } })
    const { answer } = await call(fake, 'ModifyInstanceParam', JSON.stringify({ ...params, ClusterID: 'x' }))
    expect(errorOf(answer)?.Code).toBe('UnknownParameter')
    expect(fake.requests.map((r) => r.answer)).toEqual(['UnknownParameter'])
  })

  it.each([
    {
      name: 'a field the response does not have',
      changes: { ModifyInstanceParam: [{ answer: { TaskId: 1 } }] },
      error:
        /changes "ModifyInstanceParam": \{"TaskId":1\} is not a ModifyInstanceParamResponse: The parameter `TaskId` is not recognized\./,
    },
    {
      name: 'a field of the wrong type',
      changes: { RestartInstance: [{ answer: { FlowId: '147262' } }] },
      error: /not a RestartInstanceResponse: The value type of parameter `FlowId` is not valid/,
    },
    {
      name: 'a wrong type deep inside',
      changes: { ModifyClusterReadOnly: [{ answer: { ClusterTaskIds: [{ ClusterId: 'c', TaskId: 1 }] } }] },
      error: /`ClusterTaskIds\.0\.TaskId`/,
    },
    {
      name: 'a RequestId',
      changes: { CreateAccounts: [{ answer: { RequestId: 'x' } }] },
      error: /RequestId is the stand-in's to give/,
    },
    {
      name: 'an action the model lacks',
      changes: { ModifyInstanceParams: [{ answer: {} }] },
      error: /not a CynosDB action \(nearest: ModifyInstanceParam/,
    },
    {
      name: 'an action the stand-in models itself',
      changes: { DescribeFlow: [{ answer: { Status: 0 } }] },
      error: /answers it from its other options/,
    },
    { name: 'no steps', changes: { CreateClusters: [] }, error: /a non-empty list of steps/ },
    {
      name: 'a step that is neither',
      changes: { CreateClusters: [{ status: 0 }] },
      error: /neither \{"answer":\{...\}\} nor a fault/,
    },
  ])('refuses, when it starts, $name', async ({ changes, error }) => {
    await expect(startFakeTencent({ changes: changes as unknown as FakeTencentOptions['changes'] })).rejects.toThrow(
      error,
    )
  })

  it("checks answers against the model it is given: a modified copy's response refuses the field it lacks", async () => {
    const model = structuredClone(API_MODELS.cynosdb) as ApiModel & { structs: Record<string, unknown> }
    model.structs.ModifyInstanceParamResponse = { RequestId: { type: 'string', required: false } }
    const changes = { ModifyInstanceParam: [{ answer: { FlowId: 1 } }] }
    await expect(startFakeTencent({ changes, models: { cynosdb: model } })).rejects.toThrow(
      /`FlowId` is not recognized/,
    )
  })
})

describe('npm run stand-in (scripts/stand-in.ts)', () => {
  const cli = (args: string[]) => {
    const child = spawn(process.execPath, ['scripts/stand-in.ts', '--key', `${KEY.secretId}:${KEY.secretKey}`, ...args])
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    return { child, output: () => output, exited }
  }

  it.each([
    { name: 'the old --tasks', args: ['--tasks', '{}'], says: /^stand-in: --tasks was replaced by --task-list/ },
    {
      name: '--task-list that is not JSON',
      args: ['--task-list', 'nope'],
      says: /^stand-in: --task-list must be JSON/,
    },
    {
      name: 'a task ID that is not one',
      args: ['--task-list', '{"x":{"taskType":"X"}}'],
      says: /^stand-in: taskList "x": a task ID/,
    },
    { name: 'a deal of no clusters', args: ['--deals', '{"d":{"clusters":[]}}'], says: /^stand-in: deals: / },
    {
      name: 'an undocumented instance status',
      args: ['--instances', '{"i":["booting"]}'],
      says: /^stand-in: instances "i"/,
    },
    {
      name: 'a change answer of the wrong type',
      args: ['--changes', '{"RestartInstance":[{"answer":{"FlowId":"1"}}]}'],
      says: /^stand-in: changes "RestartInstance": \{"FlowId":"1"\} is not a RestartInstanceResponse: The value type of parameter `FlowId` is not valid\./,
    },
    {
      name: 'a change of an unknown action',
      args: ['--changes', '{"RestartInstances":[]}'],
      says: /^stand-in: changes "RestartInstances": not a CynosDB action \(nearest: RestartInstance/,
    },
  ])('ends $name with a usage error and no stack trace', async ({ args, says }) => {
    const run = cli(['--port', '0', ...args])
    expect(await run.exited).toBe(2)
    expect(run.output()).toMatch(says)
    expect(run.output()).toMatch(/\nUsage: npm run stand-in/)
    expect(run.output()).not.toMatch(/\n\s+at /)
  })

  it('plays --task-list, a multi-cluster --deals and --changes, and prints each request', async () => {
    const run = cli([
      '--port',
      '0',
      '--task-list',
      '{"4001":{"flowId":"123","taskType":"ModifyInstance","statuses":["running","success"]}}',
      '--deals',
      '{"d":{"clusters":[{"clusterId":"cynosdbmysql-a","instanceIds":["cynosdbmysql-ins-a"]},{"clusterId":"cynosdbmysql-b","instanceIds":[]}]}}',
      '--changes',
      '{"ModifyInstanceParam":[{"answer":{"FlowId":123}}]}',
    ])
    try {
      await expect.poll(run.output, { timeout: 10_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1] ?? ''
      const standIn = { url, host: new URL(url).host }
      const tasks = await call(standIn, 'DescribeTasks', '{"Filters":[{"Names":["TaskId"],"Values":["4001"]}]}')
      expect(tasks.answer.Response.TaskList).toEqual([expect.objectContaining({ FlowId: 123, Status: 'running' })])
      const deal = await call(standIn, 'DescribeResourcesByDealName', '{"DealName":"d"}')
      expect(deal.answer.Response.BillingResourceInfos).toHaveLength(2)
      const change = await call(standIn, 'ModifyInstanceParam', '{"ClusterId":"cynosdbmysql-a"}')
      expect(change.answer.Response.FlowId).toBe(123)
      await expect.poll(run.output).toMatch(/ ModifyInstanceParam -> \{"FlowId":123\}\n/)
      expect(run.output()).toMatch(/ DescribeTasks -> tasks 1 of 1\n/)
      expect(run.output()).toMatch(/ DescribeResourcesByDealName -> delivered\n/)
    } finally {
      run.child.kill()
      await run.exited
    }
  })
})
