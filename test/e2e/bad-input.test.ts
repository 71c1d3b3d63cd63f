// Bad input through the bundled action: exit 1, a message that names the input and what it accepts,
// and not one request sent (the stand-in API counts them, STS included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeTencent, type FakeTencent } from '../../scripts/lib/stand-in.ts'
import { runAction } from '../../scripts/lib/run-action.ts'

const KEY = { id: 'AKIDbadInput00000000000000000000000', secret: 'bad-input-secret-key-0000000000000' }
let server: FakeTencent
const tally = { rejected: 0, requestsSent: 0 }
beforeAll(async () => {
  server = await startFakeTencent({ keys: { [KEY.id]: { secretKey: KEY.secret } }, flows: { '123': [0] } })
})
afterAll(async () => {
  console.log(
    `bad-input tally: ${tally.rejected} bad inputs rejected, requests sent on bad input: ${tally.requestsSent}`,
  )
  await server.close()
})

interface Case {
  readonly name: string
  readonly inputs?: Record<string, string>
  readonly env?: Record<string, string>
  readonly message: RegExp
}

const cases: Case[] = [
  {
    name: 'flow-id abc',
    inputs: { 'flow-id': 'abc' },
    message: /Input 'flow-id' must hold positive integer task flow IDs \(1 to 2\^63-1, e\.g\. 123456\); got "abc"/,
  },
  { name: 'flow-id -5', inputs: { 'flow-id': '-5' }, message: /Input 'flow-id' must hold positive integer/ },
  { name: 'flow-id 1.5', inputs: { 'flow-id': '1.5' }, message: /Input 'flow-id' must hold positive integer/ },
  {
    name: 'nothing to wait for: flow-id empty, no call',
    inputs: { 'flow-id': '' },
    message: /Give what to wait for: 'call' and 'parameters' .*'flow-id' .*'deal-names' .*'task-ids'/,
  },
  {
    name: "flow-id holding a UUID (ModifyClusterParam's AsyncRequestId as the docs show it)",
    inputs: { 'flow-id': '56317d06-8078-4e5c-b675-9e048995c820' },
    message:
      /Input 'flow-id' got "56317d06-.*", which is not a task flow ID but looks like the AsyncRequestId of ModifyClusterParam .*No CynosDB API is documented to wait on such an ID/,
  },
  {
    name: 'task-ids abc',
    inputs: { 'task-ids': 'abc' },
    message: /Input 'task-ids' must hold positive integer task IDs/,
  },
  {
    name: 'parameters that are not a JSON object',
    inputs: { 'flow-id': '', call: 'RestartInstance', parameters: '["cynosdbmysql-ins-1"]' },
    message: /Input 'parameters' must be a JSON object of RestartInstance's parameters/,
  },
  {
    name: 'parameters that are not JSON',
    inputs: { 'flow-id': '', call: 'RestartInstance', parameters: "{InstanceId: 'x'}" },
    message: /Input 'parameters' must be a JSON object .*not valid JSON/,
  },
  {
    name: 'an unknown action',
    inputs: { 'flow-id': '', call: 'RestartInstances', parameters: '{}' },
    message: /Input 'call' does not fit the CynosDB API .*InvalidAction.*Did you mean RestartInstance\?/,
  },
  {
    name: 'an unknown parameter name',
    inputs: { 'flow-id': '', call: 'RestartInstance', parameters: '{"InstanceID": "cynosdbmysql-ins-1"}' },
    message:
      /Input 'parameters' does not fit .*UnknownParameter: The parameter `InstanceID` is not recognized\. Did you mean InstanceId\?/,
  },
  {
    name: 'a read-only action as call',
    inputs: { 'flow-id': '', call: 'DescribeClusters' },
    message: /Input 'call' takes a CynosDB action that changes something .*DescribeClusters only reads/,
  },
  {
    name: 'call beside flow-id',
    inputs: { call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' },
    message: /Input 'call' sends a change .*cannot be combined with 'flow-id', 'deal-names' or 'task-ids'/,
  },
  {
    name: 'flow-id beyond 2^63',
    inputs: { 'flow-id': '9223372036854775808' },
    message: /Input 'flow-id' must hold positive integer/,
  },
  {
    name: 'region with spaces',
    inputs: { region: 'ap guangzhou' },
    message: /Input 'region' must be a Tencent Cloud region name such as ap-guangzhou/,
  },
  {
    name: 'region with a control character',
    inputs: { region: 'ap-guang\u0001zhou' },
    message: /Input 'region' must be a Tencent Cloud region name/,
  },
  {
    name: 'region with CR/LF',
    inputs: { region: 'ap-guangzhou\r\nX-Injected: 1' },
    message: /Input 'region' must be a Tencent Cloud region name.*got "ap-guangzhou\\r\\nX-Injected: 1"/,
  },
  {
    name: 'region empty, no TENCENTCLOUD_REGION',
    inputs: { region: '' },
    message:
      /Input 'region' is required \(e\.g\. ap-guangzhou\): set it, or the TENCENTCLOUD_REGION environment variable/,
  },
  {
    name: 'timeout forever',
    inputs: { timeout: 'forever' },
    message: /Input 'timeout' must be a duration such as 900 \(seconds\), 90s, 15m, 1h30m or 500ms; got "forever"/,
  },
  { name: 'timeout negative', inputs: { timeout: '-30' }, message: /Input 'timeout' must be a duration/ },
  { name: 'timeout over 24h', inputs: { timeout: '25h' }, message: /Input 'timeout' must be at most 24h/ },
  {
    name: 'poll-interval 0',
    inputs: { 'poll-interval': '0' },
    message: /Input 'poll-interval' must be longer than zero/,
  },
  {
    name: 'poll-interval fast',
    inputs: { 'poll-interval': 'fast' },
    message: /Input 'poll-interval' must be a duration/,
  },
  {
    name: 'request-timeout junk',
    inputs: { 'request-timeout': '1 minute' },
    message: /Input 'request-timeout' must be a duration/,
  },
  {
    name: 'endpoint ftp://',
    inputs: { endpoint: 'ftp://cynosdb.tencentcloudapi.com' },
    message: /Input 'endpoint' must use https:\/\/ \(or http:\/\/ for a local stand-in or proxy\), not ftp:\/\//,
  },
  {
    name: 'endpoint with a path',
    inputs: { endpoint: 'https://cynosdb.tencentcloudapi.com/api' },
    message: /Input 'endpoint' must be a host name .* \(no path, query or user info\)/,
  },
  {
    name: 'endpoint with a query',
    inputs: { endpoint: 'https://cynosdb.tencentcloudapi.com/?x=1' },
    message: /Input 'endpoint' must be a host name .* \(no path, query or user info\)/,
  },
  {
    name: 'fail-on-timeout maybe',
    inputs: { 'fail-on-timeout': 'maybe' },
    message: /Input 'fail-on-timeout' must be true or false; got "maybe"/,
  },
  {
    name: 'no credentials anywhere',
    inputs: { 'secret-id': '', 'secret-key': '' },
    message:
      /No Tencent Cloud credentials found\. Looked in: the secret-id and secret-key inputs; the TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY environment variables; OIDC \(the role-arn input, empty\)/,
  },
  {
    name: 'a secret ID without its key',
    inputs: { 'secret-key': '' },
    message: /Input 'secret-key' is missing \(nor is TENCENTCLOUD_SECRET_KEY set\)/,
  },
  {
    name: 'static keys and role-arn together',
    inputs: { 'role-arn': 'qcs::cam::uin/1:roleName/r', 'oidc-provider-id': 'github' },
    message:
      /Inputs 'role-arn' \(keyless OIDC\) and 'secret-id'\/'secret-key'\/'session-token' \(static keys\) exclude each other/,
  },
  {
    name: 'role-arn without id-token: write',
    inputs: {
      'secret-id': '',
      'secret-key': '',
      'role-arn': 'qcs::cam::uin/1:roleName/r',
      'oidc-provider-id': 'github',
      'sts-endpoint': '',
    },
    message: /cannot request a GitHub ID token: give the job 'permissions: id-token: write'/,
  },
  {
    name: 'sts-endpoint with a path',
    inputs: {
      'secret-id': '',
      'secret-key': '',
      'role-arn': 'qcs::cam::uin/1:roleName/r',
      'oidc-provider-id': 'github',
      'sts-endpoint': 'https://sts.tencentcloudapi.com/x',
    },
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' },
    message: /Input 'sts-endpoint' must be a host name/,
  },
]

describe('bad input is refused before any request', () => {
  it.each(cases)('$name', async ({ inputs, env, message }) => {
    const before = server.requests.length
    const run = await runAction({
      inputs: {
        'flow-id': '123',
        region: 'ap-guangzhou',
        'secret-id': KEY.id,
        'secret-key': KEY.secret,
        endpoint: server.url,
        'sts-endpoint': server.url,
        ...inputs,
      },
      env,
    })
    const sent = server.requests.length - before
    tally.requestsSent += sent
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    expect(decodeURIComponent(errors[0] ?? '')).toMatch(message)
    expect(sent).toBe(0)
    expect(run.outputs).toEqual({})
    tally.rejected += 1
  })
})
