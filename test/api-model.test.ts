// The API model generated from the official SDK (scripts/gen-api-model.ts).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generate, OUTPUTS } from '../scripts/gen-api-model.ts'
import type { ApiModel } from '../src/tencent/api-model.ts'

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
