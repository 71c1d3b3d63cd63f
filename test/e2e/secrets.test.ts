// No secret on any line the action prints (debug included), in its outputs or in its summary; every secret is
// masked (::add-mask::, which the runner consumes and never shows) before the first other line.
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeTencent, type FakeTencent } from '../../scripts/lib/stand-in.ts'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.ts'

const SECRET_ID = 'AKIDsecretsTestIdAAAAAAAAAAAAAAAAAAAA'
const SECRET_KEY = 'secretsTestKeyBBBBBBBBBBBBBBBBBBBBB'
const TOKEN = 'secretsTestTokenCCCCCCCCCCCCCCCCCCCCCCCC'
let server: FakeTencent | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** Everything a person or a later step could see, less the masking commands themselves. */
function visible(run: ActionRun): string {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => !line.startsWith('::add-mask::'))
  return [...lines, JSON.stringify(run.outputs), run.summary].join('\n')
}

function expectMaskedFirst(run: ActionRun, secrets: readonly string[]): void {
  const lines = run.stdout.split('\n')
  const firstOther = lines.findIndex((line) => line !== '' && !line.startsWith('::add-mask::'))
  for (const secret of secrets) {
    const masked = lines.indexOf(`::add-mask::${secret}`)
    expect(masked, `${secret.slice(0, 12)}… is masked`).toBeGreaterThanOrEqual(0)
    expect(masked, `${secret.slice(0, 12)}… is masked before the first other line`).toBeLessThan(firstOther)
  }
}

describe('secrets never reach the log', () => {
  it.each([
    { name: 'a flow that succeeds', flows: { '1': [2, 0] as const }, key: SECRET_KEY, code: 0 },
    { name: 'a wrong key', flows: { '1': [0] as const }, key: `${SECRET_KEY}wrong`, code: 1 },
    {
      name: 'a flow that fails after faults',
      flows: { '1': ['reset', { http: 502 }, 1] as const },
      key: SECRET_KEY,
      code: 1,
    },
  ])('with RUNNER_DEBUG=1: $name', async ({ flows, key, code }) => {
    server = await startFakeTencent({
      keys: { [SECRET_ID]: { secretKey: SECRET_KEY, token: TOKEN } },
      flows: { ...flows },
    })
    const run = await runAction({
      inputs: { 'flow-id': '1', region: 'ap-guangzhou', endpoint: server.url, 'poll-interval': '50ms' },
      env: {
        RUNNER_DEBUG: '1',
        TENCENTCLOUD_SECRET_ID: SECRET_ID,
        TENCENTCLOUD_SECRET_KEY: key,
        TENCENTCLOUD_SESSION_TOKEN: TOKEN,
      },
    })
    expect(run.code).toBe(code)
    expect(server.requests.length).toBeGreaterThan(0)
    const seen = visible(run)
    for (const secret of [SECRET_ID, SECRET_KEY, TOKEN, 'TC3-HMAC-SHA256', 'Signature='])
      expect(seen).not.toContain(secret)
    for (const request of server.requests) expect(seen).not.toContain(request.headers.authorization)
    expectMaskedFirst(run, [SECRET_ID, key, TOKEN])
  })

  it('with RUNNER_DEBUG=1: keyless OIDC (the ID token and the temporary keys)', async () => {
    const oidc = {
      idToken: 'githubIdTokenDDDDDDDDDDDDDDDD',
      requestToken: 'requestTokenEEEEEEEEEEEE',
      roleArn: 'qcs::cam::uin/100000000001:roleName/ci',
      providerId: 'github',
    }
    server = await startFakeTencent({ oidc, flows: { '1': [2, 0] } })
    const run = await runAction({
      inputs: {
        'flow-id': '1',
        region: 'ap-guangzhou',
        endpoint: server.url,
        'sts-endpoint': server.url,
        'poll-interval': '50ms',
        'role-arn': oidc.roleArn,
        'oidc-provider-id': oidc.providerId,
      },
      env: {
        RUNNER_DEBUG: '1',
        ACTIONS_ID_TOKEN_REQUEST_URL: `${server.url}/oidc?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      },
    })
    expect(run.code).toBe(0)
    const sts = server.requests.find((r) => r.action === 'AssumeRoleWithWebIdentity')
    const describe = server.requests.find((r) => r.action === 'DescribeFlow')
    const tmpToken = describe?.headers['x-tc-token'] ?? ''
    const tmpId = /Credential=([^/]+)/.exec(describe?.headers.authorization ?? '')?.[1] ?? ''
    expect(tmpToken).not.toBe('')
    const seen = visible(run)
    for (const secret of [
      oidc.idToken,
      oidc.requestToken,
      tmpToken,
      tmpId,
      JSON.parse(sts?.body ?? '{}').WebIdentityToken,
    ]) {
      expect(seen).not.toContain(secret)
    }
    expect(run.stdout).toContain(`::add-mask::${tmpToken}`)
    expect(run.stdout).toContain(`::add-mask::${tmpId}`)
  })
})
