// The bundled action against the stand-in API: the cases of the core issue's "done when".
import { afterEach, describe, expect, it } from 'vitest'
import { callsOf, startFakeTencent, type FakeTencent, type FakeTencentOptions } from '../../scripts/lib/stand-in.ts'
import { runAction } from '../../scripts/lib/run-action.ts'

const KEY = { id: 'AKIDcoreTestId0000000000000000000000', secret: 'core-test-secret-key-0000000000000' }
let server: FakeTencent | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(options: FakeTencentOptions): Promise<FakeTencent> {
  server = await startFakeTencent({ keys: { [KEY.id]: { secretKey: KEY.secret } }, region: 'ap-guangzhou', ...options })
  return server
}

const inputsFor = (fake: FakeTencent, extra: Record<string, string> = {}): Record<string, string> => ({
  'flow-id': '123',
  region: 'ap-guangzhou',
  'secret-id': KEY.id,
  'secret-key': KEY.secret,
  endpoint: fake.url,
  'poll-interval': '50ms',
  ...extra,
})

const lastRequestId = (fake: FakeTencent): string | undefined => callsOf(fake).at(-1)?.requestId

describe('core: a flow to its end', () => {
  it('succeeds after processing: green, outputs and summary', async () => {
    const fake = await start({ flows: { '123': [2, 2, 0] } })
    const run = await runAction({ inputs: inputsFor(fake) })
    expect(run.code).toBe(0)
    expect(callsOf(fake).map((r) => r.answer)).toEqual(['2', '2', '0'])
    // and one DescribeTasks when the flow was first seen processing (the stand-in has no task for it)
    expect(callsOf(fake, 'DescribeTasks').map((r) => r.answer)).toEqual(['tasks 0 of 0'])
    expect(run.outputs).toMatchObject({
      status: '0',
      result: 'succeeded',
      polls: '4',
      'timed-out': 'false',
      results: '{"123":"succeeded"}',
    })
    expect(run.outputs['request-id']).toBe(lastRequestId(fake))
    expect(Number(run.outputs.elapsed)).toBeGreaterThanOrEqual(0)
    expect(run.summary).toContain('<td>Flow 123</td>')
    expect(run.summary).toContain('succeeded')
    expect(run.summary).toContain(lastRequestId(fake))
    expect(run.summary).toContain('ap-guangzhou')
    expect(run.stdout).toMatch(/Waiting for CynosDB task flow 123 in ap-guangzhou/)
    // one line per status change, not one per poll
    expect(run.stdout.match(/Flow 123: processing/g)).toHaveLength(1)
    expect(run.stdout).toMatch(/Flow 123: succeeded after [\d.]+m?s \(3 calls\)/)
  })

  it('fails: red, with an error that names the flow, the region and the RequestId', async () => {
    const fake = await start({ flows: { '123': [2, 1] } })
    const run = await runAction({ inputs: inputsFor(fake) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ status: '1', result: 'failed', 'timed-out': 'false' })
    expect(run.outputs.polls).toBe(String(fake.requests.length))
    expect(callsOf(fake)).toHaveLength(2)
    expect(run.stdout).toContain(`::error::Flow 123 (region ap-guangzhou) failed (RequestId ${lastRequestId(fake)})`)
    expect(run.summary).toContain('failed')
  })

  it('times out with fail-on-timeout true (the default): red, timed-out=true', async () => {
    const fake = await start({ flows: { '123': [2] } })
    const run = await runAction({ inputs: inputsFor(fake, { timeout: '300ms', 'poll-interval': '100ms' }) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ status: '2', result: 'processing', 'timed-out': 'true' })
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    // polls at 0, 100, 200 and the deadline (300 ms): a last look at the deadline itself
    expect(fake.requests.length).toBeGreaterThanOrEqual(3)
    expect(fake.requests.length).toBeLessThanOrEqual(5)
    expect(run.stdout).toMatch(/::error::Flow 123 \(region ap-guangzhou\): still processing at the timeout of 300ms/)
  })

  it('times out with fail-on-timeout false: green with a warning, timed-out=true', async () => {
    const fake = await start({ flows: { '123': [2] } })
    const run = await runAction({
      inputs: inputsFor(fake, { timeout: '300ms', 'poll-interval': '100ms', 'fail-on-timeout': 'false' }),
    })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ status: '2', result: 'processing', 'timed-out': 'true' })
    expect(run.stdout).toMatch(/::warning::Flow 123 still processing at the timeout/)
    expect(run.summary).toContain('timed out')
  })

  it('stops at once on an unknown flow, with the code and a hint', async () => {
    const fake = await start({ flows: {} })
    const run = await runAction({ inputs: inputsFor(fake, { 'flow-id': '999' }) })
    expect(run.code).toBe(1)
    expect(fake.requests).toHaveLength(1)
    expect(run.stdout).toMatch(
      /::error::Flow 999 \(region ap-guangzhou\): DescribeFlow failed with InvalidParameterValue.FlowNotFound: .*RequestId [0-9a-f-]{36}.*Check the flow ID, and that region 'ap-guangzhou'/,
    )
    expect(run.outputs).toMatchObject({ status: '', result: 'unknown', polls: '1' })
  })

  it('stops at once on a wrong key, with a hint about the keys', async () => {
    const fake = await start({ flows: { '123': [0] } })
    const run = await runAction({ inputs: inputsFor(fake, { 'secret-key': 'not-the-key' }) })
    expect(run.code).toBe(1)
    expect(fake.requests.map((r) => r.answer)).toEqual(['AuthFailure.SignatureFailure'])
    expect(run.stdout).toMatch(/::error::.*AuthFailure.SignatureFailure.*Check secret-id and secret-key/)
  })

  it('stops at once on a missing CAM permission, naming cynosdb:DescribeFlow', async () => {
    const fake = await start({ flows: { '123': [{ error: 'UnauthorizedOperation.PermissionDenied' }] } })
    const run = await runAction({ inputs: inputsFor(fake) })
    expect(run.code).toBe(1)
    expect(fake.requests).toHaveLength(1)
    expect(run.stdout).toMatch(/::error::.*UnauthorizedOperation.PermissionDenied.*cynosdb:DescribeFlow/)
  })
})

