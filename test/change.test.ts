// The change the step sends itself: `call` and `parameters` checked against the API model before anything is
// sent, secrets masked as they are read, and what an answer holds to wait for.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { ROOT } from '../scripts/lib/action-metadata.ts'
import { getInputs } from '../src/inputs/index.ts'
import { MIN_SECRET_CHARS, parseCall, READ_ONLY, SECRET_NAME, secretValues } from '../src/inputs/call.ts'
import { handlesOf, STATUS_ENDS } from '../src/tencent/meaning.ts'
import { CYNOSDB_MODEL } from '../src/tencent/model.ts'
import { nothingToWaitOn, waitsOf } from '../src/probes/change.ts'

const KEYS = { 'secret-id': 'AKIDtest', 'secret-key': 'test-key', region: 'ap-guangzhou' }
const parse = (call: string, parameters: string) => {
  const masked: string[] = []
  const result = parseCall(call, parameters, (s) => masked.push(s))
  return { result, masked }
}

describe('call and parameters, checked before anything is sent', () => {
  it('takes a change and its parameters, sending them digit for digit', () => {
    const { result } = parse(
      'ModifyInstanceParam',
      '{\n  "ClusterId": "cynosdbmysql-abc",\n  "InstanceIds": ["cynosdbmysql-ins-1"],\n  "InstanceParamList": [{"ParamName": "max_connections", "CurrentValue": "1000"}]\n}',
    )
    expect(result).toEqual({
      action: 'ModifyInstanceParam',
      payload:
        '{"ClusterId":"cynosdbmysql-abc","InstanceIds":["cynosdbmysql-ins-1"],"InstanceParamList":[{"ParamName":"max_connections","CurrentValue":"1000"}]}',
      parameterNames: ['ClusterId', 'InstanceIds', 'InstanceParamList'],
    })
    expect(
      parse(
        'CreateClusters',
        '{"Zone":"z","VpcId":"v","SubnetId":"s","DbType":"MYSQL","DbVersion":"8.0","RollbackId":9007199254740993}',
      ).result?.payload,
    ).toContain('"RollbackId":9007199254740993')
  })

  it.each([
    {
      name: 'parameters without call',
      call: '',
      parameters: '{}',
      message: /Input 'parameters' is only read with 'call'/,
    },
    {
      name: 'an action name that is no name',
      call: 'modify instance',
      parameters: '',
      message: /Input 'call' must be a CynosDB API action name/,
    },
    { name: 'a read-only action', call: 'DescribeClusters', parameters: '', message: /DescribeClusters only reads/ },
    {
      name: 'a read-only action by another name',
      call: 'CalculateBackupSaveSecExpires',
      parameters: '',
      message: /CalculateBackupSaveSecExpires only reads/,
    },
    {
      name: 'an unknown action, with the nearest names',
      call: 'ModifyInstanceParams',
      parameters: '{}',
      message:
        /Input 'call' does not fit the CynosDB API .*InvalidAction: The request action=`ModifyInstanceParams` is invalid .*Did you mean ModifyInstanceParam/,
    },
    {
      name: 'an unknown parameter, with the nearest names',
      call: 'RestartInstance',
      parameters: '{"InstanceID": "cynosdbmysql-ins-1"}',
      message:
        /Input 'parameters' does not fit .*UnknownParameter: The parameter `InstanceID` is not recognized\. Did you mean InstanceId\?.*MissingParameter/,
    },
    {
      name: 'a missing required parameter',
      call: 'ModifyClusterReadOnly',
      parameters: '{"ClusterIds": ["c1"]}',
      message: /MissingParameter: The request is missing a required parameter `ReadOnlyOperation`/,
    },
    {
      name: 'a value of the wrong type, deep down',
      call: 'ModifyInstanceParam',
      parameters: '{"ClusterId": "c", "InstanceParamList": [{"ParamName": "a", "CurrentValue": 1}]}',
      message: /InvalidParameter: The value type of parameter `InstanceParamList.0.CurrentValue` is not valid/,
    },
    {
      name: 'JSON that is not an object',
      call: 'RestartInstance',
      parameters: '["x"]',
      message: /must be a JSON object .*not an object/,
    },
  ])('refuses $name, naming the input', ({ call, parameters, message }) => {
    expect(() => parse(call, parameters)).toThrow(message)
  })

  it('refuses parameters that are not JSON without quoting them: they may hold a password', () => {
    const error = (() => {
      try {
        parse('CreateClusters', '{"AdminPassword": hunter2-secret}')
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toMatch(
      /Input 'parameters' must be a JSON object of "CreateClusters"'s parameters .*not valid JSON/,
    )
    expect(error?.message).not.toContain('hunter2')
  })

  it('refuses call beside flow-id, deal-names or task-ids', () => {
    for (const other of ['flow-id', 'deal-names', 'task-ids']) {
      const values: Record<string, string> = {
        ...KEYS,
        call: 'RestartInstance',
        parameters: '{"InstanceId":"i"}',
        [other]: '12',
      }
      expect(() =>
        getInputs(
          (name) => values[name] ?? '',
          {},
          () => undefined,
        ),
      ).toThrow(
        /Input 'call' sends a change and waits for what its answer holds: it cannot be combined with 'flow-id', 'deal-names' or 'task-ids'/,
      )
    }
  })

  it('masks every value under a parameter named like a secret, at any depth, before anything else', () => {
    const { masked } = parse(
      'CreateAccounts',
      JSON.stringify({
        ClusterId: 'c',
        Accounts: [{ AccountName: 'app', Host: '%', AccountPassword: 'pw-1-long', Description: 'not secret' }],
      }),
    )
    expect(masked).toEqual(['pw-1-long'])
    expect(
      secretValues({
        AdminPassword: 'root-pw-long',
        ResourceTags: [{ TagKey: 'env', TagValue: 'db' }], // a tag key is no secret: masking `env` blanks it job-wide
        SomeSecret: { Nested: ['short', 'a-long-enough-one', 123456789, 8] },
        ValidatePasswordLength: 8,
        KeyRegion: 'ap-guangzhou',
        Plain: 'visible',
      }),
    ).toEqual(['root-pw-long', 'a-long-enough-one', '123456789'])
    // masked even when the model then refuses the call
    expect(() => parse('CreateClusters', '{"AdminPassword": "pw-2-long"}')).toThrow(/MissingParameter/)
    const refused: string[] = []
    expect(() => parseCall('CreateClusters', '{"AdminPassword": "pw-2-long"}', (s) => refused.push(s))).toThrow()
    expect(refused).toEqual(['pw-2-long'])
  })

  it.each([
    {
      name: 'a string where the model wants an array of strings',
      action: 'IsolateInstance',
      parameters: '{"ClusterId": "c", "InstanceIdList": "cynosdbmysql-ins-1"}',
      says: /\(InstanceIdList: expected an array of strings, got a string\)/,
    },
    {
      name: 'an action in the wrong letter case',
      action: 'restartInstance',
      parameters: '{"InstanceId": "i"}',
      says: /Input 'call' does not fit the CynosDB API .*InvalidAction: .*Did you mean RestartInstance\?/,
    },
  ])('suggests what the model expects: $name', ({ action, parameters, says }) => {
    expect(() => parse(action, parameters)).toThrow(says)
  })

  it('names the nesting depth of parameters nested deeper than any action takes', () => {
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`
    expect(() => parse('ModifyClusterName', deep)).toThrow(
      /^Input 'parameters' nests 3000 levels deep; no CynosDB action takes more than 64/,
    )
    // brackets inside strings are text, not nesting
    expect(() => parse('ModifyClusterName', `{"ClusterId": "${'['.repeat(100)}", "ClusterName": "n"}`)).not.toThrow()
  })

  it('never masks a value too short to be a password (CynosDB takes 8 to 64 characters)', () => {
    expect(MIN_SECRET_CHARS).toBe(8)
    expect(secretValues({ AdminPassword: 'p' })).toEqual([])
    expect(secretValues({ AdminPassword: '1234567' })).toEqual([])
    expect(secretValues({ AdminPassword: '12345678' })).toEqual(['12345678'])
  })

  it('decides over every name of the API model that mentions a password, secret, token or key', () => {
    const names = new Set(Object.values(CYNOSDB_MODEL.structs).flatMap((struct) => Object.keys(struct)))
    const mentioning = [...names].filter((name) => /password|secret|token|key/i.test(name)).sort()
    // a new name in the SDK fails this test: decide whether it holds a secret, then add it here
    expect(Object.fromEntries(mentioning.map((name) => [name, SECRET_NAME.test(name)]))).toEqual({
      AccountPassword: true,
      AdminPassword: true,
      KeyId: false,
      KeyRegion: false,
      KeyType: false,
      KeyWords: false,
      ParamKeyword: false,
      Password: true,
      PasswordRotation: false,
      SearchKey: false,
      TagKey: false,
      TargetPassword: true,
      ValidatePasswordDictionary: false,
      ValidatePasswordLength: false,
      ValidatePasswordMixedCaseCount: false,
      ValidatePasswordNumberCount: false,
      ValidatePasswordPolicy: false,
      ValidatePasswordSpecialCharCount: false,
    })
  })
})

describe('what an answer gives to wait for, at the handles the API model gives each action', () => {
  const none = { flowIds: [], dealNames: [], taskIds: [] }
  it.each([
    { name: 'a FlowId', action: 'RestartInstance', answer: { FlowId: 123 }, waits: { ...none, flowIds: ['123'] } },
    {
      name: 'a FlowId and a TaskId: the FlowId',
      action: 'OpenSSL',
      answer: { FlowId: 7, TaskId: 8 },
      waits: { ...none, flowIds: ['7'] },
    },
    {
      name: 'a FlowId of 0 and a TaskId: zero names nothing, the TaskId is waited for',
      action: 'OpenSSL',
      answer: { FlowId: 0, TaskId: 8 },
      waits: { ...none, taskIds: ['8'] },
    },
    { name: 'a TaskId', action: 'CreateAccounts', answer: { TaskId: 55 }, waits: { ...none, taskIds: ['55'] } },
    {
      name: 'ClusterTaskIds, whose TaskIds are strings',
      action: 'ModifyClusterReadOnly',
      answer: {
        ClusterTaskIds: [
          { ClusterId: 'a', TaskId: '176545' },
          { ClusterId: 'b', TaskId: '176546' },
        ],
      },
      waits: { ...none, taskIds: ['176545', '176546'] },
    },
    {
      name: "DeleteVaults' tasks, one per vault, deep in the answer",
      action: 'DeleteVaults',
      answer: {
        VaultTask: [
          { VaultId: 'v1', TaskId: 91 },
          { VaultId: 'v2', TaskId: 92 },
        ],
      },
      waits: { ...none, taskIds: ['91', '92'] },
    },
    {
      name: 'DealNames',
      action: 'AddInstances',
      answer: { DealNames: ['20261129-1'], TranId: 'x', ResourceIds: [], BigDealIds: [] },
      waits: { ...none, dealNames: ['20261129-1'] },
    },
    {
      name: 'DealNames null, as the model allows: nothing',
      action: 'AddServerlessRoInstances',
      answer: { DealNames: null, ResourceIds: null, TranId: null },
      waits: none,
    },
    {
      name: 'a FlowId null: falls through to the TaskId',
      action: 'OpenSSL',
      answer: { FlowId: null, TaskId: 8 },
      waits: { ...none, taskIds: ['8'] },
    },
    {
      name: 'ClusterTaskIds empty, or with null entries: nothing',
      action: 'ModifyClusterReadOnly',
      answer: { ClusterTaskIds: [null, { ClusterId: 'a', TaskId: null }] },
      waits: none,
    },
    {
      name: 'a numeric AsyncRequestId',
      action: 'ModifyClusterParam',
      answer: { AsyncRequestId: '4242' },
      waits: { ...none, flowIds: ['4242'] },
    },
    {
      name: 'a FlowId past 2^53',
      action: 'RestartInstance',
      answer: { FlowId: 9007199254740993n },
      waits: { ...none, flowIds: ['9007199254740993'] },
    },
    { name: 'nothing', action: 'ModifyClusterName', answer: {}, waits: none },
  ])('$name', ({ action, answer, waits }) => {
    expect(waitsOf(action, answer)).toMatchObject(waits)
  })

  it.each([
    {
      name: 'a postpaid IsolateCluster answers a FlowId: the flow',
      action: 'IsolateCluster',
      answer: { FlowId: 9 },
      flows: ['9'],
      statuses: undefined,
    },
    {
      name: 'a prepaid IsolateCluster answers a refund: the cluster until isolated',
      action: 'IsolateCluster',
      answer: { DealNames: ['r1'] },
      flows: [],
      statuses: ['cluster cynosdbmysql-a DescribeClusterDetail'],
    },
    {
      name: 'UpgradeInstance: the instance until the spec is in place, not the deal',
      action: 'UpgradeInstance',
      answer: { DealNames: ['u1'] },
      flows: [],
      statuses: ['instance cynosdbmysql-ins-1 DescribeInstanceDetail'],
    },
  ])('$name', ({ action, answer, flows, statuses }) => {
    const parameters = {
      ClusterId: 'cynosdbmysql-a',
      InstanceId: 'cynosdbmysql-ins-1',
      UpgradeType: 'upgradeImmediate',
    }
    const waits = waitsOf(action, answer, parameters)
    expect(waits.flowIds).toEqual(flows)
    expect(waits.dealNames).toEqual([])
    expect(waits.statuses?.map((end) => `${end.kind} ${end.id} ${end.read.action}`)).toEqual(statuses)
  })

  it('never waits for a refund as a purchase: a LibraDB isolation, whose status values are not documented', () => {
    const { dealNames, statuses, notes } = waitsOf('IsolateLibraDBCluster', { FlowId: null, DealNames: ['r1'] })
    expect([dealNames, statuses]).toEqual([[], undefined])
    expect(notes).toEqual([
      expect.stringMatching(/a refund's DealNames "r1" and no FlowId: the API documents no status/),
    ])
  })

  it('says why it does not wait for the deal of a resource package', () => {
    const { dealNames, notes } = waitsOf('CreateResourcePackage', { DealNames: ['d1'] })
    expect(dealNames).toEqual([])
    expect(notes).toEqual([
      expect.stringMatching(/DealNames of a resource package, which delivers no cluster or instance/),
    ])
  })

  it('says why it does not wait on ResourceIds without DealNames', () => {
    const { dealNames, notes } = waitsOf('AddLibraDBInstances', {
      DealNames: null,
      ResourceIds: ['cynosdbmysql-ins-1'],
    })
    expect(dealNames).toEqual([])
    expect(notes).toEqual([expect.stringMatching(/ResourceIds "cynosdbmysql-ins-1" and no DealNames: .*no longer/)])
  })

  it('says why it does not wait for a UUID AsyncRequestId', () => {
    const { flowIds, notes } = waitsOf('ModifyClusterParam', { AsyncRequestId: '56317d06-8078-4e5c-b675-9e048995c820' })
    expect(flowIds).toEqual([])
    expect(notes).toEqual([
      expect.stringMatching(
        /answered AsyncRequestId "56317d06.*not numeric: no CynosDB API is documented to wait on it/,
      ),
    ])
  })

  it.each([
    { name: 'a FlowId that is text', action: 'RestartInstance', answer: { FlowId: 'abc' } },
    { name: 'a negative FlowId', action: 'RestartInstance', answer: { FlowId: -1 } },
    { name: 'a FlowId past 2^63-1', action: 'RestartInstance', answer: { FlowId: 2n ** 63n } },
    { name: 'a TaskId given as a list', action: 'CreateAccounts', answer: { TaskId: [5] } },
    { name: 'a deal name holding a command', action: 'AddInstances', answer: { DealNames: ['::error::x'] } },
    { name: 'DealNames that is a string', action: 'AddInstances', answer: { DealNames: '20261129-1' } },
    { name: 'ClusterTaskIds that is not a list', action: 'ModifyClusterReadOnly', answer: { ClusterTaskIds: 'x' } },
  ])('refuses $name, saying the change was carried out', ({ action, answer }) => {
    expect(() => waitsOf(action, answer)).toThrow(
      new RegExp(`${action} was carried out, but its answer's \\w+ is not what the API documents`),
    )
  })

  it.each([
    {
      name: 'an action whose answer has nothing to wait on: done',
      action: 'ModifyClusterName',
      answer: { RequestId: 'r' },
      says: /^ModifyClusterName answered with nothing to wait for \(the API model gives its answer no FlowId, TaskId or DealNames\): it is done$/,
    },
    {
      name: 'handles that came back null or empty: quoted, and nothing checked',
      action: 'AddServerlessRoInstances',
      answer: { DealNames: [], ResourceIds: null, RequestId: 'r' },
      says: /^AddServerlessRoInstances answered "{"DealNames":\[\],"ResourceIds":null}": nothing in it names a flow, task or deal to wait on, so the step ends without checking the change$/,
    },
  ])('says what nothing to wait on means: $name', ({ action, answer, says }) => {
    expect(nothingToWaitOn(action, answer)).toMatch(says)
  })
})

describe("the README's counts of what CynosDB changes answer", () => {
  it('are the table of meaning’s, over the bundled API model', () => {
    const actions = Object.keys(CYNOSDB_MODEL.actions)
    const changes = actions.filter((name) => !READ_ONLY.test(name))
    const has = (name: string, names: string) => handlesOf(name).some((handle) => handle.names === names)
    const ends = (name: string) => Object.hasOwn(STATUS_ENDS, name)
    const flows = changes.filter((name) => has(name, 'flow'))
    const deals = changes.filter((name) => has(name, 'deal') && !ends(name) && !/ResourcePackage$/.test(name))
    const tasks = changes.filter((name) => has(name, 'task') && !has(name, 'flow'))
    const asyncs = changes.filter((name) => has(name, 'async-request'))
    const statuses = changes.filter(ends)
    const waitable = changes.filter(
      (name) => handlesOf(name).some((handle) => handle.names !== 'resources') || ends(name),
    )
    const readme = readFileSync(`${ROOT}README.md`, 'utf8')
    expect(readme).toContain(
      `(${CYNOSDB_MODEL.sdk}, the official Node SDK): CynosDB\n2019-01-07 has ${actions.length} actions, ${changes.length} of them change something, and ${waitable.length} of those answer with something to wait for or\nend in a status the API shows.`,
    )
    const row = (answered: string): string => readme.split('\n').find((line) => line.startsWith(`| ${answered} `)) ?? ''
    expect(row('`FlowId`')).toMatch(new RegExp(`\\| ${flows.length}, e\\.g\\.`))
    expect(row('`DealNames`')).toMatch(new RegExp(`\\| ${deals.length}, e\\.g\\.`))
    expect(row('a `TaskId` and no FlowId')).toMatch(new RegExp(`\\| ${tasks.length}, e\\.g\\.`))
    expect(row('`AsyncRequestId`')).toMatch(new RegExp(`\\| ${asyncs.length}: ModifyClusterParam`))
    expect(row('an end the API shows only as a status')).toMatch(new RegExp(`\\| ${statuses.length}: see`))
    expect(row('nothing to wait for')).toMatch(new RegExp(`\\| ${changes.length - waitable.length}, e\\.g\\.`))
    expect(readme).toContain(`(${flows.filter((name) => has(name, 'task')).length} actions answer a TaskId too`)
    const nullable = changes.filter((name) => handlesOf(name).some((h) => h.nullable && h.names !== 'resources'))
    expect(readme).toContain(`the handles of ${nullable.length} changes`)
  })

  it('the status table names every change the table of meaning reads a status for', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8')
    const section = readme.split('## Changes that end in a status')[1]?.split('\n## ')[0] ?? ''
    for (const action of Object.keys(STATUS_ENDS)) expect(section).toContain(action)
  })
})
