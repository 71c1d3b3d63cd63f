// The bundle against a server that misbehaves on purpose (not the stand-in): one case per class of hostility.
// Each asserts the guarantee the README's "Failure handling" states: nothing injected into the log or the summary,
// every run ends within timeout + request-timeout + 1 s, memory bounded, at most 20 requests in any second with
// `polls` equal to what the server received, HTTP statuses honoured, one failed flow ending the step.
import { afterAll, describe, expect, it, type TestContext } from 'vitest'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.ts'
import { ROOT } from '../../scripts/lib/action-metadata.ts'
import {
  callsOf,
  githubIdToken,
  startFakeTencent,
  type FakeTencent,
  type FakeTencentOptions,
} from '../../scripts/lib/stand-in.ts'
import { runnerCommands } from '../support/runner-commands.ts'
import { createServer, type AddressInfo } from 'node:net'
import {
  answer,
  busiestWindow,
  startHostileServer,
  startSilentServer,
  startSlowConnectForwarder,
  type Handler,
  type HostileServer,
} from '../support/hostile-server.ts'

const KEY = { id: 'AKIDhostileTest000000000000000000000', secret: 'hostile-test-secret-key-000000000' }
const INJECTION =
  'boom\n::set-output name=result::succeeded\r::add-mask::ap-guangzhou\u2028::error::pwned\u0085::stop-commands::tok\v::warning::x'
const MARKUP = '<img src=x onerror=alert(1)></td></tr></table>\n# pwned\n[link](http://x)'

// Concurrent tests must use their own context's hooks: a global onTestFinished may reach another test.
/** A hostile server for this test alone. */
const own = async (test: TestContext, handler: Handler): Promise<HostileServer> => {
  const fake = await startHostileServer(handler)
  test.onTestFinished(() => fake.close())
  return fake
}
/** The stand-in for this test alone, knowing this suite's key. */
const standIn = async (test: TestContext, options: FakeTencentOptions): Promise<FakeTencent> => {
  const fake = await startFakeTencent({ keys: { [KEY.id]: { secretKey: KEY.secret } }, ...options })
  test.onTestFinished(() => fake.close())
  return fake
}

