import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createCynosdbClient } from '../src/tencent/cynosdb.ts'
import { ApiError, UnexpectedResponseError } from '../src/tencent/errors.ts'
import { EnvHttpProxyAgent } from 'undici'
import { startFakeTencent, type FakeTencent, type Step } from '../scripts/lib/stand-in.ts'

const KEY = { secretId: 'AKIDclient', secretKey: 'client-key' }
let server: FakeTencent | undefined
// The dispatcher the action uses, with no proxy whatever this machine's environment says.
const dispatcher = new EnvHttpProxyAgent({ httpProxy: '', httpsProxy: '', noProxy: '' })
afterAll(() => dispatcher.destroy())
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function clientFor(
  flows: Record<string, Step[]>,
  opts: { clockOffsetMs?: number; now?: () => number; timeoutMs?: number } = {},
) {
  server = await startFakeTencent({
    keys: { [KEY.secretId]: { secretKey: KEY.secretKey } },
    flows,
    clockOffsetMs: opts.clockOffsetMs,
  })
  const log: string[] = []
  const client = createCynosdbClient({
    endpoint: new URL(server.url),
    region: 'ap-guangzhou',
    credentials: async () => KEY,
    timeoutMs: opts.timeoutMs ?? 5000,
    dispatcher,
    now: opts.now ?? Date.now,
    log: (line) => log.push(line),
  })
  return { client, log, server }
}

describe('describeFlow', () => {
  it('returns the status and RequestId of a signed call', async () => {
    const { client, server } = await clientFor({ '5': [2] })
    const answer = await client.describeFlow('5')
    expect(answer).toEqual({ status: 2, requestId: server.requests[0]?.requestId })
    expect(server.requests[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-tc-action': 'DescribeFlow',
      'x-tc-version': '2019-01-07',
    })
  })

  it('keeps every digit of an ID beyond 2^53', async () => {
    const big = '9007199254740993'
    const { client, server } = await clientFor({ [big]: [0] })
    await client.describeFlow(big)
    expect(server.requests[0]?.body).toBe(`{"FlowId":${big}}`)
  })

  it.each([
    { name: 'HTTP 502', step: { http: 502 } as Step, type: UnexpectedResponseError, message: /HTTP 502/ },
    { name: 'a body that is not JSON', step: 'not-json' as Step, type: UnexpectedResponseError, message: /not JSON/ },
    {
      name: 'JSON without Response',
      step: 'no-response' as Step,
      type: UnexpectedResponseError,
      message: /without a Response/,
    },
    {
      name: 'an undocumented status',
      step: { status: 7 } as Step,
      type: UnexpectedResponseError,
      message: /undocumented Status 7/,
    },
    {
      name: 'an API error',
      step: { error: 'InternalError' } as Step,
      type: ApiError,
      message: /InternalError: scripted/,
    },
  ])('turns $name into a typed error', async ({ step, type, message }) => {
    const { client } = await clientFor({ '5': [step] })
    const error = await client.describeFlow('5').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(type)
    expect((error as Error).message).toMatch(message)
  })

  it('reports a reset connection as a network error with a code', async () => {
    const { client } = await clientFor({ '5': ['reset'] })
    const error = (await client.describeFlow('5').catch((e: unknown) => e)) as { code?: string }
    expect(error.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/)
  })

  it('gives up on a hung request after its own timeout', async () => {
    const { client } = await clientFor({ '5': ['hang'] }, { timeoutMs: 200 })
    const error = (await client.describeFlow('5').catch((e: unknown) => e)) as { code?: string }
    expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT')
  })

  it.each([
    { name: 'behind', offset: 10 * 60_000, words: 'behind' },
    { name: 'ahead of', offset: -10 * 60_000, words: 'ahead of' },
  ])("re-signs with the server's time when the runner's clock is 10 minutes $name it", async ({ offset, words }) => {
    const { client, log, server } = await clientFor({ '5': [0, 0] }, { clockOffsetMs: offset })
    expect((await client.describeFlow('5')).status).toBe(0)
    expect(server.requests.map((r) => r.answer)).toEqual(['AuthFailure.SignatureExpire', '0'])
    expect(log).toEqual([expect.stringMatching(new RegExp(`clock is (9m59s|10m|10m1s) ${words} Tencent Cloud.s`))])
    // corrected once, for good: the next call is signed right the first time
    await client.describeFlow('5')
    expect(server.requests).toHaveLength(3)
  })

  it('corrects the clock once per call, not in a loop', async () => {
    let skew = 0
    // a clock that runs away by another 10 minutes on every reading
    const { client, server } = await clientFor({ '5': [0] }, { now: () => Date.now() + (skew += 600_000) })
    const error = await client.describeFlow('5').catch((e: unknown) => e)
    expect((error as ApiError).code).toBe('AuthFailure.SignatureExpire')
    expect(server.requests).toHaveLength(2)
  })
})
