// The bundle against a server that misbehaves on purpose (not the stand-in): one case per class of hostility.
// Each asserts the guarantee the README's "Failure handling" states: nothing injected into the log or the summary,
// every run ends within timeout + request-timeout + 1 s, memory bounded, at most 20 requests in any second with
// `polls` equal to what the server received, HTTP statuses honoured, one failed flow ending the step.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.ts'
import { ROOT } from '../../scripts/lib/action-metadata.ts'
import {
  answer,
  busiestWindow,
  startHostileServer,
  startSilentServer,
  type Handler,
  type HostileServer,
} from '../support/hostile-server.ts'

const KEY = { id: 'AKIDhostileTest000000000000000000000', secret: 'hostile-test-secret-key-000000000' }
const INJECTION =
  'boom\n::set-output name=result::succeeded\r::add-mask::ap-guangzhou\u2028::error::pwned\u0085::stop-commands::tok\v::warning::x'
const MARKUP = '<img src=x onerror=alert(1)></td></tr></table>\n# pwned\n[link](http://x)'

let server: HostileServer | undefined
let cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await server?.close()
  server = undefined
  for (const cleanup of cleanups) await cleanup()
  cleanups = []
})

let ran = 0
let held = 0
afterAll(() => console.log(`hostile tally: ${ran} hostile cases ran, ${held} held`))
/** Every case counts itself, and counts as held only when all its assertions passed. */
function hostile(name: string, body: () => Promise<void>, timeout = 20_000): void {
  it(
    name,
    async () => {
      ran++
      await body()
      held++
    },
    timeout,
  )
}

async function serve(handler: Handler): Promise<HostileServer> {
  server = await startHostileServer(handler)
  return server
}

const inputs = (endpoint: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'flow-id': '1',
  region: 'ap-guangzhou',
  'secret-id': KEY.id,
  'secret-key': KEY.secret,
  endpoint,
  'poll-interval': '200ms',
  ...extra,
})

const seconds = (run: ActionRun): number => (run.exitedAt - run.spawnedAt) / 1000

/** What the runner would execute: every line that starts with `::`. Only the toolkit's own commands may. */
function expectNoInjectedCommand(run: ActionRun): void {
  for (const line of run.stdout.split('\n').filter((l) => l.startsWith('::'))) {
    expect(line).toMatch(/^::(add-mask|warning|error|debug|notice)::/)
    if (line.startsWith('::add-mask::')) expect([KEY.id, KEY.secret]).toContain(line.slice('::add-mask::'.length))
  }
  expect(run.stdout).not.toMatch(/^(::set-output|::stop-commands|::error::pwned)/m)
  expect(run.stderr).not.toMatch(/^::/m)
}

function expectNoMarkup(run: ActionRun): void {
  expect(run.summary).not.toMatch(/<img/i)
  expect(run.summary.match(/<\/table>/g)).toHaveLength(1)
  expect(run.summary).not.toMatch(/^#/m)
  expect(run.summary).not.toMatch(/\]\(http/)
}

describe('foreign text is data, never commands or markup', () => {
  hostile('an error Message and RequestId holding workflow commands and markup', async () => {
    const fake = await serve((r, res) =>
      r.n === 0
        ? answer(res, { Error: { Code: 'InternalError', Message: INJECTION }, RequestId: MARKUP })
        : answer(res, { Status: 1, RequestId: MARKUP }),
    )
    const run = await runAction({ inputs: inputs(fake.url), env: { RUNNER_DEBUG: '1' } })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/InternalError: boom\\n::set-output name=result::succeeded\\r::add-mask::/)
    expectNoInjectedCommand(run)
    expectNoMarkup(run)
    expect(run.outputs.result).toBe('failed')
    expect(run.outputs['request-id']).toBe('') // not a well-formed RequestId: kept out of later steps' scripts
  })

  hostile('an undocumented Status that is a string holding a command', async () => {
    const fake = await serve((_r, res) => answer(res, { Status: `2\n::error::pwned${INJECTION}`, RequestId: 'r-1' }))
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/undocumented Status "2\\n::error::pwned/)
    expectNoInjectedCommand(run)
  })

  hostile('an error Code that is not a code, and an input echoed back', async () => {
    const fake = await serve((_r, res) => answer(res, { Error: { Code: `X\n::error::pwned`, Message: 'm' } }))
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.stdout).toMatch(/whose Error is not an error object with a Code/)
    expectNoInjectedCommand(run)
    const sent = fake.requests.length
    const bad = await runAction({ inputs: inputs(fake.url, { timeout: `1s\n::error::pwned\u2028::add-mask::x` }) })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/Input 'timeout' must be/)
    expectNoInjectedCommand(bad)
    expect(fake.requests).toHaveLength(sent) // the bad input sent nothing
  })
})

