// The API model generated from the official SDK (scripts/gen-api-model.ts) and the one validator of requests
// against it (src/tencent/api-model.ts).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generate, OUTPUTS } from '../scripts/gen-api-model.ts'
import { checkRequest, checkStruct, nearestNames, type ApiModel } from '../src/tencent/api-model.ts'

const generated = generate()
const committed = Object.fromEntries(
  Object.entries(OUTPUTS).map(([name, file]) => [name, readFileSync(file, 'utf8')]),
) as Record<keyof typeof OUTPUTS, string>
const cynosdb = JSON.parse(committed.cynosdb) as ApiModel
const sts = JSON.parse(committed.sts) as ApiModel
const requests = JSON.parse(committed.requests) as ApiModel & {
  actions: Record<string, { request: string; answers: string[] }>
}

describe('the generated model', () => {
  it.each(Object.keys(OUTPUTS) as (keyof typeof OUTPUTS)[])(
    '%s is what the installed SDK says (run npm run gen-model after updating it)',
    (name) => {
      expect(committed[name] === generated[name]).toBe(true)
    },
  )

  it('is the same text every time it is generated', () => {
    expect(generate()).toEqual(generated)
  })

  it('names its source and the API versions the clients send', () => {
    const version = (
      JSON.parse(readFileSync('node_modules/tencentcloud-sdk-nodejs/package.json', 'utf8')) as {
        version: string
      }
    ).version
    expect(cynosdb).toMatchObject({
      sdk: `tencentcloud-sdk-nodejs@${version}`,
      service: 'cynosdb',
      version: '2019-01-07',
    })
    expect(sts).toMatchObject({ service: 'sts', version: '2018-08-13' })
    expect(requests).toMatchObject({ service: 'cynosdb', version: '2019-01-07' })
  })

  it('has every action of the CynosDB client, and every struct its requests and answers use', () => {
    // cynosdb_client.d.ts lists 242 actions (the per-service package of April had 170)
    expect(Object.keys(cynosdb.actions)).toHaveLength(242)
    const used = new Set<string>()
    const visit = (name: string): void => {
      if (used.has(name)) return
      used.add(name)
      for (const field of Object.values(cynosdb.structs[name] ?? {})) {
        const type = field.type.replace(/(\[\])+$/, '')
        if (!['string', 'number', 'boolean'].includes(type)) visit(type)
      }
    }
    for (const action of Object.values(cynosdb.actions)) {
      visit(action.request)
      visit(action.response ?? '')
    }
    expect([...used].sort()).toEqual(Object.keys(cynosdb.structs).sort())
  })

  it.each([
    {
      name: "DescribeFlow's FlowId is a required number",
      model: cynosdb,
      struct: 'DescribeFlowRequest',
      field: 'FlowId',
      is: { type: 'number', required: true },
    },
    {
      name: "DescribeTasks's StartTimeBegin",
      model: cynosdb,
      struct: 'DescribeTasksRequest',
      field: 'StartTimeBegin',
      is: { type: 'string', required: false },
    },
    {
      name: "DescribeTasks's StartTimeEnd",
      model: cynosdb,
      struct: 'DescribeTasksRequest',
      field: 'StartTimeEnd',
      is: { type: 'string', required: false },
    },
    {
      name: "DescribeTasks's Filters",
      model: cynosdb,
      struct: 'DescribeTasksRequest',
      field: 'Filters',
      is: { type: 'QueryFilter[]', required: false },
    },
    {
      name: "DescribeTasks's Limit",
      model: cynosdb,
      struct: 'DescribeTasksRequest',
      field: 'Limit',
      is: { type: 'number', required: false },
    },
    {
      name: "DescribeTasks's Offset",
      model: cynosdb,
      struct: 'DescribeTasksRequest',
      field: 'Offset',
      is: { type: 'number', required: false },
    },
    {
      name: "a QueryFilter's Values are required",
      model: cynosdb,
      struct: 'QueryFilter',
      field: 'Values',
      is: { type: 'string[]', required: true },
    },
    {
      name: "DescribeInstances's InstanceIds are optional",
      model: cynosdb,
      struct: 'DescribeInstancesRequest',
      field: 'InstanceIds',
      is: { type: 'string[]', required: false },
    },
    {
      name: 'ModifyClusterReadOnly answers ClusterTaskIds',
      model: cynosdb,
      struct: 'ModifyClusterReadOnlyResponse',
      field: 'ClusterTaskIds',
      is: { type: 'ClusterTaskId[]', required: false },
    },
    {
      name: 'CreateClusters answers DealNames',
      model: cynosdb,
      struct: 'CreateClustersResponse',
      field: 'DealNames',
      is: { type: 'string[]', required: false },
    },
    {
      name: 'a BizTaskInfo carries its FlowId',
      model: cynosdb,
      struct: 'BizTaskInfo',
      field: 'FlowId',
      is: { type: 'number', required: false },
    },
    {
      name: 'Array<number | bigint> is a number[]',
      model: cynosdb,
      struct: 'DescribeParamTemplatesRequest',
      field: 'TemplateIds',
      is: { type: 'number[]', required: false },
    },
    {
      name: 'STS ProviderId is required',
      model: sts,
      struct: 'AssumeRoleWithWebIdentityRequest',
      field: 'ProviderId',
      is: { type: 'string', required: true },
    },
    {
      name: 'STS WebIdentityToken is required',
      model: sts,
      struct: 'AssumeRoleWithWebIdentityRequest',
      field: 'WebIdentityToken',
      is: { type: 'string', required: true },
    },
    {
      name: 'STS RoleArn is required',
      model: sts,
      struct: 'AssumeRoleWithWebIdentityRequest',
      field: 'RoleArn',
      is: { type: 'string', required: true },
    },
    {
      name: 'STS RoleSessionName is required',
      model: sts,
      struct: 'AssumeRoleWithWebIdentityRequest',
      field: 'RoleSessionName',
      is: { type: 'string', required: true },
    },
    {
      name: 'STS DurationSeconds is optional',
      model: sts,
      struct: 'AssumeRoleWithWebIdentityRequest',
      field: 'DurationSeconds',
      is: { type: 'number', required: false },
    },
    {
      name: 'STS answers Credentials',
      model: sts,
      struct: 'AssumeRoleWithWebIdentityResponse',
      field: 'Credentials',
      is: { type: 'Credentials', required: false },
    },
  ])('$name', ({ model, struct, field, is }) => {
    expect(model.structs[struct]?.[field]).toEqual(is)
  })

  it('knows exactly the request fields the docs list for DescribeTasks and AssumeRoleWithWebIdentity', () => {
    expect(Object.keys(cynosdb.structs.DescribeTasksRequest ?? {}).sort()).toEqual([
      'Filters',
      'Limit',
      'Offset',
      'StartTimeBegin',
      'StartTimeEnd',
    ])
    expect(Object.keys(sts.structs.AssumeRoleWithWebIdentityRequest ?? {}).sort()).toEqual([
      'DurationSeconds',
      'ProviderId',
      'RoleArn',
      'RoleSessionName',
      'WebIdentityToken',
    ])
  })

  it('bundles CynosDB requests only, with the names of each answer', () => {
    expect(committed.requests.split('\n')).toHaveLength(2) // one line: it is bundled, not read
    expect(Object.keys(requests.actions)).toEqual(Object.keys(cynosdb.actions))
    expect(requests.actions.DescribeFlow).toEqual({ request: 'DescribeFlowRequest', answers: ['Status'] })
    expect(requests.actions.ModifyClusterReadOnly?.answers).toEqual(['ClusterTaskIds'])
    expect(requests.actions.CreateClusters?.answers).toContain('DealNames')
    expect(requests.structs.QueryFilter).toEqual(cynosdb.structs.QueryFilter)
    // answers' structs are left out
    expect(requests.structs.BizTaskInfo).toBeUndefined()
    expect(requests.structs.DescribeFlowResponse).toBeUndefined()
  })
})

