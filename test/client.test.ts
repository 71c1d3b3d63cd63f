import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { HttpStatusError, NetworkError, UnexpectedResponseError } from '../src/http.ts'
import { createCynosdbClient } from '../src/tencent/cynosdb.ts'
import { ApiError } from '../src/tencent/errors.ts'
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
    dispatcher,
    now: opts.now ?? Date.now,
    onClockCorrected: (skewMs) => log.push(`corrected by ${skewMs}`),
  })
  const timeoutMs = opts.timeoutMs ?? 5000
  const describeFlow = (flowId: string) => client.describeFlow(flowId, { credentials: KEY, timeoutMs })
  return { client: { describeFlow }, log, server }
}

describe('describeFlow', () => {
  it('returns the status and RequestId of a signed call', async () => {
    const { client, server } = await clientFor({ '5': [2] })
    const answer = await client.describeFlow('5')
    expect(answer).toMatchObject({ value: 2, requestId: server.requests[0]?.requestId })
    expect(answer.trace).toMatchObject({ action: 'DescribeFlow', host: server.host, httpStatus: 200 })
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
    { name: 'HTTP 502', step: { http: 502 } as Step, type: HttpStatusError, message: /HTTP 502/ },
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
    const error = (await client.describeFlow('5').catch((e: unknown) => e)) as NetworkError
    expect(error).toBeInstanceOf(NetworkError)
    expect(error.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/)
  })

  it('gives up on a hung request after its own timeout', async () => {
    const { client } = await clientFor({ '5': ['hang'] }, { timeoutMs: 200 })
    const error = (await client.describeFlow('5').catch((e: unknown) => e)) as NetworkError
    expect(error.code).toBe('RequestTimeout')
    expect(error.message).toMatch(/no complete answer within 200ms/)
  })

  it.each([
    { name: 'behind', offset: 10 * 60_000 },
    { name: 'ahead of', offset: -10 * 60_000 },
  ])("corrects its clock from the server's when the runner's is 10 minutes $name it", async ({ offset }) => {
    const { client, log, server } = await clientFor({ '5': [0, 0] }, { clockOffsetMs: offset })
    // the caller sends the call again, through its rate limiter: the client says it is worth it
    const error = (await client.describeFlow('5').catch((e: unknown) => e)) as ApiError
    expect(error.code).toBe('AuthFailure.SignatureExpire')
    expect(error.clockCorrected).toBe(true)
    expect(log).toHaveLength(1)
    expect(Math.abs(Number(log[0]?.replace('corrected by ', '')) - offset)).toBeLessThan(2000)
    expect((await client.describeFlow('5')).value).toBe(0)
    await client.describeFlow('5')
    expect(server.requests.map((r) => r.answer)).toEqual(['AuthFailure.SignatureExpire', '0', '0'])
  })

  it('does not believe a server clock a century off', async () => {
    const { client, log } = await clientFor({ '5': [0] }, { clockOffsetMs: 100 * 365 * 24 * 3600_000 })
    const error = (await client.describeFlow('5').catch((e: unknown) => e)) as ApiError
    expect(error.code).toBe('AuthFailure.SignatureExpire')
    expect(error.clockCorrected).toBe(false)
    expect(log).toEqual([])
    // and the next call still signs with the runner's own clock, not an absurd date
    await expect(client.describeFlow('5')).rejects.toMatchObject({ code: 'AuthFailure.SignatureExpire' })
  })
})
