// No secret on any line the action prints (debug included), in its outputs or in its summary; every secret is
// masked (::add-mask::, which the runner consumes and never shows) before the first other line.
import { describe, expect, it } from 'vitest'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.ts'
import { KEY, keyless, OIDC, standIn } from '../support/e2e.ts'

const TOKEN = 'secretsTestTokenCCCCCCCCCCCCCCCCCCCCCCCC'

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
    { name: 'a flow that succeeds', flows: { '1': [2, 0] as const }, key: KEY.secret, code: 0 },
    { name: 'a wrong key', flows: { '1': [0] as const }, key: `${KEY.secret}wrong`, code: 1 },
    {
      name: 'a flow that fails after faults',
      flows: { '1': ['reset', { http: 502 }, 1] as const },
      key: KEY.secret,
      code: 1,
    },
  ])('with RUNNER_DEBUG=1: $name', async ({ flows, key, code }) => {
    const fake = await standIn({ keys: { [KEY.id]: { secretKey: KEY.secret, token: TOKEN } }, flows: { ...flows } })
    const run = await runAction({
      inputs: { 'flow-id': '1', region: 'ap-guangzhou', endpoint: fake.url, 'poll-interval': '50ms' },
      env: {
        RUNNER_DEBUG: '1',
        TENCENTCLOUD_SECRET_ID: KEY.id,
        TENCENTCLOUD_SECRET_KEY: key,
        TENCENTCLOUD_SESSION_TOKEN: TOKEN,
      },
    })
    expect(run.code).toBe(code)
    expect(fake.requests.length).toBeGreaterThan(0)
    const seen = visible(run)
    for (const secret of [KEY.id, KEY.secret, TOKEN, 'TC3-HMAC-SHA256', 'Signature='])
      expect(seen).not.toContain(secret)
    for (const request of fake.requests) expect(seen).not.toContain(request.headers.authorization)
    expectMaskedFirst(run, [KEY.id, key, TOKEN])
  })

  it('with RUNNER_DEBUG=1: keyless OIDC (the ID token and the temporary keys)', async () => {
    const fake = await standIn({ flows: { '1': [2, 0] } })
    const { inputs, env } = keyless(fake.url, { 'flow-id': '1' })
    const run = await runAction({ inputs, env: { ...env, RUNNER_DEBUG: '1' } })
    expect(run.code).toBe(0)
    const sts = fake.requests.find((r) => r.action === 'AssumeRoleWithWebIdentity')
    const describe = fake.requests.find((r) => r.action === 'DescribeFlow')
    const tmpToken = describe?.headers['x-tc-token'] ?? ''
    const tmpId = /Credential=([^/]+)/.exec(describe?.headers.authorization ?? '')?.[1] ?? ''
    expect(tmpToken).not.toBe('')
    const seen = visible(run)
    for (const secret of [
      OIDC.idToken,
      OIDC.requestToken,
      tmpToken,
      tmpId,
      JSON.parse(sts?.body ?? '{}').WebIdentityToken,
    ])
      expect(seen).not.toContain(secret)
    expect(run.stdout).toContain(`::add-mask::${tmpToken}`)
    expect(run.stdout).toContain(`::add-mask::${tmpId}`)
  })
})
