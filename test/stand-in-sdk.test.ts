// Tencent's official Node SDK (tencentcloud-sdk-nodejs) against the stand-in: for every action this project calls,
// and the change calls it will wait on, the SDK's client builds, signs and sends the request (the documented example
// requests from Tencent's API pages where there is one), the stand-in accepts it, and the answer fits the response
// model, so what the stand-in says parses into the official types.
//
// The SDK takes the credential scope's service from the host name's first label and signs the host without its port,
// so it is pointed at the real host names over plain HTTP, through an agent that connects every request to the
// stand-in on 127.0.0.1.
import { Agent, type ClientRequestArgs } from 'node:http'
import { connect, type Socket } from 'node:net'
import { OIDCRoleArnCredential } from 'tencentcloud-sdk-nodejs/tencentcloud/common/credential.js'
import { cynosdb } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cynosdb/index.js'
import { sts } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sts/index.js'
import { describe, expect, it } from 'vitest'
import { API_MODELS, githubIdToken, type FakeTencentOptions } from '../scripts/lib/stand-in.ts'
import { checkStruct, type ApiModel } from '../src/tencent/api-model.ts'
import { KEY, OIDC, standIn } from './support/e2e.ts'
import { UUID } from './support/stand-in-client.ts'

/** Connects every request to the stand-in, whatever host and port its URL names. */
class StandInAgent extends Agent {
  readonly #port: number
  constructor(port: number) {
    super({ keepAlive: false })
    this.#port = port
  }
  override createConnection(_options: ClientRequestArgs): Socket {
    return connect(this.#port, '127.0.0.1')
  }
}

/** The stand-in with `options`, and the official clients pointed at it. */
async function start(options: FakeTencentOptions) {
  const fake = await standIn(options)
  const agent = new StandInAgent(Number(new URL(fake.url).port))
  const profile = { httpProfile: { protocol: 'http://', agent, reqTimeout: 10 } }
  const credential = { secretId: KEY.id, secretKey: KEY.secret }
  return {
    fake,
    agent,
    cynosdb: new cynosdb.v20190107.Client({ credential, region: 'ap-guangzhou', profile }),
    sts: new sts.v20180813.Client({ credential: {}, region: 'ap-guangzhou', profile }),
  }
}

/** The problems of an answer (RequestId aside) against the action's response struct in the model. */
function answerProblems(model: ApiModel, action: string, answer: object): string[] {
  const fields = Object.fromEntries(Object.entries(answer).filter(([name]) => name !== 'RequestId'))
  return checkStruct(model, model.actions[action]?.response ?? '', fields, [], true).map((p) => p.message)
}

interface Case {
  readonly name: string
  readonly action: string
  readonly params: object
  readonly plan: FakeTencentOptions
  /** What the answer must hold besides fitting the model. */
  readonly want: object
}

// The documented example requests are from each action's API page (tencentcloud.com/document/api/1098/...), as
// tccli's examples.json for cynosdb 2019-01-07 carries them; the action's own requests are what src/ sends.
const DESCRIBE_INSTANCES_EXAMPLE = {
  Limit: 20,
  Offset: 0,
  OrderBy: 'CREATETIME',
  OrderByType: 'ASC',
  Filters: [{ Names: ['status'], Values: ['running'], ExactMatch: true, Name: '', Operator: '' }],
  DbType: 'MYSQL',
  Status: 'running',
  InstanceIds: ['cynosdbmysql-ins-1asd5qwe'],
}
const CREATE_CLUSTERS_EXAMPLE = {
  Zone: 'ap-guangzhou-5',
  VpcId: '0',
  SubnetId: '0',
  DbType: 'MYSQL',
  DbVersion: '8.0',
  Cpu: 1,
  Memory: 1,
  InstanceCount: 1,
}
const ADD_INSTANCES_EXAMPLE = {
  ReadOnlyCount: 1,
  VpcId: 'vpc-1ptuei0b',
  ClusterId: 'cynosdbmysql-6gtlgm5l',
  Memory: 4,
  SubnetId: 'subnet-1tmw9t4o',
  Cpu: 2,
  UpgradeProxy: {
    Cpu: 4,
    Mem: 8000,
    ReloadBalance: 'auto',
    ProxyZones: [{ ProxyNodeZone: 'ap-guangzhou-3', ProxyNodeCount: 1 }],
  },
}
const MODIFY_CLUSTER_READ_ONLY_EXAMPLE = {
  ClusterIds: ['cynosdbmysql-jl17y89v', 'cynosdbmysql-2d9pq38h'],
  ReadOnlyOperation: 'ON',
  IsInMaintainPeriod: 'no',
}
const MODIFY_CLUSTER_PARAM_EXAMPLE = {
  ClusterId: 'cynosdbmysql-ins-jhi2gdi0',
  ParamList: [{ CurrentValue: '59', OldValue: '60', ParamName: 'authentication_timeout' }],
}
const MODIFY_INSTANCE_PARAM_EXAMPLE = {
  InstanceParamList: [{ CurrentValue: '2', ParamName: 'innodb_stats_transient_sample_pages' }],
  ClusterId: 'cynosdbmysql-ge5ck0jr',
  InstanceIds: ['cynosdbmysql-ins-kzavkukw'],
  IsInMaintainPeriod: 'no',
}
const CREATE_ACCOUNTS_EXAMPLE = {
  ClusterId: 'cynosdbmysql-asd45qwe',
  Accounts: [
    {
      AccountName: 'tom',
      AccountPassword: '888888@Abcde',
      Host: '1.1.1.1',
      Description: 'AccountDescription',
      MaxUserConnections: 10,
    },
  ],
}
const TASK_ID_FILTER = { Filters: [{ Names: ['TaskId'], Values: ['283'], ExactMatch: true }], Limit: 1, Offset: 0 }
const tasks = {
  taskList: {
    '283': { flowId: '6521', taskType: 'taskCreateCluster', clusterId: 'cynosdbmysql-ydtwlxig', progress: [100] },
  },
}
const deals = {
  deals: {
    '201302542054': {
      clusters: [
        { clusterId: 'cynosdbmysql-r8ewihg4', instanceIds: ['cynosdbmysql-ins-pecl0drs'] },
        { clusterId: 'cynosdbmysql-hjosrxhu', instanceIds: ['cynosdbmysql-ins-7f59pahg'] },
      ],
    },
  },
  instances: { 'cynosdbmysql-ins-pecl0drs': ['creating', 'running'], 'cynosdbmysql-ins-1asd5qwe': ['running'] },
}

const cases: Case[] = [
  {
    name: 'DescribeFlow, the documented example',
    action: 'DescribeFlow',
    params: { FlowId: 147186 },
    plan: { flows: { '147186': [0] } },
    want: { Status: 0 },
  },
  {
    name: 'DescribeTasks, the documented example',
    action: 'DescribeTasks',
    params: { Limit: 1, Offset: 0 },
    plan: tasks,
    want: { TotalCount: 1, TaskList: [expect.objectContaining({ ID: 283, FlowId: 6521, Status: 'success' })] },
  },
  {
    name: "DescribeTasks, the action's listing",
    action: 'DescribeTasks',
    params: { StartTimeBegin: '2000-01-01 00:00:00', Limit: 100, Offset: 0 },
    plan: tasks,
    want: { TotalCount: 1 },
  },
  {
    name: 'DescribeTasks by task ID',
    action: 'DescribeTasks',
    params: TASK_ID_FILTER,
    plan: tasks,
    want: { TotalCount: 1, TaskList: [expect.objectContaining({ ID: 283, Process: 100 })] },
  },
  {
    name: 'DescribeResourcesByDealName, the documented example (two clusters, one deal)',
    action: 'DescribeResourcesByDealName',
    params: { DealName: '201302542054' },
    plan: deals,
    want: {
      BillingResourceInfos: [
        { ClusterId: 'cynosdbmysql-r8ewihg4', InstanceIds: ['cynosdbmysql-ins-pecl0drs'], DealName: '201302542054' },
        { ClusterId: 'cynosdbmysql-hjosrxhu', InstanceIds: ['cynosdbmysql-ins-7f59pahg'], DealName: '201302542054' },
      ],
    },
  },
  {
    name: "DescribeResourcesByDealName, the action's request",
    action: 'DescribeResourcesByDealName',
    params: { DealNames: ['201302542054'] },
    plan: deals,
    want: { BillingResourceInfos: [expect.anything(), expect.anything()] },
  },
  {
    name: 'DescribeInstances, the documented example',
    action: 'DescribeInstances',
    params: DESCRIBE_INSTANCES_EXAMPLE,
    plan: deals,
    want: { TotalCount: 1, InstanceSet: [{ InstanceId: 'cynosdbmysql-ins-1asd5qwe', Status: 'running' }] },
  },
  {
    name: "DescribeInstances, the action's request",
    action: 'DescribeInstances',
    params: { InstanceIds: ['cynosdbmysql-ins-pecl0drs'], Limit: 100, Offset: 0 },
    plan: deals,
    want: {
      TotalCount: 1,
      InstanceSet: [
        { InstanceId: 'cynosdbmysql-ins-pecl0drs', ClusterId: 'cynosdbmysql-r8ewihg4', Status: 'creating' },
      ],
    },
  },
  {
    name: 'DescribeInstances with no parameters',
    action: 'DescribeInstances',
    params: {},
    plan: deals,
    want: { TotalCount: 2 },
  },
  {
    name: 'CreateAccounts, the documented example and answer (a RequestId alone)',
    action: 'CreateAccounts',
    params: CREATE_ACCOUNTS_EXAMPLE,
    plan: {},
    want: {},
  },
  // the change calls, each with its page's documented answer as the plan: the answer the SDK gets back
  ...[
    {
      action: 'CreateClusters',
      params: CREATE_CLUSTERS_EXAMPLE,
      answer: {
        BigDealIds: [],
        ClusterIds: ['cynosdbmysql-********'],
        DealNames: ['2026*****************11'],
        ResourceIds: ['cynosdbmysql-ins-********'],
        TranId: '2026061198**5**9*8*****',
      },
    },
    {
      action: 'AddInstances',
      params: ADD_INSTANCES_EXAMPLE,
      answer: {
        TranId: 'myTranId',
        DealNames: ['182711111'],
        ResourceIds: ['cynosdbmysql-mwg712mm'],
        BigDealIds: ['137895'],
      },
    },
    {
      action: 'ModifyClusterReadOnly',
      params: MODIFY_CLUSTER_READ_ONLY_EXAMPLE,
      answer: {
        ClusterTaskIds: [
          { ClusterId: 'cynosdbmysql-jl17y89v', TaskId: '176551' },
          { ClusterId: 'cynosdbmysql-2d9pq38h', TaskId: '176552' },
        ],
      },
    },
    {
      action: 'ModifyClusterParam',
      params: MODIFY_CLUSTER_PARAM_EXAMPLE,
      answer: { AsyncRequestId: '56317d06-8078-4e5c-b675-9e048995c820' },
    },
    { action: 'ModifyInstanceParam', params: MODIFY_INSTANCE_PARAM_EXAMPLE, answer: { FlowId: 1103611 } },
    // the page's answer writes FlowId as "147262", a string; the model says number
    { action: 'RestartInstance', params: { InstanceId: 'cynosdbmysql-ins-qwerasd' }, answer: { FlowId: 147262 } },
    { action: 'ResumeServerless', params: { ClusterId: 'cynosdbmysql-xxxx' }, answer: { FlowId: 1008306 } },
    {
      action: 'OpenClusterTransparentEncrypt',
      params: { ClusterId: 'cynosdbmysql-3pd4zrvn', KeyType: 'cloud' },
      answer: { TaskId: 283 },
    },
  ].map(({ action, params, answer }) => ({
    name: `${action}, the documented example and answer`,
    action,
    params,
    plan: { changes: { [action]: [{ answer }] } },
    want: answer,
  })),
]

describe('the official SDK against the stand-in', () => {
  it.each(cases)('$name', async ({ action, params, plan, want }) => {
    const { fake, cynosdb: client } = await start(plan)
    // what each typed method (client.DescribeFlow(...) and the rest) does: build, sign and send it by name
    const answer = await client.request(action, params)
    // the stand-in took the request the SDK built and signed, exactly as given
    expect(fake.requests.map((r) => [r.action, JSON.parse(r.body)])).toEqual([[action, params]])
    expect(fake.requests[0]?.headers).toMatchObject({
      host: 'cynosdb.tencentcloudapi.com',
      'x-tc-version': '2019-01-07',
    })
    // and answered what the official types describe
    expect(answerProblems(API_MODELS.cynosdb, action, answer)).toEqual([])
    expect(answer).toMatchObject({ ...want, RequestId: expect.stringMatching(UUID) })
  })

  it("gets the stand-in's API errors as the SDK reads them: code, message and RequestId", async () => {
    const { cynosdb: client } = await start({})
    const error = await client.DescribeFlow({ FlowId: 999 }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'InvalidParameterValue.FlowNotFound',
      message: "Taskflow ID doesn't exist: 999",
      requestId: expect.stringMatching(UUID),
    })
    const refused = await client.request('DescribeFlow', { FlowId: 1, FlowID: 1 }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'UnknownParameter', message: 'The parameter `FlowID` is not recognized.' })
  })