describe('every request is bounded in time and size', () => {
  hostile('a body sent one byte a second: the step still ends within timeout + request-timeout + 1 s', async () => {
    const fake = await serve((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => res.write(' '), 1000)
      res.on('close', () => clearInterval(timer))
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '3s', 'request-timeout': '1s' }) })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(3 + 1 + 1)
    expect(run.stdout).toMatch(/no complete answer within 1s/)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
  })

  hostile('an endless body: read up to 1 MiB, peak memory under 150 MB', async () => {
    const fake = await serve((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = (): void => {
        while (res.write(chunk));
      }
      res.on('drain', pump)
      pump()
    })
    const run = await runAction({
      inputs: inputs(fake.url, { timeout: '3s', 'request-timeout': '2s' }),
      nodeArgs: ['--import', `${ROOT}scripts/bench/max-rss.mjs`],
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/larger than 1024 KiB/)
    const rssMb = Number(/bench:max-rss-kb=(\d+)/.exec(run.stderr)?.[1]) / 1024
    expect(rssMb).toBeGreaterThan(0)
    expect(rssMb).toBeLessThan(150)
    expect(seconds(run)).toBeLessThan(3 + 2 + 1)
  })

  hostile('a connection whose TLS handshake never completes: bounded by request-timeout, not 10 s', async () => {
    const silent = await startSilentServer()
    cleanups.push(() => silent.close())
    const run = await runAction({
      inputs: inputs(`https://${silent.host}`, { timeout: '2s', 'request-timeout': '1s' }),
    })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(2 + 1 + 1)
    expect(run.stdout).toMatch(/no answer from DescribeFlow within the timeout/)
  })
})

describe('limits hold under load', () => {
  hostile('50 flows against a server whose clock is an hour ahead: re-signs pass the limiter and count', async () => {
    const fake = await serve((r, res) => {
      const serverNow = Date.now() + 3600_000
      const date = { date: new Date(serverNow).toUTCString() }
      const skewed = Math.abs(Number(r.headers['x-tc-timestamp']) * 1000 - serverNow) > 300_000
      if (skewed) return answer(res, { Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' } }, date)
      answer(res, { Status: 2, RequestId: `r-${r.flowId}-${r.n}` }, date)
    })
    const flows = Array.from({ length: 50 }, (_, i) => String(i + 1)).join(',')
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': flows, timeout: '3s', 'poll-interval': '1s' }),
    })
    expect(run.stdout).toMatch(/clock is (59m59s|1h|1h0m1s) behind/)
    expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    expect(run.outputs['timed-out']).toBe('true')
  })

  hostile('100 flows, timeout 3s, request-timeout 1s, slow answers: nothing starts after the deadline', async () => {
    const fake = await serve((r, res) => {
      setTimeout(() => answer(res, { Status: 2, RequestId: `r-${r.flowId}-${r.n}` }), 900)
    })
    const flows = Array.from({ length: 100 }, (_, i) => String(i + 1)).join(',')
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': flows, timeout: '3s', 'request-timeout': '1s' }),
    })
    expect(seconds(run)).toBeLessThan(3 + 1 + 1)
    expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    expect(run.outputs['timed-out']).toBe('true')
  })
})

describe('HTTP status semantics', () => {
  for (const [status, headers] of [
    [404, {}],
    [403, {}],
    [301, { location: 'https://example.invalid/' }],
  ] as const) {
    hostile(`HTTP ${status} from a wrong endpoint or a proxy is final at once, naming status and host`, async () => {
      const fake = await serve((_r, res) => {
        res.writeHead(status, { 'content-type': 'text/html', ...headers })
        res.end('<html><h1>Not the API</h1></html>')
      })
      const run = await runAction({ inputs: inputs(fake.url, { 'poll-interval': '' }) }) // default timeout: 30m
      expect(run.code).toBe(1)
      expect(seconds(run)).toBeLessThan(5)
      expect(fake.requests).toHaveLength(1)
      expect(run.stdout).toMatch(
        new RegExp(`::error::Flow 1 .*HTTP ${status} from ${fake.host.replace('.', '\\.')}.*not the Tencent Cloud API`),
      )
      expectNoMarkup(run)
    })
  }

  hostile('429 with Retry-After: 2 is retried no sooner than 2 s later', async () => {
    const fake = await serve((r, res) => {
      if (r.n === 0) {
        res.writeHead(429, { 'retry-after': '2' })
        return void res.end()
      }
      answer(res, { Status: 0, RequestId: 'r-ok' })
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '10s' }) })
    expect(run.code).toBe(0)
    const [first, second] = fake.requests
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2000)
    expect(run.stdout).toMatch(/HTTP 429 .*Retry-After 2s/)
  })

  hostile('503 with a Retry-After past the timeout ends the wait now, not at the timeout', async () => {
    const fake = await serve((_r, res) => {
      res.writeHead(503, { 'retry-after': '120' })
      res.end()
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '30s' }) })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(5)
    expect(fake.requests).toHaveLength(1)
    expect(run.stdout).toMatch(/asks to wait past the timeout/)
  })
})

