// The bundle against a server that misbehaves on purpose (not the stand-in), one case per class of hostility,
// grouped by the guarantee of the README's "Failure handling" each holds. Here: bounded time, bounded size, and the
// limits under load; foreign text is hostile-text.test.ts's, HTTP semantics, a change sent at most once and
// answers read as documented hostile-answers.test.ts's. Every server is its own test's, so most cases run at once.
//
// No case asserts how long the run took by this machine's clock, which a loaded machine stretches: a time bound is
// read from what the step reports on its own clock (the elapsed output), from what the server saw, or is implied
// by the test's own timeout against inputs that would take far longer.
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/lib/action-metadata.ts'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.ts'
import { requestsOf, githubIdToken } from '../../scripts/lib/stand-in.ts'
import { inputs, keyless, standIn } from '../support/e2e.ts'
import {
  answer,
  busiestWindow,
  startHostileServer,
  startSilentServer,
  startSlowConnectForwarder,
  uuid,
  type HostileRequest,
} from '../support/hostile-server.ts'

/** The step's own clock (its elapsed output, whole seconds): it ended within timeout + request-timeout + 1 s. */
const expectEndedWithin = (run: ActionRun, timeoutS: number, requestTimeoutS: number): void =>
  expect(Number(run.outputs.elapsed)).toBeLessThanOrEqual(timeoutS + requestTimeoutS + 1)

/** What the server saw: no request came later than timeout + request-timeout after the first, however slow. */
const expectNoRequestPast = (requests: readonly HostileRequest[], timeoutS: number, requestTimeoutS: number) => {
  const times = requests.map((r) => r.at)
  expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual((timeoutS + requestTimeoutS) * 1000)
}

const flowIds = (n: number): string => Array.from({ length: n }, (_, i) => String(i + 1)).join(',')

describe.concurrent('bounded time: the step ends within timeout + request-timeout', () => {
  it('a body sent one byte a second', async (test) => {
    const fake = await startHostileServer(test, (_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => res.write(' '), 1000)
      res.on('close', () => clearInterval(timer))
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '3s', 'request-timeout': '1s' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/no complete answer within 1s/)
    expectEndedWithin(run, 3, 1)
    expectNoRequestPast(fake.requests, 3, 1)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
  })

  it('a TLS handshake that never completes: bounded by request-timeout, not by the 10 s connect timeout', async (test) => {
    const silent = await startSilentServer(test)
    const run = await runAction({
      inputs: inputs(`https://${silent.host}`, { timeout: '2s', 'request-timeout': '1s' }),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/no answer from DescribeFlow within the timeout/)
    expectEndedWithin(run, 2, 1)
    expect(silent.connections()).toBeGreaterThanOrEqual(2) // the first given up at 1 s, and tried again
  })

  it('a GitHub token endpoint that never answers: bounded by timeout + request-timeout, and by SIGTERM', async (test) => {
    const fake = await startHostileServer(test, () => undefined) // never answers anything
    const bounded = await runAction(keyless(fake.url, { timeout: '2s', 'request-timeout': '1s' }))
    expect(bounded.code).toBe(1)
    expect(bounded.stdout).toMatch(
      /::error::.*GitHub ID token request to 127\.0\.0\.1:\d+ got no complete answer within/,
    )
    expectEndedWithin(bounded, 2, 1)
    // a request-timeout of 60 s and a timeout of 30 m: only the signal can end this run within the test's 20 s
    const cancelled = await runAction({
      ...keyless(fake.url, { timeout: '30m', 'request-timeout': '60s' }),
      signal: { name: 'SIGTERM', when: /Waiting for CynosDB/ },
    })
    expect(cancelled.code).toBe(1)
    expect(cancelled.stdout).toContain('Received SIGTERM: stopping the wait')
  })

  it('a DescribeTasks that never answers does not delay seeing the flow end, nor the exit', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
      if (r.action !== 'DescribeTasks') answer(res, { Status: r.n < 1 ? 2 : 0, RequestId: uuid(2) })
    })
    // a request-timeout of 60 s: waiting for that lookup would outlast the test's 20 s
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '2m', 'request-timeout': '60s' }) })
    expect(run.code).toBe(0)
    expect(Number(run.outputs.elapsed)).toBeLessThan(60)
    expect(fake.requests.filter((r) => r.action === 'DescribeTasks')).toHaveLength(1)
  })

  it('a request budget that is not a whole number of milliseconds', async (test) => {
    // every call fails at once, so a round goes out at the deadline itself, with less than a request-timeout left:
    // a budget with a fraction of a millisecond, which AbortSignal.timeout refused before the request was sent
    const fake = await startHostileServer(test, (_r, res) => void res.writeHead(500).end())
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1500ms', 'request-timeout': '1s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/out of range|ERR_OUT_OF_RANGE/)
    expect(run.stdout).toMatch(/::error::Flow 123 .*no answer from DescribeFlow within the timeout of 1.5s .*HTTP 500/)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length) // every round that went out reached the server
  })
})

