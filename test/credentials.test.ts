// Credentials: the inputs and environment read and checked (inputs/credentials.ts), then keys fetched and refreshed
// (credentials.ts) on a fake clock.
import { describe, expect, it } from 'vitest'
import { MIN_REFRESH_MS, staticKeys, temporaryKeys, type KeyDeps, type KeySource } from '../src/credentials.ts'
import { defaultRoleSessionName, parseCredentials, type CredentialConfig } from '../src/inputs/credentials.ts'

const keySource = (config: CredentialConfig, deps: KeyDeps): KeySource =>
  config.kind === 'static' ? staticKeys(config) : temporaryKeys(config, deps)

const OIDC = { 'role-arn': 'qcs::cam::uin/100000000001:roleName/deployer', 'oidc-provider-id': 'github' }
const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://x/token?api-version=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' }
const call = { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY }

function parse(values: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const masked: string[] = []
  const config = parseCredentials(
    (name) => values[name] ?? '',
    env,
    (s) => masked.push(s),
  )
  return { config, masked }
}

/** A key source on a fake clock; STS answers keys that live `lifeSeconds` by a server clock `serverAheadMs` off. */
function keys(config: CredentialConfig, options: { lifeSeconds?: number; serverAheadMs?: number } = {}) {
  const masked: string[] = []
  const sts: string[] = []
  const tokens: string[] = []
  let now = 0
  const wallStart = Date.parse('2026-11-29T10:00:00Z')
  const deps: KeyDeps = {
    idToken: async (audience) => {
      tokens.push(audience)
      return `id-token-for-${audience}`
    },
    assumeRole: async (payload) => {
      sts.push(payload)
      const n = sts.length
      const serverNow = wallStart + now + (options.serverAheadMs ?? 0)
      return {
        Credentials: { TmpSecretId: `AKIDtmp${n}`, TmpSecretKey: `key${n}`, Token: `token${n}` },
        ExpiredTime: Math.floor(serverNow / 1000) + (options.lifeSeconds ?? 3600),
      }
    },
    mask: (s) => masked.push(s),
    now: () => now,
    wallNow: () => wallStart + now,
  }
  return { source: keySource(config, deps), deps, masked, sts, tokens, tick: (ms: number) => (now += ms) }
}

describe('static keys', () => {
  it('prefers the inputs and masks every secret as it is read', async () => {
    const { config, masked } = parse(
      { 'secret-id': 'AKIDin', 'secret-key': 'inkey', 'session-token': 'tok' },
      { TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'envkey' },
    )
    expect(masked).toEqual(['AKIDin', 'inkey', 'tok'])
    const { source } = keys(config)
    expect(await source.get(call)).toEqual({ secretId: 'AKIDin', secretKey: 'inkey', token: 'tok' })
    expect(source.description).toBe(
      'static keys from the secret-id/secret-key inputs with a session token from the session-token input',
    )
  })

  it.each([
    {
      name: 'TENCENTCLOUD_SESSION_TOKEN first',
      env: { TENCENTCLOUD_SESSION_TOKEN: 'a', TENCENTCLOUD_SECURITY_TOKEN: 'b', TENCENTCLOUD_TOKEN: 'c' },
      token: 'a',
    },
    {
      name: 'then TENCENTCLOUD_SECURITY_TOKEN',
      env: { TENCENTCLOUD_SECURITY_TOKEN: 'b', TENCENTCLOUD_TOKEN: 'c' },
      token: 'b',
    },
    { name: 'then TENCENTCLOUD_TOKEN', env: { TENCENTCLOUD_TOKEN: 'c' }, token: 'c' },
    { name: 'no token', env: {}, token: undefined },
  ])('takes keys and token from the environment: $name', async ({ env, token }) => {
    const { config, masked } = parse(
      {},
      { TENCENTCLOUD_SECRET_ID: ' AKIDenv\n', TENCENTCLOUD_SECRET_KEY: 'envkey ', ...env },
    )
    expect(await keys(config).source.get(call)).toEqual({ secretId: 'AKIDenv', secretKey: 'envkey', token })
    expect(masked).toEqual(['AKIDenv', 'envkey', ...(token ? [token] : [])])
  })

  it.each<{ name: string; values: Record<string, string>; env: Record<string, string>; message: RegExp }>([
    {
      name: 'nothing anywhere',
      values: {},
      env: {},
      message:
        /No Tencent Cloud credentials found. Looked in: the secret-id and secret-key inputs; the TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY environment variables; OIDC/,
    },
    { name: 'an ID without key', values: { 'secret-id': 'AKID1' }, env: {}, message: /Input 'secret-key' is missing/ },
    {
      name: 'a key without ID',
      values: {},
      env: { TENCENTCLOUD_SECRET_KEY: 'k' },
      message: /Input 'secret-id' is missing/,
    },
    {
      name: 'a line break inside the ID',
      values: { 'secret-id': 'AKID\r\nX: 1', 'secret-key': 'k' },
      env: {},
      message: /Input 'secret-id' must be a Tencent Cloud SecretId/,
    },
    {
      name: 'keys and role-arn together',
      values: { ...OIDC, 'secret-id': 'AKID1', 'secret-key': 'k' },
      env: OIDC_ENV,
      message: /exclude each other/,
    },
  ])('rejects $name', ({ values, env, message }) => {
    expect(() => parse(values, env)).toThrow(message)
  })
})

