// Fault injection: the step (in-process, from src/) against a stand-in API that misbehaves. Faults that pass must be
// survived (retried, logged, and the flow's end still seen); faults that last must end in a timeout that names the
// cause. Cancellation runs the bundle, which gets the runner's real signals.
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.ts'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { requestsOf, type HeldStep, type Step } from '../../scripts/lib/stand-in.ts'
import { afterTasks, errorLine, inputs as stepInputs, standIn } from '../support/e2e.ts'

/** A short request-timeout, so that a hung request is a fault that passes. */
const inputs = (endpoint: string, extra: Record<string, string> = {}): Record<string, string> =>
  stepInputs(endpoint, { 'request-timeout': '300ms', ...extra })

describe('faults that pass are survived', () => {
  it.each<{ name: string; fault: HeldStep['step']; cause: RegExp }>([
    { name: 'a reset connection', fault: 'reset', cause: /other side closed|ECONNRESET|socket/i },
    { name: 'a request that hangs past request-timeout', fault: 'hang', cause: /no complete answer within/ },
    { name: 'HTTP 502', fault: { http: 502 }, cause: /HTTP 502/ },
    { name: 'HTTP 429', fault: { http: 429 }, cause: /HTTP 429/ },
    { name: 'a body that is not JSON', fault: 'not-json', cause: /not JSON/ },
    { name: 'JSON without Response', fault: 'no-response', cause: /without a Response object/ },
    { name: 'an undocumented status', fault: { status: 9 }, cause: /undocumented Status 9/ },
    // codes the official error list says pass (src/tencent/meaning.ts): throttled, a fault of the service
    ...[
      'RequestLimitExceeded',
      'RequestLimitExceeded.UinLimitExceeded',
      'InternalError.DbOperationFailed',
      'FailedOperation.OperationFailedError',
      'FailedOperation.DatabaseAccessError',
      'ServiceUnavailable',
    ].map((code) => ({ name: code, fault: { error: code }, cause: new RegExp(`with ${code.replace('.', '\\.')}: `) })),
  ])('$name', async ({ fault, cause }) => {
    // the fault once the DescribeTasks listing is answered, so that polls counts it whenever the flow ends
    const fake = await standIn({ flows: { '123': [2, afterTasks(1, fault), 0] } })
    const run = await runInProcess({ inputs: inputs(fake.url) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake)).toHaveLength(3)
    expect(run.outputs).toMatchObject({ result: 'succeeded', polls: String(fake.requests.length) })
    const retry = run.stdout.split('\n').find((line) => line.startsWith('Flow 123: request 2 failed (1 in a row): '))
    expect(retry).toMatch(cause)
    // the first backoff is below 1 s; a refusal for the rate waits for the step's pace, a second at least
    expect(retry).toMatch(cause.source.includes('RequestLimitExceeded') ? /; retrying in 1s$/ : /; retrying in \d+ms$/)
  })

  it('a mix of faults, each followed by a good answer, then a run of three in a row', async () => {
    const fake = await standIn({
      flows: {
        '123': [
          'reset',
          2,
          { http: 503 },
          2,
          'hang',
          'not-json',
          { error: 'InternalError' },
          2,
          { error: 'RequestLimitExceeded' },
          0,
        ],
      },
    })
    const run = await runInProcess({ inputs: inputs(fake.url) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake)).toHaveLength(10)
    expect(run.outputs).toMatchObject({ result: 'succeeded', polls: String(fake.requests.length) })
    expect(run.stdout).toContain('failed (3 in a row)')
    expect(run.stdout.match(/; retrying in /g)).toHaveLength(6)
  })

  it("a runner clock 10 minutes off the server's", async () => {
    const fake = await standIn({ flows: { '123': [2, 0] }, clockOffsetMs: -10 * 60_000 })
    const run = await runInProcess({ inputs: inputs(fake.url) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake).map((r) => r.answer)).toEqual(['AuthFailure.SignatureExpire', '2', '0'])
    expect(run.stdout).toMatch(/The runner's clock is (9m59s|10m|10m1s) ahead of Tencent Cloud's/)
  })
})