describe('checkRequest', () => {
  const codes = (model: ApiModel, action: string, params: unknown) =>
    checkRequest(model, action, params).map(({ code, path }) => `${code} ${path}`)

  it.each([
    { name: 'a DescribeFlow', action: 'DescribeFlow', params: { FlowId: 123 } },
    { name: 'a FlowId past 2^53 (a bigint)', action: 'DescribeFlow', params: { FlowId: 9007199254740993n } },
    { name: 'DescribeTasks with nothing', action: 'DescribeTasks', params: {} },
    {
      name: 'DescribeTasks with a filter and a window',
      action: 'DescribeTasks',
      params: {
        StartTimeBegin: '2026-01-01 00:00:00',
        StartTimeEnd: '2026-01-02 00:00:00',
        Filters: [{ Names: ['TaskId'], Values: ['42'], ExactMatch: true }],
        Limit: 100,
        Offset: 0,
      },
    },
    { name: 'DescribeInstances at its limit', action: 'DescribeInstances', params: { Limit: 100, Offset: 0 } },
    { name: 'an action without parameters', action: 'DescribeLibraDBVersion', params: {} },
  ])('accepts $name', ({ action, params }) => {
    expect(checkRequest(cynosdb, action, params)).toEqual([])
  })

  it.each([
    {
      name: 'an unknown action, with the nearest names',
      action: 'DescribeFlows',
      params: {},
      want: [
        {
          code: 'InvalidAction',
          path: '',
          message:
            'The request action=`DescribeFlows` is invalid or not found in service=`cynosdb` and version=`2019-01-07`.',
          suggestions: ['DescribeFlow'],
        },
      ],
    },
    {
      name: 'a body that is not an object',
      action: 'DescribeFlow',
      params: [1],
      want: [
        { code: 'InvalidParameter', path: '', message: 'The request body must be a JSON object.', suggestions: [] },
      ],
    },
    {
      name: 'an unknown parameter, with the nearest valid names ignoring case',
      action: 'DescribeTasks',
      params: { limit: 10 },
      want: [
        {
          code: 'UnknownParameter',
          path: 'limit',
          message: 'The parameter `limit` is not recognized.',
          suggestions: ['Limit'],
        },
      ],
    },
    {
      name: 'a missing required parameter',
      action: 'DescribeFlow',
      params: {},
      want: [
        {
          code: 'MissingParameter',
          path: 'FlowId',
          message: 'The request is missing a required parameter `FlowId`.',
          suggestions: [],
        },
      ],
    },
    {
      name: 'a wrong JSON type',
      action: 'DescribeFlow',
      params: { FlowId: '123' },
      want: [
        {
          code: 'InvalidParameter',
          path: 'FlowId',
          message: 'The value type of parameter `FlowId` is not valid.',
          suggestions: [],
          expected: 'expected a number, got a string',
        },
      ],
    },
    {
      name: 'a wrong type deep inside, named as the API names it',
      action: 'DescribeTasks',
      params: {
        Filters: [
          { Names: ['TaskId'], Values: ['1'] },
          { Names: [7], Values: ['1'] },
        ],
      },
      want: [
        {
          code: 'InvalidParameter',
          path: 'Filters[1].Names[0]',
          message: 'The value type of parameter `Filters.1.Names.0` is not valid.',
          suggestions: [],
          expected: 'expected a string, got a number',
        },
      ],
    },
    {
      name: 'a documented range (DescribeInstances Limit)',
      action: 'DescribeInstances',
      params: { Limit: 101 },
      want: [
        {
          code: 'InvalidParameterValue',
          path: 'Limit',
          message: 'The Limit parameter value is invalid and should meet the rule: (0,100]',
          suggestions: [],
        },
      ],
    },
  ])('refuses $name', ({ action, params, want }) => {
    expect(checkRequest(cynosdb, action, params)).toEqual(want)
  })

  it.each([
    {
      name: 'unknown, missing and mistyped fields in a filter',
      action: 'DescribeTasks',
      params: { Filters: [{ Name: 1, Value: ['x'] }] },
      want: [
        'InvalidParameter Filters[0].Name',
        'UnknownParameter Filters[0].Value',
        'MissingParameter Filters[0].Values',
      ],
    },
    {
      name: 'null is not an absent value',
      action: 'DescribeTasks',
      params: { Limit: null },
      want: ['InvalidParameter Limit'],
    },
    {
      name: 'an object where a list belongs',
      action: 'DescribeTasks',
      params: { Filters: { Names: [], Values: [] } },
      want: ['InvalidParameter Filters'],
    },
    {
      name: 'a list where a struct belongs',
      action: 'DescribeTasks',
      params: { Filters: [[]] },
      want: ['InvalidParameter Filters[0]'],
    },
    {
      name: 'a string where a boolean belongs',
      action: 'DescribeTasks',
      params: { Filters: [{ Values: [], ExactMatch: 'true' }] },
      want: ['InvalidParameter Filters[0].ExactMatch'],
    },
    {
      name: 'a number that is not finite is no number',
      action: 'DescribeTasks',
      params: { Offset: Infinity },
      want: ['InvalidParameter Offset'],
    },
    {
      name: 'a fraction where the docs say Integer',
      action: 'DescribeTasks',
      params: { Limit: 1.5 },
      want: ['InvalidParameter Limit'],
    },
    {
      name: 'DescribeInstances Limit 0',
      action: 'DescribeInstances',
      params: { Limit: 0 },
      want: ['InvalidParameterValue Limit'],
    },
    {
      name: 'DescribeInstances Limit past 2^53',
      action: 'DescribeInstances',
      params: { Limit: 2n ** 60n },
      want: ['InvalidParameterValue Limit'],
    },
    {
      name: 'a wrong type is not also out of range',
      action: 'DescribeInstances',
      params: { Limit: '500' },
      want: ['InvalidParameter Limit'],
    },
    { name: 'DescribeTasks Limit has no documented range', action: 'DescribeTasks', params: { Limit: 1000 }, want: [] },
    {
      name: 'several problems at once',
      action: 'DescribeFlow',
      params: { FlowID: 1 },
      want: ['UnknownParameter FlowID', 'MissingParameter FlowId'],
    },
  ])('$name', ({ action, params, want }) => {
    expect(codes(cynosdb, action, params)).toEqual(want)
  })

  const role = {
    ProviderId: 'github',
    WebIdentityToken: 't',
    RoleArn: 'qcs::cam::uin/1:roleName/r',
    RoleSessionName: 'ci-1',
  }
  it.each([
    { name: 'the request the action sends', params: { ...role, DurationSeconds: 3600 }, want: [] },
    { name: 'DurationSeconds at 43200', params: { ...role, DurationSeconds: 43200 }, want: [] },
    {
      name: 'DurationSeconds past 43200',
      params: { ...role, DurationSeconds: 43201 },
      want: ['InvalidParameterValue DurationSeconds'],
    },
    // the documented example sends "1800": the model says number (an open question, see the stand-in's SDK test)
    {
      name: 'DurationSeconds as a string',
      params: { ...role, DurationSeconds: '1800' },
      want: ['InvalidParameter DurationSeconds'],
    },
    {
      name: 'a one-character RoleSessionName',
      params: { ...role, RoleSessionName: 'a' },
      want: ['InvalidParameterValue RoleSessionName'],
    },
    { name: 'a RoleSessionName of 128', params: { ...role, RoleSessionName: 'a'.repeat(128) }, want: [] },
    {
      name: 'a RoleSessionName of 129',
      params: { ...role, RoleSessionName: 'a'.repeat(129) },
      want: ['InvalidParameterValue RoleSessionName'],
    },
    { name: 'a RoleSessionName with every allowed sign', params: { ...role, RoleSessionName: 'a_=,.@-Z9' }, want: [] },
    {
      name: 'a RoleSessionName with a slash',
      params: { ...role, RoleSessionName: 'octo/repo' },
      want: ['InvalidParameterValue RoleSessionName'],
    },
    { name: 'no RoleArn', params: { ...role, RoleArn: undefined }, want: ['MissingParameter RoleArn'] },
  ])('STS AssumeRoleWithWebIdentity: $name', ({ params, want }) => {
    expect(codes(sts, 'AssumeRoleWithWebIdentity', params)).toEqual(want)
  })

  it('works from the bundled model as from the full one', () => {
    const params = { Filters: [{ Names: ['TaskId'], Valeus: ['1'] }], Limit: 'x' }
    expect(checkRequest(requests, 'DescribeTasks', params)).toEqual(checkRequest(cynosdb, 'DescribeTasks', params))
    expect(codes(requests, 'ModifyClusterParam', { ClusterId: 'c' })).toEqual(['MissingParameter ParamList'])
  })

  it('is not fooled by names on Object.prototype', () => {
    expect(codes(cynosdb, 'toString', {})).toEqual(['InvalidAction '])
    expect(codes(cynosdb, 'DescribeFlow', { FlowId: 1, constructor: 1 })).toEqual(['UnknownParameter constructor'])
  })
})

