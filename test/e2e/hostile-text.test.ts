// The hostile server's foreign text is data: codes, messages, RequestIds, IDs, task types and statuses from the
// network, and inputs echoed back, never become a workflow command, a masked value or markup in the summary.
import { describe, expect, it } from 'vitest'
import { runAction, type ActionRun } from '../../scripts/lib/run-action.ts'
import { githubIdToken } from '../../scripts/lib/stand-in.ts'
import { inputs, KEY, keyless } from '../support/e2e.ts'
import { answer, startHostileServer, uuid } from '../support/hostile-server.ts'
import { expectOnlyToolkitCommands } from '../support/runner-commands.ts'

const INJECTION =
  'boom\n::set-output name=result::succeeded\r::add-mask::ap-guangzhou\u2028::error::pwned\u0085::stop-commands::tok\v::warning::x'
const MARKUP = '<img src=x onerror=alert(1)></td></tr></table>\n# pwned\n[link](http://x)'
const OLD_SYNTAX = 'x ##[stop-commands]tok ##[add-mask]y \u202eevil\u202c zero\u200bwidth\ufeff'
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u
const STATIC_KEYS = [KEY.id, KEY.secret]

function expectNoMarkup(run: ActionRun): void {
  expect(run.summary).not.toMatch(/<img/i)
  expect(run.summary.match(/<\/table>/g)).toHaveLength(1)
  expect(run.summary).not.toMatch(/^#/m)
  expect(run.summary).not.toMatch(/\]\(http/)
}

describe.concurrent('foreign text is data, never commands or markup', () => {
  it('an error Message and RequestId holding workflow commands and markup', async (test) => {
    const fake = await startHostileServer(test, (r, res) =>
      r.n === 0
        ? answer(res, { Error: { Code: 'InternalError', Message: INJECTION }, RequestId: MARKUP })
        : answer(res, { Status: 1, RequestId: MARKUP }),
    )
    const run = await runAction({ inputs: inputs(fake.url), env: { RUNNER_DEBUG: '1' } })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/InternalError: boom\\n::set-output name=result::succeeded\\r::add-mask::/)
    expectOnlyToolkitCommands(run, STATIC_KEYS)
    expectNoMarkup(run)
    expect(run.outputs.result).toBe('failed')
    expect(run.outputs['request-id']).toBe('') // not a well-formed RequestId: kept out of later steps' scripts
  })

  it('an undocumented Status that is a string holding a command', async (test) => {
    const fake = await startHostileServer(test, (_r, res) =>
      answer(res, { Status: `2\n::error::pwned${INJECTION}`, RequestId: 'r-1' }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/undocumented Status "2\\n::error::pwned/)
    expectOnlyToolkitCommands(run, STATIC_KEYS)
  })

  it('an error Code that is not a code, and an input echoed back', async (test) => {
    const fake = await startHostileServer(test, (_r, res) =>
      answer(res, { Error: { Code: `X\n::error::pwned`, Message: 'm' } }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.stdout).toMatch(/whose Error is not an error object with a Code/)
    expectOnlyToolkitCommands(run, STATIC_KEYS)
    const sent = fake.requests.length
    const bad = await runAction({ inputs: inputs(fake.url, { timeout: `1s\n::error::pwned\u2028::add-mask::x` }) })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/Input 'timeout' must be/)
    expectOnlyToolkitCommands(bad, STATIC_KEYS)
    expect(fake.requests).toHaveLength(sent) // the bad input sent nothing
  })

  it('an instance ID holding a command is a garbled answer, never an output or a request', async (test) => {
    const fake = await startHostileServer(test, (r, res) =>
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
    expectOnlyToolkitCommands(run, STATIC_KEYS)
    expectNoMarkup(run)
  })

  it('the older ##[ syntax, bidi and zero-width characters in API text, with keyless keys being masked', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
      if (r.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(
          JSON.stringify({ value: githubIdToken('hostileIdTokenFFFFFFFF', 'sts.tencentcloudapi.com') }),
        )
      }
      if (r.action === 'AssumeRoleWithWebIdentity') {
        return answer(res, {
          Credentials: { TmpSecretId: 'AKIDtmpHostile', TmpSecretKey: 'tmpKeyHostile', Token: 'tmpTokenHostile' },
          ExpiredTime: Math.floor(Date.now() / 1000) + 3600,
          RequestId: uuid(1),
        })
      }
      if (r.action === 'DescribeTasks') {
        const task = {
          ID: 5,
          FlowId: 123,
          TaskType: `Modify${OLD_SYNTAX}`,
          InstanceId: `ins${OLD_SYNTAX}`,
          ErrMsg: OLD_SYNTAX,
        }
        return answer(res, { TotalCount: 1, TaskList: [task], RequestId: uuid(2) })
      }
      if (r.n < 2) return answer(res, { Error: { Code: 'InternalError', Message: OLD_SYNTAX }, RequestId: uuid(3) })
      answer(res, { Status: r.n < 3 ? 2 : 1, RequestId: `${uuid(4)}${OLD_SYNTAX}` })
    })
    const step = keyless(fake.url)
    const run = await runAction({ ...step, env: { ...step.env, RUNNER_DEBUG: '1' } })
    expect(run.code).toBe(1)
    const secrets = [
      step.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      githubIdToken('hostileIdTokenFFFFFFFF', 'sts.tencentcloudapi.com'),
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
      .map((l) => l.slice('::add-mask::'.length))
    expect(new Set(masked)).toEqual(new Set(secrets))
  })

  it('request-id takes only the API’s RequestId shape', async (test) => {
    const fake = await startHostileServer(test, (r, res) =>
      answer(res, { Status: 1, RequestId: r.n === 0 ? '::warning::pwned' : 'x' }),
    )
    const run = await runAction({ inputs: inputs(fake.url) })
    expect(run.code).toBe(1)
    expect(run.outputs['request-id']).toBe('')
    const ok = await startHostileServer(test, (_r, res) => answer(res, { Status: 0, RequestId: uuid(7) }))
    expect((await runAction({ inputs: inputs(ok.url) })).outputs['request-id']).toBe(uuid(7))
  })

  it('step debug logging: one line per request (action, host, status, RequestId, latency, decision), no secret', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
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
      /^Flow 123: request 1 failed \(1 in a row\): DescribeFlow got HTTP 502 .*; retrying in \d+ms$/m,
    )
    expect(run.stdout).toMatch(/^::debug::Flow 123: next round in \d+ms$/m)
    expect(run.stdout).toMatch(/^::debug::Flow 123: done$/m)
    const visible = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(visible.join('\n')).not.toContain(KEY.secret)
    expect(visible.join('\n')).not.toMatch(/Signature=|TC3-HMAC/)
  })
})