describe('odd but well-formed answers', () => {
  hostile('"Error": null is a garbled answer, retried, named at the timeout', async () => {
    const fake = await serve((_r, res) => answer(res, { Error: null, RequestId: 'r-null' }))
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Cannot read properties/)
    expect(run.stdout).toMatch(/whose Error is not an error object with a Code: "null"/)
    expect(run.outputs['request-id']).toBe('r-null')
  })

  hostile('a Date header far in the future does not break signing', async () => {
    const fake = await serve((_r, res) =>
      answer(
        res,
        { Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' }, RequestId: 'r-date' },
        { date: 'Fri, 31 Dec 9999 23:59:59 GMT' },
      ),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '5s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Invalid time value/)
    expect(run.stdout).toMatch(/::error::Flow 1 .*AuthFailure\.SignatureExpire.*clock is off/)
    expect(fake.requests).toHaveLength(1)
  })

  hostile('request-id is the RequestId of the last answer, error answers included', async () => {
    const fake = await serve((r, res) =>
      r.n === 0
        ? answer(res, { Status: 2, RequestId: 'r-first' })
        : answer(res, { Error: { Code: 'InternalError', Message: 'x' }, RequestId: `r-error-${r.n}` }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    const flowCalls = fake.requests.filter((r) => r.action === 'DescribeFlow')
    expect(run.outputs['request-id']).toBe(`r-error-${flowCalls.length - 1}`)
  })
})

describe('purchases from a hostile server', () => {
  hostile('an instance ID holding a command is a garbled answer, never an output or a request', async () => {
    const fake = await serve((r, res) =>
      r.action === 'DescribeResourcesByDealName'
        ? answer(res, {
            BillingResourceInfos: [{ DealName: 'd1', ClusterId: 'c-1', InstanceIds: ['ins-1\n::error::pwned'] }],
            RequestId: 'r-deal',
          })
        : answer(res, { InstanceSet: [], RequestId: 'r-ins' }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'd1', timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/DescribeResourcesByDealName answered without the fields it documents/)
    expect(fake.requests.every((r) => r.action === 'DescribeResourcesByDealName')).toBe(true)
    expect(run.outputs['instance-ids']).toBe('')
    expectNoInjectedCommand(run)
    expectNoMarkup(run)
  })
})

describe('several flows fail fast', () => {
  hostile('one failed flow ends a several-flow step at once', async () => {
    // flow 2 fails on its second call, when every flow has answered once
    const fake = await serve((r, res) =>
      answer(res, { Status: r.flowId === '2' && r.n > 0 ? 1 : 2, RequestId: `r-${r.flowId}` }),
    )
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': '1,2,3', 'poll-interval': '', timeout: '30m' }),
    })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(3)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({ '1': 'processing', '2': 'failed', '3': 'processing' })
    expect(run.summary).toMatch(/Flow 2 ended the wait/)
  })
})

describe('step debug logging', () => {
  hostile('one line per request: action, host, HTTP status, RequestId, latency, decision; no secret', async () => {
    const fake = await serve((r, res) => {
      if (r.n === 0) return void res.writeHead(502).end()
      answer(res, { Status: r.n < 2 ? 2 : 0, RequestId: `r-${r.n}` })
    })
    const run = await runAction({ inputs: inputs(fake.url), env: { RUNNER_DEBUG: '1' } })
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('::debug::Flow 1: DescribeFlow'))
    expect(lines).toHaveLength(fake.requests.filter((r) => r.action === 'DescribeFlow').length)
    expect(lines[0]).toMatch(
      new RegExp(`→ ${fake.host.replace('.', '\\.')}: HTTP 502, \\d+ ms: HttpStatusError; retry in`),
    )
    expect(lines[1]).toMatch(/HTTP 200, RequestId r-1, \d+ ms: Status 2; next poll in/)
    expect(lines[2]).toMatch(/RequestId r-2, \d+ ms: Status 0; done/)
    const visible = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(visible.join('\n')).not.toContain(KEY.secret)
    expect(visible.join('\n')).not.toMatch(/Signature=|TC3-HMAC/)
  })
})