describe('checkStruct on answers', () => {
  it.each([
    { name: 'a documented answer', value: { ClusterTaskIds: [{ ClusterId: 'c', TaskId: '1' }] }, want: [] },
    { name: 'a field the answer does not have', value: { FlowId: 1 }, want: ['UnknownParameter FlowId'] },
    {
      name: 'a TaskId of the wrong type',
      value: { ClusterTaskIds: [{ TaskId: 1 }] },
      want: ['InvalidParameter ClusterTaskIds[0].TaskId'],
    },
  ])('$name', ({ value, want }) => {
    const problems = checkStruct(cynosdb, 'ModifyClusterReadOnlyResponse', value)
    expect(problems.map(({ code, path }) => `${code} ${path}`)).toEqual(want)
  })

  it.each([
    {
      name: 'null where the model says it may be',
      response: 'AddServerlessRoInstancesResponse',
      answer: true,
      want: [],
    },
    {
      name: 'null where the model does not say so',
      response: 'AddInstancesResponse',
      answer: true,
      want: ['InvalidParameter DealNames'],
    },
    {
      name: 'null in a request, even where an answer may hold it',
      response: 'AddServerlessRoInstancesResponse',
      answer: false,
      want: ['InvalidParameter DealNames'],
    },
  ])('$name', ({ response, answer, want }) => {
    const problems = checkStruct(cynosdb, response, { DealNames: null }, [], answer)
    expect(problems.map(({ code, path }) => `${code} ${path}`)).toEqual(want)
  })

  it('throws on a struct the model does not have', () => {
    expect(() => checkStruct(cynosdb, 'NoSuchStruct', {})).toThrow(/no struct NoSuchStruct/)
  })
})