  it('takes STS AssumeRoleWithWebIdentity, unsigned, as the SDK sends it', async () => {
    const { fake, sts: client } = await start({})
    // the documented example, with DurationSeconds a number as the model has it (the page writes "1800")
    const params = {
      DurationSeconds: 1800,
      RoleSessionName: 'test_OIDC',
      WebIdentityToken: githubIdToken(OIDC.idToken, 'sts.tencentcloudapi.com'), // the stand-in's token for that audience
      RoleArn: OIDC.roleArn,
      ProviderId: OIDC.providerId,
    }
    const answer = await client.request('AssumeRoleWithWebIdentity', params, { skipSign: true })
    expect(fake.requests.map((r) => [r.action, r.headers.authorization, JSON.parse(r.body)])).toEqual([
      ['AssumeRoleWithWebIdentity', 'SKIP', params],
    ])
    expect(answerProblems(API_MODELS.sts, 'AssumeRoleWithWebIdentity', answer)).toEqual([])
    expect(answer).toMatchObject({ Credentials: { TmpSecretId: expect.any(String) }, ExpiredTime: expect.any(Number) })
  })

  it("works with the SDK's own keyless provider: OIDCRoleArnCredential, then CynosDB with the temporary keys", async () => {
    const { fake, agent } = await start({ flows: { '77': [2] } })
    const profile = { httpProfile: { protocol: 'http://', agent, reqTimeout: 10 } }
    const credential = new OIDCRoleArnCredential(
      { credential: {}, region: 'ap-guangzhou', profile },
      {
        RoleArn: OIDC.roleArn,
        RoleSessionName: 'github-octo-org-octo-repo-4242',
        WebIdentityToken: githubIdToken(OIDC.idToken, 'sts.tencentcloudapi.com'),
        ProviderId: OIDC.providerId,
        DurationSeconds: 3600,
      },
    )
    const client = new cynosdb.v20190107.Client({ credential, region: 'ap-guangzhou', profile })
    expect(await client.DescribeFlow({ FlowId: 77 })).toMatchObject({ Status: 2 })
    expect(fake.requests.map((r) => `${r.action} -> ${r.answer}`)).toEqual([
      'AssumeRoleWithWebIdentity -> credentials',
      'DescribeFlow -> 2',
    ])
    expect(fake.requests[1]?.headers['x-tc-token']).toMatch(/^tmptoken/)
  })
})