describe.concurrent('bounded size', () => {
  it('an endless body: read up to 1 MiB, peak memory under 150 MB', async (test) => {
    const fake = await startHostileServer(test, (_r, res) => {
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
    expectEndedWithin(run, 3, 2)
  })

  it('a thousand instances with long IDs: every log line, annotation, output and the summary bounded', async (test) => {
    const ids = Array.from(
      { length: 1000 },
      (_, i) => `cynosdbmysql-ins-${'x'.repeat(40)}${String(i).padStart(4, '0')}`,
    )
    const fake = await startHostileServer(test, (r, res) => {
      if (r.action === 'DescribeResourcesByDealName')
        return answer(res, {
          BillingResourceInfos: [{ DealName: 'd1', ClusterId: 'c1', InstanceIds: ids }],
          RequestId: uuid(1),
        })
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
  })

  it('a purchase of 150 instances: every one listed, 100 a page', async (test) => {
    const ids = Array.from({ length: 150 }, (_, i) => `cynosdbmysql-ins-${String(i).padStart(4, '0')}`)
    const fake = await standIn(
      {
        deals: { d1: { clusterId: 'cynosdbmysql-c1', instanceIds: ids } },
        instances: Object.fromEntries(ids.map((id) => [id, ['running']])),
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'd1', timeout: '10s' }) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake, 'DescribeInstances').map((r) => JSON.parse(r.body).Offset)).toEqual([0, 100])
    expect(run.outputs['instance-ids']?.split(',')).toHaveLength(150)
  })
})

// One at a time: the servers record arrivals in this process, whose event loop the concurrent cases would load.
describe('limits under load: at most 20 requests in any second, and polls is what the server received', () => {
  it('50 flows against a server whose clock is an hour ahead: re-signs pass the limiter and count', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
      const serverNow = Date.now() + 3600_000
      const date = { date: new Date(serverNow).toUTCString() }
      const skewed = Math.abs(Number(r.headers['x-tc-timestamp']) * 1000 - serverNow) > 300_000
      if (skewed) return answer(res, { Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' } }, date)
      answer(res, { Status: 2, RequestId: `r-${r.flowId}-${r.n}` }, date)
    })
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': flowIds(50), timeout: '3s', 'poll-interval': '1s' }),
    })
    expect(run.stdout).toMatch(/clock is (59m59s|1h|1h0m1s) behind/)
    expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    expect(run.outputs['timed-out']).toBe('true')
  })

  it('60 flows behind connections that take 150 ms to open', async (test) => {
    const fake = await startHostileServer(test, (r, res) => answer(res, { Status: 2, RequestId: uuid(r.n) }))
    const [host = '', port = ''] = fake.host.split(':')
    const slow = await startSlowConnectForwarder({ host, port: Number(port) }, 150, test)
    const run = await runAction({
      inputs: inputs(slow.url, { 'flow-id': flowIds(60), timeout: '4s', 'poll-interval': '1s' }),
    })
    expect(run.outputs['timed-out']).toBe('true')
    expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
  })

  it('100 flows, timeout 3s, request-timeout 1s, slow answers: nothing starts after the deadline', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
      setTimeout(() => answer(res, { Status: 2, RequestId: `r-${r.flowId}-${r.n}` }), 900)
    })
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': flowIds(100), timeout: '3s', 'request-timeout': '1s' }),
    })
    expectEndedWithin(run, 3, 1)
    expectNoRequestPast(fake.requests, 3, 1)
    expect(busiestWindow(fake.requests)).toBeLessThanOrEqual(20)
    expect(Number(run.outputs.polls)).toBe(fake.requests.length)
    expect(run.outputs['timed-out']).toBe('true')
  })

  it('temporary keys already expired by the runner’s clock are used, not fetched again for every request', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
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
    const run = await runAction(keyless(fake.url, { timeout: '10s' }))
    expect(run.code).toBe(0)
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(1)
    expect(fake.requests.filter((r) => r.action === 'AssumeRoleWithWebIdentity')).toHaveLength(1)
    // every Tencent Cloud request counts, STS included
    expect(Number(run.outputs.polls)).toBe(fake.requests.filter((r) => r.method === 'POST').length)
  })
})