describe('the handles the generator finds in answers', () => {
  const handles = (action: string) => (requests.actions[action] as { handles?: unknown } | undefined)?.handles
  it.each([
    { action: 'RestartInstance', want: [{ path: 'FlowId', names: 'flow', nullable: false }] },
    {
      action: 'IsolateCluster',
      want: [
        { path: 'FlowId', names: 'flow', nullable: false },
        { path: 'DealNames[]', names: 'deal', nullable: true },
      ],
    },
    { action: 'DeleteVaults', want: [{ path: 'VaultTask[].TaskId', names: 'task', nullable: false }] },
    { action: 'ModifyClusterReadOnly', want: [{ path: 'ClusterTaskIds[].TaskId', names: 'task', nullable: false }] },
    { action: 'ModifyClusterName', want: undefined },
  ])('$action', ({ action, want }) => {
    expect(handles(action)).toEqual(want)
  })

  it('keeps the SDK\'s "may return null" mark on every field it is on', () => {
    const sdk = readFileSync(
      'node_modules/tencentcloud-sdk-nodejs/tencentcloud/services/cynosdb/v20190107/cynosdb_models.d.ts',
      'utf8',
    )
    const marked = sdk.split('此字段可能返回 null').length - 1
    const kept = Object.values(cynosdb.structs).flatMap((struct) => Object.values(struct).filter((f) => f.nullable))
    expect(kept).toHaveLength(marked)
  })
})

describe('nearestNames', () => {
  const names = ['DescribeFlow', 'DescribeTasks', 'DescribeInstances', 'DescribeClusters', 'Limit', 'Offset']
  it.each([
    { name: 'case alone', wanted: 'describeflow', want: ['DescribeFlow'] },
    { name: 'one letter off', wanted: 'DescribeTask', want: ['DescribeTasks'] },
    { name: 'nearest first', wanted: 'DescribeClusterss', want: ['DescribeClusters'] },
    { name: 'a short name, two edits away', wanted: 'Limt', want: ['Limit'] },
    { name: 'nothing close', wanted: 'CreateAccounts', want: [] },
    { name: 'an empty name', wanted: '', want: [] },
  ])('$name', ({ wanted, want }) => {
    expect(nearestNames(wanted, names)).toEqual(want)
  })

  it('gives at most max names, ties in name order', () => {
    expect(nearestNames('ab', ['ac', 'aa', 'ad', 'ab'], 2)).toEqual(['ab', 'aa'])
    expect(nearestNames('ab', ['ad', 'ac', 'aa'])).toEqual(['aa', 'ac', 'ad'])
  })
})