describe('core: credentials and region from the environment', () => {
  it('takes TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and TENCENTCLOUD_REGION', async () => {
    const fake = await start({ flows: { '123': [0] } })
    const run = await runAction({
      inputs: { 'flow-id': '123', endpoint: fake.url },
      env: {
        TENCENTCLOUD_SECRET_ID: KEY.id,
        TENCENTCLOUD_SECRET_KEY: `  ${KEY.secret}\n`,
        TENCENTCLOUD_REGION: 'ap-guangzhou',
      },
    })
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('succeeded')
    expect(fake.requests[0]?.headers['x-tc-region']).toBe('ap-guangzhou')
    expect(run.stdout).toContain('credentials: static keys from TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY')
  })

  it.each([
    { name: 'the session-token input', inputs: (t: string) => ({ 'session-token': t }), env: () => ({}) },
    { name: 'TENCENTCLOUD_SESSION_TOKEN', inputs: () => ({}), env: (t: string) => ({ TENCENTCLOUD_SESSION_TOKEN: t }) },
    {
      name: 'TENCENTCLOUD_SECURITY_TOKEN',
      inputs: () => ({}),
      env: (t: string) => ({ TENCENTCLOUD_SECURITY_TOKEN: t }),
    },
    { name: 'TENCENTCLOUD_TOKEN', inputs: () => ({}), env: (t: string) => ({ TENCENTCLOUD_TOKEN: t }) },
  ])('sends a session token from $name as X-TC-Token', async ({ name, inputs, env }) => {
    const token = `token-${name.length}-${Math.random().toString(36).slice(2)}`
    server = await startFakeTencent({ keys: { [KEY.id]: { secretKey: KEY.secret, token } }, flows: { '123': [0] } })
    const run = await runAction({ inputs: { ...inputsFor(server), ...inputs(token) }, env: env(token) })
    expect(run.code).toBe(0)
    expect(server.requests[0]?.headers['x-tc-token']).toBe(token)
  })

  it('without the token temporary keys are refused with a token hint', async () => {
    server = await startFakeTencent({
      keys: { [KEY.id]: { secretKey: KEY.secret, token: 'needed' } },
      flows: { '123': [0] },
    })
    const run = await runAction({ inputs: inputsFor(server) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/AuthFailure.TokenFailure.*session token/)
  })
})