describe('faults that last end in a timeout naming the last cause', () => {
  const closedPort = async (): Promise<number> => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as { port: number }
    await new Promise((resolve) => probe.close(resolve))
    return port
  }

  it.each([
    {
      name: 'TLS failure (https to a plain HTTP server)',
      endpoint: async () => `https://${(await standIn({ flows: {} })).host}`,
      cause: /SSL|TLS|EPROTO|wrong version/i,
    },
    {
      name: 'HTTP 500 on every call',
      endpoint: async () => (await standIn({ flows: { '123': [{ http: 500 }] } })).url,
      cause: /HTTP 500/,
    },
  ])('$name', async ({ endpoint, cause }) => {
    const run = await runInProcess({ inputs: inputs(await endpoint(), { timeout: '1500ms' }) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ 'timed-out': 'true', result: 'unknown' })
    const error = errorLine(run)
    expect(error).toMatch(
      /^::error::Flow 123 \(region ap-guangzhou\): no answer from DescribeFlow within the timeout of 1.5s \(\d+ requests\); the last request failed: /,
    )
    expect(error).toMatch(cause)
    expect(run.stdout).toMatch(/failed \([2-9] in a row\)/) // retried, not given up on the first failure
    // the step's own clock: 1.5 s plus at most one request-timeout, rounded to the second
    expect(Number(run.outputs.elapsed)).toBeLessThanOrEqual(2)
  })

  it.each([
    {
      name: 'connection refused',
      endpoint: async () => `http://127.0.0.1:${await closedPort()}`,
      cause: /ECONNREFUSED/,
      timeout: 12,
    },
    // how long a resolver takes to fail is the machine's: a timeout long enough for three slow lookups
    {
      name: 'DNS failure',
      endpoint: async () => 'http://cynosdb.example.invalid:8080',
      cause: /ENOTFOUND|EAI_AGAIN/,
      timeout: 20,
    },
  ])(
    '$name, where the endpoint never answered: given up after a few tries, naming host and cause',
    async ({ endpoint, cause, timeout }) => {
      const url = await endpoint()
      const run = await runInProcess({ inputs: inputs(url, { timeout: `${timeout}s` }) })
      expect(run.code).toBe(1)
      const error = errorLine(run)
      expect(error).toContain(`${new URL(url).host} never answered: `)
      expect(error).toMatch(/\d+ tries over [\d.]+m?s failed before a connection was made/)
      expect(error).toMatch(cause)
      expect(error).toMatch(/Check the host name in 'endpoint'/)
      // given up after 3 tries and a quarter of the timeout, not timed out
      expect(run.outputs['timed-out']).toBe('false')
    },
    30_000,
  )

  it('fail-on-timeout: false cannot make a flow that never answered green', async () => {
    const fake = await standIn({ flows: { '123': [{ error: 'InternalError' }] } })
    const run = await runInProcess({ inputs: inputs(fake.url, { timeout: '500ms', 'fail-on-timeout': 'false' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::.*no answer from DescribeFlow.*InternalError/)
  })

  it('a flow seen processing, then lost to faults until the timeout, times out as processing', async () => {
    const fake = await standIn({ flows: { '123': [2, { http: 502 }] } })
    const run = await runInProcess({ inputs: inputs(fake.url, { timeout: '800ms' }) })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ status: '2', result: 'processing', 'timed-out': 'true' })
    expect(run.stdout).toMatch(
      /::error::Flow 123 .*still processing at the timeout of 800ms .*; the last request failed: DescribeFlow got HTTP 502/,
    )
  })
})

describe('cancellation', () => {
  it.each<{ name: string; signal: NodeJS.Signals; script: Step[]; when: RegExp; known: string; result: string }>([
    {
      name: 'SIGINT between polls',
      signal: 'SIGINT',
      script: [2],
      when: /Flow 123: processing/,
      known: 'processing',
      result: 'processing',
    },
    {
      name: 'SIGTERM between polls',
      signal: 'SIGTERM',
      script: [2],
      when: /Flow 123: processing/,
      known: 'processing',
      result: 'processing',
    },
    {
      name: 'SIGINT during a hung first request',
      signal: 'SIGINT',
      script: ['hang'],
      when: /Waiting for CynosDB/,
      known: 'no answer from DescribeFlow',
      result: 'unknown',
    },
  ])(
    '$name stops at once, reports what it knew and exits non-zero',
    async ({ signal, script, when, known, result }) => {
      const fake = await standIn({ flows: { '123': script } })
      const run = await runAction({
        inputs: inputs(fake.url, { 'poll-interval': '10s', 'request-timeout': '60s', timeout: '30m' }),
        signal: { name: signal, when },
      })
      expect(run.code).toBe(1)
      expect(run.stdout).toContain(`Received ${signal}: stopping the wait`)
      expect(run.stdout).toMatch(
        new RegExp(
          `::error::Flow 123 \\(region ap-guangzhou\\): cancelled after \\d+ms, 1 request; last known status: ${known}`,
        ),
      )
      expect(run.outputs).toMatchObject({ result, 'timed-out': 'false' })
    },
  )
})
