// The bundled action against the stand-in API: the cases of the core issue's "done when".
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.ts'
import { requestsOf, type FakeTencent, type FakeTencentOptions } from '../../scripts/lib/stand-in.ts'
import { afterTasks, inputs, KEY, standIn } from '../support/e2e.ts'
import { SCHEDULE_JITTER } from '../../src/wait/schedule.ts'

const lastRequestId = (fake: FakeTencent): string | undefined => requestsOf(fake).at(-1)?.requestId

describe('core: a flow to its end', () => {
  it('succeeds after processing: green, outputs and summary', async () => {
    // the flow's second answer waits for the one DescribeTasks listing made when it was first seen processing
    const fake = await standIn({ flows: { '123': [2, afterTasks(1, 2), 0] } })
    const run = await runAction({ inputs: inputs(fake.url) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake).map((r) => r.answer)).toEqual(['2', '2', '0'])
    expect(requestsOf(fake, 'DescribeTasks').map((r) => r.answer)).toEqual(['tasks 0 of 0'])
    expect(run.outputs).toMatchObject({
      status: '0',
      result: 'succeeded',
      polls: '4',
      'timed-out': 'false',
      results: '{"123":"succeeded"}',
    })
    expect(run.outputs['request-id']).toBe(lastRequestId(fake))
    expect(Number(run.outputs.elapsed)).toBeGreaterThanOrEqual(0)
    for (const text of ['<td>Flow 123</td>', 'succeeded', lastRequestId(fake), 'ap-guangzhou'])
      expect(run.summary).toContain(text)
    expect(run.stdout).toMatch(/Waiting for CynosDB task flow 123 in ap-guangzhou/)
    // one line per status change, not one per poll
    expect(run.stdout.match(/Flow 123: processing/g)).toHaveLength(1)
    expect(run.stdout).toMatch(/Flow 123: succeeded after [\d.]+m?s \(3 requests\)/)
  })

  it('fails: red, with an error that names the flow, the region and the RequestId', async () => {
    const fake = await standIn({ flows: { '123': [2, 1] } })
    const run = await runAction({ inputs: inputs(fake.url) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ status: '1', result: 'failed', 'timed-out': 'false' })
    expect(run.outputs.polls).toBe(String(fake.requests.length))
    expect(requestsOf(fake)).toHaveLength(2)
    expect(run.stdout).toContain(`::error::Flow 123 (region ap-guangzhou) failed (RequestId ${lastRequestId(fake)})`)
    expect(run.summary).toContain('failed')
  })

  it('times out with fail-on-timeout true (the default): red, timed-out=true', async () => {
    const fake = await standIn({ flows: { '123': [2] } })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ status: '2', result: 'processing', 'timed-out': 'true' })
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    // a slow machine makes rounds fewer, never more: the first, at most one each 100 ms less its jitter, and the
    // last look at the deadline itself (when the timer wakes is the engine's, unit-tested on a fake clock)
    expect(requestsOf(fake).length).toBeGreaterThanOrEqual(2)
    expect(requestsOf(fake).length).toBeLessThanOrEqual(Math.floor(1000 / (100 * (1 - SCHEDULE_JITTER))) + 1)
    expect(run.stdout).toMatch(/::error::Flow 123 \(region ap-guangzhou\): still processing at the timeout of 1s/)
  })

  it('times out with fail-on-timeout false: green with a warning, timed-out=true', async () => {
    const fake = await standIn({ flows: { '123': [2] } })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '300ms', 'fail-on-timeout': 'false' }) })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ status: '2', result: 'processing', 'timed-out': 'true' })
    expect(run.stdout).toMatch(/::warning::Flow 123 still processing at the timeout/)
    expect(run.summary).toContain('timed out')
  })

  it.each<{ name: string; plan: FakeTencentOptions; extra: Record<string, string>; error: RegExp }>([
    {
      name: 'an unknown flow, with the code and a hint',
      plan: { flows: {} },
      extra: { 'flow-id': '999' },
      error:
        /::error::Flow 999 \(region ap-guangzhou\): DescribeFlow failed with InvalidParameterValue.FlowNotFound: .*RequestId [0-9a-f-]{36}.*Check the flow ID, and that region 'ap-guangzhou'/,
    },
    {
      name: 'a wrong key, with a hint about the keys',
      plan: { flows: { '123': [0] } },
      extra: { 'secret-key': 'not-the-key' },
      error: /::error::.*AuthFailure.SignatureFailure.*Check secret-id and secret-key/,
    },
    {
      name: 'a missing CAM permission, naming cynosdb:DescribeFlow',
      plan: { flows: { '123': [{ error: 'UnauthorizedOperation.PermissionDenied' }] } },
      extra: {},
      error: /::error::.*UnauthorizedOperation.PermissionDenied.*cynosdb:DescribeFlow/,
    },
  ])('stops at once on $name', async ({ plan, extra, error }) => {
    const fake = await standIn(plan)
    const run = await runAction({ inputs: inputs(fake.url, extra) })
    expect(run.code).toBe(1)
    expect(fake.requests).toHaveLength(1)
    expect(run.stdout).toMatch(error)
    expect(run.outputs).toMatchObject({ result: 'unknown', polls: '1' })
  })
})

describe('core: credentials and region from the environment', () => {
  it('takes TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and TENCENTCLOUD_REGION', async () => {
    const fake = await standIn({ flows: { '123': [0] } })
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
    { name: 'the session-token input', input: true, variable: '' },
    { name: 'TENCENTCLOUD_SESSION_TOKEN', input: false, variable: 'TENCENTCLOUD_SESSION_TOKEN' },
    { name: 'TENCENTCLOUD_SECURITY_TOKEN', input: false, variable: 'TENCENTCLOUD_SECURITY_TOKEN' },
    { name: 'TENCENTCLOUD_TOKEN', input: false, variable: 'TENCENTCLOUD_TOKEN' },
  ])('sends a session token from $name as X-TC-Token', async ({ name, input, variable }) => {
    const token = `token-${name.length}-${Math.random().toString(36).slice(2)}`
    const fake = await standIn({ keys: { [KEY.id]: { secretKey: KEY.secret, token } }, flows: { '123': [0] } })
    const run = await runAction({
      inputs: inputs(fake.url, input ? { 'session-token': token } : {}),
      env: input ? {} : { [variable]: token },
    })
    expect(run.code).toBe(0)
    expect(fake.requests[0]?.headers['x-tc-token']).toBe(token)
  })

  it('without the token temporary keys are refused with a token hint', async () => {
    const fake = await standIn({
      keys: { [KEY.id]: { secretKey: KEY.secret, token: 'needed' } },
      flows: { '123': [0] },
    })
    const run = await runAction({ inputs: inputs(fake.url) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/AuthFailure.TokenFailure.*session token/)
  })
})