let ran = 0
let held = 0
afterAll(() => console.log(`hostile tally: ${ran} hostile cases ran, ${held} held`))
/** Every case counts itself, and counts as held only when all its assertions passed. */
function hostile(name: string, body: (test: TestContext) => Promise<void>, timeout = 20_000): void {
  it(
    name,
    async (test) => {
      ran++
      await body(test)
      held++
    },
    timeout,
  )
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
/** A RequestId of the API's shape (a UUID), numbered. */
const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

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

describe.concurrent('foreign text is data, never commands or markup', () => {
  hostile('an error Message and RequestId holding workflow commands and markup', async (test) => {
    const fake = await own(test, (r, res) =>
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

  hostile('an undocumented Status that is a string holding a command', async (test) => {
    const fake = await own(test, (_r, res) =>
      answer(res, { Status: `2\n::error::pwned${INJECTION}`, RequestId: 'r-1' }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/undocumented Status "2\\n::error::pwned/)
    expectNoInjectedCommand(run)
  })

  hostile('an error Code that is not a code, and an input echoed back', async (test) => {
    const fake = await own(test, (_r, res) => answer(res, { Error: { Code: `X\n::error::pwned`, Message: 'm' } }))
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

describe.concurrent('every request is bounded in time and size', () => {
  hostile('a body sent one byte a second: the step still ends within timeout + request-timeout + 1 s', async (test) => {
    const fake = await own(test, (_r, res) => {
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

  hostile('an endless body: read up to 1 MiB, peak memory under 150 MB', async (test) => {
    const fake = await own(test, (_r, res) => {
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

  hostile('a connection whose TLS handshake never completes: bounded by request-timeout, not 10 s', async (test) => {
    const silent = await startSilentServer()
    test.onTestFinished(() => silent.close())
    const run = await runAction({
      inputs: inputs(`https://${silent.host}`, { timeout: '2s', 'request-timeout': '1s' }),
    })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(2 + 1 + 1)
    expect(run.stdout).toMatch(/no answer from DescribeFlow within the timeout/)
  })
})

// One at a time: the servers record arrivals in this process, whose event loop the concurrent cases would load.
describe('limits hold under load', () => {
  hostile(
    '50 flows against a server whose clock is an hour ahead: re-signs pass the limiter and count',
    async (test) => {
      const fake = await own(test, (r, res) => {
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
    },
  )

  hostile(
    '60 flows behind connections that take 150 ms to open: still at most 20 requests in any second',
    async (test) => {
      const fake = await own(test, (r, res) => answer(res, { Status: 2, RequestId: uuid(r.n) }))
      const [host = '', port = ''] = fake.host.split(':')
      const slow = await startSlowConnectForwarder({ host, port: Number(port) }, 150)
      test.onTestFinished(() => slow.close())
      const flows = Array.from({ length: 60 }, (_, i) => String(i + 1)).join(',')
      const run = await runAction({
        inputs: inputs(slow.url, { 'flow-id': flows, timeout: '4s', 'poll-interval': '1s' }),
      })
      expect(run.outputs['timed-out']).toBe('true')
      expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
      expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    },
  )

  hostile(
    '100 flows, timeout 3s, request-timeout 1s, slow answers: nothing starts after the deadline',
    async (test) => {
      const fake = await own(test, (r, res) => {
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
    },
  )
})

describe.concurrent('HTTP status semantics', () => {
  for (const [status, headers] of [
    [404, {}],
    [403, {}],
    [301, { location: 'https://example.invalid/' }],
  ] as const) {
    hostile(
      `HTTP ${status} from a wrong endpoint or a proxy is final at once, naming status and host`,
      async (test) => {
        const fake = await own(test, (_r, res) => {
          res.writeHead(status, { 'content-type': 'text/html', ...headers })
          res.end('<html><h1>Not the API</h1></html>')
        })
        const run = await runAction({ inputs: inputs(fake.url, { 'poll-interval': '' }) }) // default timeout: 30m
        expect(run.code).toBe(1)
        expect(seconds(run)).toBeLessThan(5)
        expect(fake.requests).toHaveLength(1)
        expect(run.stdout).toMatch(
          new RegExp(
            `::error::Flow 1 .*HTTP ${status} from ${fake.host.replace('.', '\\.')}.*not the Tencent Cloud API`,
          ),
        )
        expectNoMarkup(run)
      },
    )
  }

  hostile('429 with Retry-After: 2 is retried no sooner than 2 s later', async (test) => {
    const fake = await own(test, (r, res) => {
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

  hostile('503 with a Retry-After past the timeout ends the wait now, not at the timeout', async (test) => {
    const fake = await own(test, (_r, res) => {
      res.writeHead(503, { 'retry-after': '120' })
      res.end()
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '30s' }) })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(5)
    expect(fake.requests).toHaveLength(1)
    expect(run.stdout).toMatch(/the server asks to wait 2m, past the timeout, so the wait ends here/)
  })
})

describe.concurrent('odd but well-formed answers', () => {
  hostile('"Error": null is a garbled answer, retried, named at the timeout', async (test) => {
    const fake = await own(test, (_r, res) => answer(res, { Error: null, RequestId: uuid(0) }))
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Cannot read properties/)
    expect(run.stdout).toMatch(/whose Error is not an error object with a Code: "null"/)
    expect(run.outputs['request-id']).toBe(uuid(0))
  })

  hostile('a Date header far in the future does not break signing', async (test) => {
    const fake = await own(test, (_r, res) =>
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

  hostile('request-id is the RequestId of the last answer, error answers included', async (test) => {
    const fake = await own(test, (r, res) =>
      r.n === 0
        ? answer(res, { Status: 2, RequestId: uuid(1000) })
        : answer(res, { Error: { Code: 'InternalError', Message: 'x' }, RequestId: uuid(r.n) }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    const flowCalls = fake.requests.filter((r) => r.action === 'DescribeFlow')
    expect(run.outputs['request-id']).toBe(uuid(flowCalls.length - 1))
  })
})

describe.concurrent('purchases from a hostile server', () => {
  hostile('an instance ID holding a command is a garbled answer, never an output or a request', async (test) => {
    const fake = await own(test, (r, res) =>
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

describe.concurrent('several flows fail fast', () => {
  hostile('one failed flow ends a several-flow step at once', async (test) => {
    // flow 2 fails on its second call, when every flow has answered once
    const fake = await own(test, (r, res) =>
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

describe.concurrent('step debug logging', () => {
  hostile('one line per request: action, host, HTTP status, RequestId, latency, decision; no secret', async (test) => {
    const fake = await own(test, (r, res) => {
      if (r.n === 0) return void res.writeHead(502).end()
      answer(res, { Status: r.n < 2 ? 2 : 0, RequestId: `r-${r.n}` })
    })
    const run = await runAction({ inputs: inputs(fake.url), env: { RUNNER_DEBUG: '1' } })
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('::debug::DescribeFlow'))
    expect(lines).toHaveLength(fake.requests.filter((r) => r.action === 'DescribeFlow').length)
    const host = fake.host.replace('.', '\\.')
    expect(lines[0]).toMatch(new RegExp(`^::debug::DescribeFlow → ${host}: HTTP 502, \\d+ ms: HttpStatusError$`))
    expect(lines[1]).toMatch(/HTTP 200, RequestId r-1, \d+ ms: answered$/)
    expect(lines[2]).toMatch(/RequestId r-2, \d+ ms: answered$/)
    // and what the wait made of each: the retry, the next round, the end
    expect(run.stdout).toMatch(
      /^Flow 1: call 1 failed \(1 in a row\): DescribeFlow got HTTP 502 .*; retrying in \d+ms$/m,
    )
    expect(run.stdout).toMatch(/^::debug::Flow 1: next round in \d+ms$/m)
    expect(run.stdout).toMatch(/^::debug::Flow 1: done$/m)
    const visible = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(visible.join('\n')).not.toContain(KEY.secret)
    expect(visible.join('\n')).not.toMatch(/Signature=|TC3-HMAC/)
  })
})

// The second hostile pass: one case per class it found (issue 15). Each server is the test's own, so the cases run
// at once: most of them wait on a timeout.
describe.concurrent('the second hostile pass', () => {
  /** The commands the runner would run: only the toolkit's own, at the start of a line, never ##[. */
  const expectOnlyToolkitCommands = (run: ActionRun, secrets: readonly string[]): void => {
    for (const command of runnerCommands(`${run.stdout}\n${run.stderr}`)) {
      expect(command.syntax, command.line).toBe('::')
      expect(command.line.startsWith(`::${command.name}`), command.line).toBe(true)
      expect(['add-mask', 'debug', 'error', 'warning', 'notice'], command.line).toContain(command.name)
      if (command.name === 'add-mask') expect(secrets, command.line).toContain(command.data)
    }
  }
  const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u
  const OLD_SYNTAX = 'x ##[stop-commands]tok ##[add-mask]y \u202eevil\u202c zero\u200bwidth\ufeff'

  hostile(
    '1. the older ##[ syntax, bidi and zero-width characters in API text, with keyless keys being masked',
    async (test) => {
      const idToken = 'hostileIdTokenFFFFFFFF'
      const fake = await own(test, (r, res) => {
        if (r.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end(JSON.stringify({ value: githubIdToken(idToken, 'sts.tencentcloudapi.com') }))
        }
        if (r.action === 'AssumeRoleWithWebIdentity') {
          return answer(res, {
            Credentials: { TmpSecretId: 'AKIDtmpHostile', TmpSecretKey: 'tmpKeyHostile', Token: 'tmpTokenHostile' },
            ExpiredTime: Math.floor(Date.now() / 1000) + 3600,
            RequestId: uuid(1),
          })
        }
        if (r.action === 'DescribeTasks') {
          return answer(res, {
            TotalCount: 1,
            TaskList: [
              { ID: 5, FlowId: 1, TaskType: `Modify${OLD_SYNTAX}`, InstanceId: `ins${OLD_SYNTAX}`, ErrMsg: OLD_SYNTAX },
            ],
            RequestId: uuid(2),
          })
        }
        if (r.n < 2) return answer(res, { Error: { Code: 'InternalError', Message: OLD_SYNTAX }, RequestId: uuid(3) })
        answer(res, { Status: r.n < 3 ? 2 : 1, RequestId: `${uuid(4)}${OLD_SYNTAX}` })
      })
      const run = await runAction({
        inputs: {
          ...inputs(fake.url),
          'secret-id': '',
          'secret-key': '',
          'sts-endpoint': fake.url,
          'role-arn': 'qcs::cam::uin/1:roleName/ci',
          'oidc-provider-id': 'github',
        },
        env: {
          RUNNER_DEBUG: '1',
          ACTIONS_ID_TOKEN_REQUEST_URL: `${fake.url}/token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'reqTokenHostile',
        },
      })
      expect(run.code).toBe(1)
      const secrets = [
        'reqTokenHostile',
        githubIdToken(idToken, 'sts.tencentcloudapi.com'),
        'AKIDtmpHostile',
        'tmpKeyHostile',
        'tmpTokenHostile',
      ]
      expectOnlyToolkitCommands(run, secrets)
      expect(run.stdout).not.toContain('##[')
      expect(run.stdout).not.toMatch(INVISIBLE)
      expect(run.stdout).toMatch(/#\\u0023\[stop-commands\]tok/) // shown, escaped
      expect(run.stdout).toMatch(/\\u202eevil\\u202c zero\\u200bwidth\\ufeff/)
      expect(run.summary).not.toMatch(INVISIBLE)
      expect(run.summary).not.toContain('##[')
      const masked = run.stdout
        .split('\n')
        .filter((l) => l.startsWith('::add-mask::'))
        .map((l) => l.slice(12))
      expect(new Set(masked)).toEqual(new Set(secrets))
    },
  )

  hostile('2. a slow DescribeTasks never delays seeing the flow end', async (test) => {
    const fake = await own(test, (r, res) => {
      if (r.action === 'DescribeTasks')
        return void setTimeout(() => answer(res, { TotalCount: 0, TaskList: [], RequestId: uuid(1) }), 8000)
      answer(res, { Status: r.n < 1 ? 2 : 0, RequestId: uuid(2) })
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '20s', 'request-timeout': '15s' }) })
    expect(run.code).toBe(0)
    expect(seconds(run)).toBeLessThan(3)
    expect(fake.requests.filter((r) => r.action === 'DescribeTasks')).toHaveLength(1)
  })

  hostile('3. the last poll goes out at the deadline, however late the timer wakes', async (test) => {
    const fake = await own(test, (r, res) => {
      if (r.action === 'DescribeTasks') return answer(res, { TotalCount: 0, TaskList: [], RequestId: uuid(1) })
      answer(res, { Status: r.n < 2 ? 2 : 0, RequestId: uuid(2) })
    })
    // polls at 0 and 1.2 s, then the deadline round at 2 s, whose timer wakes a little late as timers do: it goes
    // out all the same (the rate limiter refused it before) and sees the flow ended
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '2s', 'poll-interval': '1200ms' }) })
    if (run.code !== 0)
      console.log(
        'DEBUG3',
        run.stdout,
        fake.requests.map((r) => [r.action, r.n, Math.round(r.at)]),
      )
    expect(run.code).toBe(0)
    expect(fake.requests.filter((r) => r.action === 'DescribeFlow')).toHaveLength(3)
    expect(run.outputs['timed-out']).toBe('false')
  })

  hostile('4. a purchase of 150 instances: every one listed, 100 a page', async (test) => {
    const ids = Array.from({ length: 150 }, (_, i) => `cynosdbmysql-ins-${String(i).padStart(4, '0')}`)
    const fake = await standIn(test, {
      deals: { d1: { clusterId: 'cynosdbmysql-c1', instanceIds: ids } },
      instances: Object.fromEntries(ids.map((id) => [id, ['running']])),
    })
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'd1', timeout: '10s' }) })
    expect(run.code).toBe(0)
    expect(callsOf(fake, 'DescribeInstances').map((r) => JSON.parse(r.body).Offset)).toEqual([0, 100])
    expect(run.outputs['instance-ids']?.split(',')).toHaveLength(150)
  })

  hostile('5. an instance seen running and then missing is not running', async (test) => {
    const fake = await own(test, (r, res) => {
      if (r.action === 'DescribeResourcesByDealName') {
        return answer(res, {
          BillingResourceInfos: [{ DealName: 'd1', ClusterId: 'c1', InstanceIds: ['ins-1', 'ins-2'] }],
          RequestId: uuid(1),
        })
      }
      const set =
        r.n === 0
          ? [
              { InstanceId: 'ins-1', Status: 'running' },
              { InstanceId: 'ins-2', Status: 'creating' },
            ]
          : [{ InstanceId: 'ins-2', Status: 'running' }]
      answer(res, { TotalCount: set.length, InstanceSet: set, RequestId: uuid(2) })
    })
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'd1', timeout: '1s', 'fail-on-timeout': 'false' }),
    })
    expect(run.code).toBe(1) // not listed at the timeout is unknown, which fail-on-timeout: false cannot make green
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'instance:ins-1': 'unknown',
      'instance:ins-2': 'succeeded',
    })
    expect(run.stdout).toMatch(/::error::Instance ins-1 \(region ap-guangzhou\): not listed yet within the timeout/)
  })

  hostile('6. one deal that delivered two clusters: both are waited for and both are outputs', async (test) => {
    const fake = await standIn(test, {
      deals: {
        d1: {
          clusters: [
            { clusterId: 'cynosdbmysql-c1', instanceIds: ['cynosdbmysql-ins-1'] },
            { clusterId: 'cynosdbmysql-c2', instanceIds: ['cynosdbmysql-ins-2'] },
          ],
        },
      },
      instances: { 'cynosdbmysql-ins-1': ['running'], 'cynosdbmysql-ins-2': ['creating', 'creating', 'running'] },
    })
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'd1', timeout: '10s' }) })
    expect(run.code).toBe(0)
    expect(callsOf(fake, 'DescribeInstances')).toHaveLength(3) // not done while the second cluster's instance was creating
    expect(run.outputs).toMatchObject({
      'cluster-ids': 'cynosdbmysql-c1,cynosdbmysql-c2',
      'instance-ids': 'cynosdbmysql-ins-1,cynosdbmysql-ins-2',
    })
  })

  const keyless = (url: string, extra: Record<string, string> = {}) => ({
    inputs: {
      ...inputs(url),
      'secret-id': '',
      'secret-key': '',
      'sts-endpoint': url,
      'role-arn': 'qcs::cam::uin/1:roleName/ci',
      'oidc-provider-id': 'github',
      ...extra,
    },
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'reqToken' },
  })

  hostile(
    '7. a GitHub token endpoint that never answers: bounded by timeout + request-timeout, and by SIGTERM',
    async (test) => {
      const fake = await own(test, () => undefined) // never answers anything
      const bounded = await runAction(keyless(fake.url, { timeout: '2s', 'request-timeout': '1s' }))
      expect(bounded.code).toBe(1)
      expect(seconds(bounded)).toBeLessThan(2 + 1 + 1)
      expect(bounded.stdout).toMatch(
        /::error::.*GitHub ID token request to 127\.0\.0\.1:\d+ got no complete answer within/,
      )
      let signalledAt = 0
      const cancelled = await runAction({
        ...keyless(fake.url, { timeout: '30m', 'request-timeout': '60s' }),
        signal: { name: 'SIGTERM', when: /Waiting for CynosDB/ },
        onSignal: () => (signalledAt = Date.now()),
      })
      expect(cancelled.code).toBe(1)
      expect(cancelled.exitedAt - signalledAt).toBeLessThan(1000)
    },
  )

  hostile(
    '8. temporary keys already expired by the runner’s clock are used, not fetched again for every request',
    async (test) => {
      const fake = await own(test, (r, res) => {
        if (r.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end(JSON.stringify({ value: githubIdToken('t', 'sts.tencentcloudapi.com') }))
        }
        if (r.action === 'AssumeRoleWithWebIdentity') {
          return answer(res, {
            Credentials: { TmpSecretId: 'AKIDtmp', TmpSecretKey: 'k', Token: 'tok' },
            ExpiredTime: Math.floor(Date.now() / 1000) - 3600, // an hour ago, by this machine's clock
            RequestId: uuid(1),
          })
        }
        if (r.action === 'DescribeTasks') return answer(res, { TotalCount: 0, TaskList: [], RequestId: uuid(2) })
        answer(res, { Status: r.n < 15 ? 2 : 0, RequestId: uuid(3) })
      })
      const run = await runAction(keyless(fake.url, { timeout: '10s', 'poll-interval': '100ms' }))
      expect(run.code).toBe(0)
      expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(1)
      expect(fake.requests.filter((r) => r.action === 'AssumeRoleWithWebIdentity')).toHaveLength(1)
      // every Tencent Cloud request counts, STS included
      expect(Number(run.outputs.polls)).toBe(fake.requests.filter((r) => r.method === 'POST').length)
    },
  )

  hostile('9. a request budget that is not a whole number of milliseconds', async (test) => {
    // every call fails at once, so a round goes out at the deadline itself, with less than a request-timeout left:
    // a budget with a fraction of a millisecond, which AbortSignal.timeout refused before the request was sent
    const fake = await own(test, (_r, res) => void res.writeHead(500).end())
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1500ms', 'request-timeout': '1s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/out of range|ERR_OUT_OF_RANGE/)
    expect(run.stdout).toMatch(/::error::Flow 1 .*no answer from DescribeFlow within the timeout of 1.5s .*HTTP 500/)
    const [first] = fake.requests
    expect(fake.requests.at(-1)?.at ?? 0).toBeGreaterThanOrEqual((first?.at ?? 0) + 1400) // the deadline round went out
  })

  hostile(
    '10. a thousand instances with long IDs: every log line, annotation, output and the summary bounded',
    async (test) => {
      const ids = Array.from(
        { length: 1000 },
        (_, i) => `cynosdbmysql-ins-${'x'.repeat(40)}${String(i).padStart(4, '0')}`,
      )
      const fake = await own(test, (r, res) => {
        if (r.action === 'DescribeResourcesByDealName') {
          return answer(res, {
            BillingResourceInfos: [{ DealName: 'd1', ClusterId: 'c1', InstanceIds: ids }],
            RequestId: uuid(1),
          })
        }
        const { Offset = 0, Limit = 20 } = JSON.parse(r.body) as { Offset?: number; Limit?: number }
        const set = ids.slice(Offset, Offset + Limit).map((id) => ({ InstanceId: id, Status: 'creating' }))
        answer(res, { TotalCount: ids.length, InstanceSet: set, RequestId: uuid(2) })
      })
      const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'd1', timeout: '2s' }) })
      expect(run.code).toBe(1)
      for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(16_000 * 3)
      for (const line of run.stdout.split('\n').filter((l) => !l.startsWith('::error::')))
        expect(line.length).toBeLessThanOrEqual(4100)
      expect(run.stdout).toMatch(/and 990 more; 0 of 1000 running/)
      expect(run.stdout).toMatch(/%0A… and \d+ more lines/)
      expect(Buffer.byteLength(run.summary)).toBeLessThan(512 * 1024)
      expect(run.summary).toMatch(/800 more rows left out/)
      for (const value of Object.values(run.outputs)) expect(value.length).toBeLessThanOrEqual(64 * 1024)
      expect(JSON.parse(run.outputs.results ?? '').more).toMatch(/^\d+ left out$/)
    },
  )

  hostile('11. request-id takes only the API’s RequestId shape', async (test) => {
    const fake = await own(test, (r, res) =>
      answer(res, { Status: 1, RequestId: r.n === 0 ? '::warning::pwned' : 'x' }),
    )
    const run = await runAction({ inputs: inputs(fake.url) })
    expect(run.code).toBe(1)
    expect(run.outputs['request-id']).toBe('')
    const ok = await own(test, (_r, res) => answer(res, { Status: 0, RequestId: uuid(7) }))
    expect((await runAction({ inputs: inputs(ok.url) })).outputs['request-id']).toBe(uuid(7))
  })

  hostile('12. results keys cannot collide: a flow and a task with the same ID', async (test) => {
    const fake = await standIn(test, {
      flows: { '7': [0] },
      taskList: { '7': { taskType: 'CreateAccounts', statuses: ['success'] } },
    })
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '7', 'task-ids': '7' }) })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({ '7': 'succeeded', 'task:7': 'succeeded' })
  })

  hostile('13. a flow ID past 2^53 is matched to its own task, never a neighbour’s', async (test) => {
    const fake = await standIn(test, {
      flows: { '9007199254740993': [2, 1] },
      taskList: {
        '1': { flowId: '9007199254740992', taskType: 'ModifyInstance', errMsg: 'the neighbour' },
        '2': { flowId: '9007199254740993', taskType: 'ModifyInstance', errMsg: 'this flow' },
      },
    })
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '9007199254740993' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::Flow 9007199254740993 .*its task \(ModifyInstance\) says: this flow$/m)
    expect(run.stdout).not.toContain('the neighbour')
  })

  hostile('14. progress shows 0 to 99 while the work runs', async (test) => {
    const fake = await standIn(test, {
      flows: { '1': [2, 2, 0], '2': [2, 2, 0], '3': [2, 2, 0] },
      taskList: {
        '11': { flowId: '1', taskType: 'T', progress: [-5] },
        '12': { flowId: '2', taskType: 'T', progress: [1e308] },
        '13': { flowId: '3', taskType: 'T', progress: [100] },
      },
    })
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '1,2,3' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Flow 1 \(T\): processing, 0% after/m)
    expect(run.stdout).toMatch(/^Flow 2 \(T\): processing, 99% after/m)
    expect(run.stdout).toMatch(/^Flow 3 \(T\): processing, 99% after/m)
    expect(run.stdout).not.toMatch(/-5%|e\+308|100%/)
  })

  hostile(
    'a sent change whose answer holds a FlowId the API does not document: carried out, said so, outputs set',
    async (test) => {
      const fake = await own(test, (_r, res) => answer(res, { FlowId: 'abc\n##[error]x', RequestId: uuid(9) }))
      const run = await runAction({
        inputs: inputs(fake.url, {
          'flow-id': '',
          call: 'RestartInstance',
          parameters: '{"InstanceId": "cynosdbmysql-ins-1"}',
        }),
      })
      expect(run.code).toBe(1)
      expect(fake.requests).toHaveLength(1) // sent once, never again
      expect(run.stdout).toMatch(
        /::error::RestartInstance was carried out, but its answer's FlowId is not what the API documents/,
      )
      expect(run.outputs['request-id']).toBe(uuid(9))
      expect(JSON.parse(run.outputs.response ?? '')).toEqual({ FlowId: 'abc\n##[error]x', RequestId: uuid(9) })
      expect(run.outputs.response).not.toContain('##[')
      expectOnlyToolkitCommands(run, [KEY.id, KEY.secret])
    },
  )

  hostile('15. an endpoint that never answered is given up on soon, naming the host and the cause', async () => {
    // a port nothing listens on (a DNS failure is the same class, but how long a resolver takes to fail is this
    // machine's, not the action's: the faults suite gives it a longer timeout)
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    // given up at the first failure once it failed 3 times over a quarter of the timeout (3 s): by about 7 s
    const run = await runAction({ inputs: inputs(`http://127.0.0.1:${port}`, { timeout: '12s', 'poll-interval': '' }) })
    expect(run.code).toBe(1)
    expect(seconds(run)).toBeLessThan(9) // not the whole 12 s
    expect(run.stdout).toMatch(
      new RegExp(
        `::error::Flow 1 .*127\\.0\\.0\\.1:${port} never answered: \\d+ tries over [\\d.]+m?s failed before a connection was made \\(last: .*ECONNREFUSED`,
      ),
    )
    expect(run.stdout).toMatch(/Check the host name in 'endpoint'/)
  })
})