describe('OIDC', () => {
  const oidc = (values: Record<string, string> = {}, env: NodeJS.ProcessEnv = OIDC_ENV) =>
    parse({ ...OIDC, ...values }, env).config

  it('exchanges the GitHub ID token once, masks the temporary keys, and reuses them', async () => {
    const { source, masked, sts, tokens } = keys(
      oidc({}, { ...OIDC_ENV, GITHUB_REPOSITORY: 'octo/repo', GITHUB_RUN_ID: '77' }),
    )
    const [a, b] = await Promise.all([source.get(call), source.get(call)])
    expect(a).toEqual({ secretId: 'AKIDtmp1', secretKey: 'key1', token: 'token1' })
    expect(b).toBe(a)
    expect(tokens).toEqual(['sts.tencentcloudapi.com'])
    expect(JSON.parse(sts[0] ?? '')).toEqual({
      ProviderId: 'github',
      WebIdentityToken: 'id-token-for-sts.tencentcloudapi.com',
      RoleArn: OIDC['role-arn'],
      RoleSessionName: 'github-octo-repo-77',
      DurationSeconds: 3600,
    })
    expect(sts).toHaveLength(1)
    expect(masked).toEqual(['AKIDtmp1', 'key1', 'token1'])
  })

  it('masks the runner’s ID token request token as it reads it', () => {
    expect(parse(OIDC, OIDC_ENV).masked).toEqual(['req'])
  })

  it('refreshes the temporary keys at 80% of their life', async () => {
    const { source, sts, tick } = keys(oidc())
    await source.get(call)
    tick(0.79 * 3600_000)
    expect((await source.get(call)).secretId).toBe('AKIDtmp1')
    tick(0.02 * 3600_000)
    expect((await Promise.all([source.get(call), source.get(call)])).map((c) => c.secretId)).toEqual([
      'AKIDtmp2',
      'AKIDtmp2',
    ])
    expect(sts).toHaveLength(2)
  })

  it.each([
    { name: 'a server clock far behind (the keys arrive expired)', serverAheadMs: -2 * 3600_000 },
    { name: 'keys that live a second', lifeSeconds: 1 },
  ])('never refreshes in a loop: $name', async (options) => {
    const { source, sts, tokens, tick } = keys(oidc(), options)
    for (let i = 0; i <= 90; i++) {
      await source.get(call)
      tick(1000)
    }
    expect(sts).toHaveLength(2) // once at the start, once a minute later, in 90 s of calls every second
    expect(tokens).toHaveLength(2)
    expect(MIN_REFRESH_MS).toBe(60_000)
  })

  it('never keeps keys longer than asked for, whatever a server clock far ahead says', async () => {
    const { source, sts, tick } = keys(oidc(), { serverAheadMs: 24 * 3600_000 })
    await source.get(call)
    tick(0.81 * 3600_000)
    await source.get(call)
    expect(sts).toHaveLength(2)
  })

  it('tries STS again after a failure', async () => {
    const { deps } = keys(oidc())
    let fail = true
    const source = keySource(oidc(), {
      ...deps,
      assumeRole: async (payload, budget) => {
        if (fail) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' })
        return deps.assumeRole(payload, budget)
      },
    })
    await expect(source.get(call)).rejects.toThrow('reset')
    fail = false
    expect((await source.get(call)).secretId).toBe('AKIDtmp1')
  })

  it('says the job needs id-token: write when the runner hands out no token', () => {
    expect(() => oidc({}, {})).toThrow(/permissions: id-token: write/)
  })

  it.each<{ name: string; values: Record<string, string>; message: RegExp }>([
    {
      name: 'no provider',
      values: { 'oidc-provider-id': '' },
      message: /Input 'oidc-provider-id' is required with 'role-arn'/,
    },
    { name: 'a malformed ARN', values: { 'role-arn': 'deployer' }, message: /Input 'role-arn' must be a CAM role ARN/ },
    {
      name: 'a bad session name',
      values: { 'role-session-name': 'has space' },
      message: /Input 'role-session-name' must be 2 to 128/,
    },
  ])('rejects $name', ({ values, message }) => {
    expect(() => oidc(values)).toThrow(message)
  })

  it('builds a default session name from the allowed characters, at most 128', () => {
    expect(defaultRoleSessionName({ GITHUB_REPOSITORY: 'my org/ré po', GITHUB_RUN_ID: '1' })).toBe(
      'github-my-org-r--po-1',
    )
    expect(defaultRoleSessionName({ GITHUB_REPOSITORY: `o/${'x'.repeat(200)}`, GITHUB_RUN_ID: '1' })).toHaveLength(128)
  })
})
