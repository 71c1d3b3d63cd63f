import { describe, expect, it } from 'vitest'
import { defaultRoleSessionName, resolveCredentials, type CredentialDeps } from '../src/credentials.ts'
import { getInputs, type Inputs } from '../src/inputs.ts'

const inputs = (values: Record<string, string> = {}): Inputs =>
  getInputs((name) => ({ 'flow-id': '1', region: 'ap-guangzhou', ...values })[name] ?? '', {})

function deps(env: NodeJS.ProcessEnv = {}, overrides: Partial<CredentialDeps> = {}) {
  const masked: string[] = []
  const stsCalls: { action: string; payload: string }[] = []
  let now = 1_000_000
  const d: CredentialDeps = {
    env,
    mask: (s) => masked.push(s),
    getIDToken: async (audience) => `id-token-for-${audience}`,
    callSts: async (call) => {
      stsCalls.push(call)
      const n = stsCalls.length
      return {
        Credentials: { TmpSecretId: `AKIDtmp${n}`, TmpSecretKey: `key${n}`, Token: `token${n}` },
        ExpiredTime: now / 1000 + 3600,
      }
    },
    now: () => now,
    ...overrides,
  }
  return { d, masked, stsCalls, tick: (ms: number) => (now += ms) }
}

const OIDC = { 'role-arn': 'qcs::cam::uin/100000000001:roleName/deployer', 'oidc-provider-id': 'github' }
const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://x/token?api-version=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' }

describe('static keys', () => {
  it('prefers the inputs and masks every secret before use', async () => {
    const { d, masked } = deps({ TENCENTCLOUD_SECRET_ID: 'AKIDenv', TENCENTCLOUD_SECRET_KEY: 'envkey' })
    const source = resolveCredentials(
      inputs({ 'secret-id': 'AKIDin', 'secret-key': 'inkey', 'session-token': 'tok' }),
      d,
    )
    expect(await source.get()).toEqual({ secretId: 'AKIDin', secretKey: 'inkey', token: 'tok' })
    expect(masked).toEqual(['AKIDin', 'inkey', 'tok'])
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
    const { d } = deps({ TENCENTCLOUD_SECRET_ID: ' AKIDenv\n', TENCENTCLOUD_SECRET_KEY: 'envkey ', ...env })
    expect(await resolveCredentials(inputs(), d).get()).toEqual({ secretId: 'AKIDenv', secretKey: 'envkey', token })
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
    expect(() => resolveCredentials(inputs(values), deps(env).d)).toThrow(message)
  })
})

describe('OIDC', () => {
  it('exchanges the GitHub ID token once, masks the temporary keys, and reuses them', async () => {
    const { d, masked, stsCalls } = deps({ ...OIDC_ENV, GITHUB_REPOSITORY: 'octo/repo', GITHUB_RUN_ID: '77' })
    const source = resolveCredentials(inputs(OIDC), d)
    const [a, b] = await Promise.all([source.get(), source.get()])
    expect(a).toEqual({ secretId: 'AKIDtmp1', secretKey: 'key1', token: 'token1' })
    expect(b).toBe(a)
    expect(stsCalls).toHaveLength(1)
    expect(stsCalls[0]?.action).toBe('AssumeRoleWithWebIdentity')
    expect(JSON.parse(stsCalls[0]?.payload ?? '')).toEqual({
      ProviderId: 'github',
      WebIdentityToken: 'id-token-for-sts.tencentcloudapi.com',
      RoleArn: OIDC['role-arn'],
      RoleSessionName: 'github-octo-repo-77',
      DurationSeconds: 3600,
    })
    expect(masked).toEqual(['id-token-for-sts.tencentcloudapi.com', 'AKIDtmp1', 'key1', 'token1'])
  })

  it('refreshes the temporary keys at 80% of their life', async () => {
    const { d, stsCalls, tick } = deps(OIDC_ENV)
    const source = resolveCredentials(inputs(OIDC), d)
    await source.get()
    tick(0.79 * 3600_000)
    expect((await source.get()).secretId).toBe('AKIDtmp1')
    tick(0.02 * 3600_000)
    expect((await Promise.all([source.get(), source.get()])).map((c) => c.secretId)).toEqual(['AKIDtmp2', 'AKIDtmp2'])
    expect(stsCalls).toHaveLength(2)
  })

  it('tries STS again after a failure', async () => {
    let fail = true
    const { d } = deps(OIDC_ENV)
    const source = resolveCredentials(inputs(OIDC), {
      ...d,
      callSts: async (call) => {
        if (fail) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' })
        return d.callSts(call)
      },
    })
    await expect(source.get()).rejects.toThrow('reset')
    fail = false
    expect((await source.get()).secretId).toBe('AKIDtmp1')
  })

  it('says the job needs id-token: write when the token cannot be had', async () => {
    expect(() => resolveCredentials(inputs(OIDC), deps({}).d)).toThrow(/permissions: id-token: write/)
    const { d } = deps(OIDC_ENV, { getIDToken: async () => Promise.reject(new Error('403 Forbidden')) })
    await expect(resolveCredentials(inputs(OIDC), d).get()).rejects.toThrow(
      /failed to get a GitHub OIDC ID token .*id-token: write.*403 Forbidden/,
    )
  })

  it.each([
    {
      name: 'no provider',
      values: { 'role-arn': OIDC['role-arn'] },
      message: /Input 'oidc-provider-id' is required with 'role-arn'/,
    },
    {
      name: 'a malformed ARN',
      values: { ...OIDC, 'role-arn': 'deployer' },
      message: /Input 'role-arn' must be a CAM role ARN/,
    },
    {
      name: 'a bad session name',
      values: { ...OIDC, 'role-session-name': 'has space' },
      message: /Input 'role-session-name' must be 2 to 128/,
    },
  ])('rejects $name', ({ values, message }) => {
    expect(() => resolveCredentials(inputs(values), deps(OIDC_ENV).d)).toThrow(message)
  })

  it('builds a default session name from the allowed characters, at most 128', () => {
    expect(defaultRoleSessionName({ GITHUB_REPOSITORY: 'my org/ré po', GITHUB_RUN_ID: '1' })).toBe(
      'github-my-org-r--po-1',
    )
    expect(defaultRoleSessionName({ GITHUB_REPOSITORY: `o/${'x'.repeat(200)}`, GITHUB_RUN_ID: '1' })).toHaveLength(128)
  })
})
