// Bad input as the step reads it: getInputs with the runner's defaults from action.yml applied and each value
// trimmed, as @actions/core's getInput does. The parsers' own cases are in inputs.test.ts, change.test.ts and
// credentials.test.ts; these are what only the whole reading shows: which input a message names, its wording with
// the value quoted, and the limits getInputs gives the parsers. The bundle's side (exit 1, nothing sent) is
// test/e2e/bad-input.test.ts's.
import { describe, expect, it } from 'vitest'
import { inputDefaults } from '../scripts/lib/action-metadata.ts'
import { getInputs, InputError } from '../src/inputs/index.ts'

const DEFAULTS = Object.fromEntries(inputDefaults())
const STATIC_KEYS = { 'flow-id': '123', region: 'ap-guangzhou', 'secret-id': 'AKIDx', 'secret-key': 'k' }
const KEYLESS = {
  'secret-id': '',
  'secret-key': '',
  'role-arn': 'qcs::cam::uin/1:roleName/r',
  'oidc-provider-id': 'gh',
}
const TOKEN_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?a=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' }

/** What getInputs refuses these inputs with (over a configuration it accepts), or '(accepted)'. */
function refusal(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): string {
  const given: Record<string, string> = { ...DEFAULTS, ...STATIC_KEYS, ...inputs }
  try {
    getInputs(
      (name) => (given[name] ?? '').trim(),
      env,
      () => undefined,
    )
    return '(accepted)'
  } catch (error) {
    if (error instanceof InputError) return error.message
    throw error
  }
}

describe('getInputs, as the runner gives it the inputs', () => {
  it('accepts the configurations every case below changes one input of', () => {
    expect(refusal({})).toBe('(accepted)')
    expect(refusal(KEYLESS, TOKEN_ENV)).toBe('(accepted)')
  })

  it.each<{ name: string; inputs: Record<string, string>; env?: NodeJS.ProcessEnv; message: RegExp }>([
    {
      name: 'a flow-id of letters, quoted',
      inputs: { 'flow-id': 'abc' },
      message: /^Input 'flow-id' must hold positive integer task flow IDs \(1 to 2\^63-1, e\.g\. 123456\); got "abc"/,
    },
    {
      name: 'a timeout that is no duration, quoted',
      inputs: { timeout: 'forever' },
      message: /^Input 'timeout' must be a duration such as 900 \(seconds\), 90s, 15m, 1h30m or 500ms; got "forever"/,
    },
    { name: 'a timeout past 24h', inputs: { timeout: '25h' }, message: /^Input 'timeout' must be at most 24h/ },
    {
      name: 'a poll-interval of 0',
      inputs: { 'poll-interval': '0' },
      message: /^Input 'poll-interval' must be longer than zero/,
    },
    {
      name: 'a poll-interval past 1h',
      inputs: { 'poll-interval': '61m' },
      message: /^Input 'poll-interval' must be at most 1h/,
    },
    {
      name: 'a request-timeout in words',
      inputs: { 'request-timeout': '1 minute' },
      message: /^Input 'request-timeout' must be a duration/,
    },
    {
      name: 'a request-timeout past 5m',
      inputs: { 'request-timeout': '6m' },
      message: /^Input 'request-timeout' must be at most 5m/,
    },
    {
      name: 'an ftp:// endpoint',
      inputs: { endpoint: 'ftp://cynosdb.tencentcloudapi.com' },
      message: /^Input 'endpoint' must use https:\/\/ \(or http:\/\/ for a local stand-in or proxy\), not ftp:\/\//,
    },
    {
      name: 'a fail-on-timeout that is no boolean, quoted',
      inputs: { 'fail-on-timeout': 'maybe' },
      message: /^Input 'fail-on-timeout' must be true or false; got "maybe"/,
    },
    {
      name: 'keyless: an sts-endpoint with a path',
      inputs: { ...KEYLESS, 'sts-endpoint': 'https://sts.tencentcloudapi.com/x' },
      env: TOKEN_ENV,
      message: /^Input 'sts-endpoint' must be a host name/,
    },
    {
      name: "keyless: a role-duration past STS's 12h",
      inputs: { ...KEYLESS, 'role-duration': '13h' },
      env: TOKEN_ENV,
      message: /^Input 'role-duration' must be at most 12h/,
    },
  ])('refuses $name', ({ inputs, env, message }) => {
    expect(refusal(inputs, env)).toMatch(message)
  })
})
