// The hostile server's answers read as the API documents them: HTTP statuses honoured, a change sent at most once,
// odd but well-formed answers read exactly, and one failure failing the step at once.
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.ts'
import { requestsOf } from '../../scripts/lib/stand-in.ts'
import { afterTasks, inputs, KEY, standIn } from '../support/e2e.ts'
import { answer, startHostileServer, uuid } from '../support/hostile-server.ts'
import { expectOnlyToolkitCommands } from '../support/runner-commands.ts'

const purchase = { 'flow-id': '', 'deal-names': 'd1' }

describe.concurrent('HTTP semantics', () => {
  // the default timeout, 30 m: that these end within the test's 20 s shows they end at once
  it.for([404, 403, 301])(
    'HTTP %i from a wrong endpoint or a proxy is final at once, naming status and host',
    async (status, test) => {
      const fake = await startHostileServer(test, (_r, res) => {
        res.writeHead(status, {
          'content-type': 'text/html',
          ...(status === 301 ? { location: 'https://x.invalid/' } : {}),
        })
        res.end('<html><h1>Not the API</h1></html>')
      })
      const run = await runAction({ inputs: inputs(fake.url, { 'poll-interval': '' }) })
      expect(run.code).toBe(1)
      expect(fake.requests).toHaveLength(1)
      const host = fake.host.replace('.', '\\.')
      expect(run.stdout).toMatch(
        new RegExp(`::error::Flow 123 .*HTTP ${status} from ${host}.*not the Tencent Cloud API`),
      )
      expect(run.summary).not.toMatch(/<h1>/)
    },
  )

  it('429 with Retry-After: 2 is retried no sooner than 2 s later', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
      if (r.n > 0) return answer(res, { Status: 0, RequestId: 'r-ok' })
      res.writeHead(429, { 'retry-after': '2' })
      res.end()
    })
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '10s' }) })
    expect(run.code).toBe(0)
    const [first, second] = fake.requests
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2000) // a lower bound: load only adds to it
    expect(run.stdout).toMatch(/HTTP 429 .*Retry-After 2s/)
  })

  it('503 with a Retry-After past the timeout ends the wait now, not at the timeout', async (test) => {
    const fake = await startHostileServer(test, (_r, res) => void res.writeHead(503, { 'retry-after': '120' }).end())
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '60s' }) }) // past the test's 20 s
    expect(run.code).toBe(1)
    expect(fake.requests).toHaveLength(1)
    expect(run.stdout).toMatch(/the server asks to wait 2m, past the timeout, so the wait ends here/)
  })

  it('a Date header far in the future does not break signing', async (test) => {
    const fake = await startHostileServer(test, (_r, res) =>
      answer(
        res,
        { Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' }, RequestId: 'r-date' },
        { date: 'Fri, 31 Dec 9999 23:59:59 GMT' },
      ),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '5s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Invalid time value/)
    expect(run.stdout).toMatch(/::error::Flow 123 .*AuthFailure\.SignatureExpire.*clock is off/)
    expect(fake.requests).toHaveLength(1)
  })
})

describe.concurrent('a change is sent at most once', () => {
  it('an answer whose FlowId the API does not document: carried out, said so, outputs set', async (test) => {
    const fake = await startHostileServer(test, (_r, res) =>
      answer(res, { FlowId: 'abc\n##[error]x', RequestId: uuid(9) }),
    )
    const change = { 'flow-id': '', call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' }
    const run = await runAction({ inputs: inputs(fake.url, change) })
    expect(run.code).toBe(1)
    expect(fake.requests).toHaveLength(1) // sent once, never again
    expect(run.stdout).toMatch(
      /::error::RestartInstance was carried out, but its answer's FlowId is not what the API documents/,
    )
    expect(run.outputs['request-id']).toBe(uuid(9))
    // the outputs agree with the failure: nothing says the change succeeded
    expect(run.outputs).toMatchObject({ result: 'unknown', status: '', results: '{"call:RestartInstance":"unknown"}' })
    expect(JSON.parse(run.outputs.response ?? '')).toEqual({ FlowId: 'abc\n##[error]x', RequestId: uuid(9) })
    expect(run.outputs.response).not.toContain('##[')
    expectOnlyToolkitCommands(run, [KEY.id, KEY.secret])
  })
})

describe.concurrent('answers are read as documented', () => {
  it('"Error": null is a garbled answer, retried, named at the timeout', async (test) => {
    const fake = await startHostileServer(test, (_r, res) => answer(res, { Error: null, RequestId: uuid(0) }))
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Cannot read properties/)
    expect(run.stdout).toMatch(/whose Error is not an error object with a Code: "null"/)
    expect(run.outputs['request-id']).toBe(uuid(0))
  })

  it('request-id is the RequestId of the last answer, error answers included', async (test) => {
    const fake = await startHostileServer(test, (r, res) =>
      r.n === 0
        ? answer(res, { Status: 2, RequestId: uuid(1000) })
        : answer(res, { Error: { Code: 'InternalError', Message: 'x' }, RequestId: uuid(r.n) }),
    )
    const run = await runAction({ inputs: inputs(fake.url, { timeout: '1s' }) })
    expect(run.outputs['request-id']).toBe(uuid(fake.requests.filter((r) => r.action === 'DescribeFlow').length - 1))
  })

  it('an instance seen running and then missing is not running', async (test) => {
    const fake = await startHostileServer(test, (r, res) => {
      if (r.action === 'DescribeResourcesByDealName') {
        const infos = [{ DealName: 'd1', ClusterId: 'c1', InstanceIds: ['ins-1', 'ins-2'] }]
        return answer(res, { BillingResourceInfos: infos, RequestId: uuid(1) })
      }
      const set = [
        ...(r.n === 0 ? [{ InstanceId: 'ins-1', Status: 'running' }] : []),
        { InstanceId: 'ins-2', Status: r.n === 0 ? 'creating' : 'running' },
      ]
      answer(res, { TotalCount: set.length, InstanceSet: set, RequestId: uuid(2) })
    })
    const run = await runAction({
      inputs: inputs(fake.url, { ...purchase, timeout: '1s', 'fail-on-timeout': 'false' }),
    })
    expect(run.code).toBe(1) // not listed at the timeout is unknown, which fail-on-timeout: false cannot make green
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'instance:ins-1': 'unknown',
      'instance:ins-2': 'succeeded',
    })
    expect(run.stdout).toMatch(/::error::Instance ins-1 \(region ap-guangzhou\): not listed yet within the timeout/)
  })

  it('one deal that delivered two clusters: both are waited for and both are outputs', async (test) => {
    const clusters = [
      { clusterId: 'cynosdbmysql-c1', instanceIds: ['cynosdbmysql-ins-1'] },
      { clusterId: 'cynosdbmysql-c2', instanceIds: ['cynosdbmysql-ins-2'] },
    ]
    const instances = { 'cynosdbmysql-ins-1': ['running'], 'cynosdbmysql-ins-2': ['creating', 'creating', 'running'] }
    const fake = await standIn({ deals: { d1: { clusters } }, instances }, test)
    const run = await runAction({ inputs: inputs(fake.url, { ...purchase, timeout: '10s' }) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake, 'DescribeInstances')).toHaveLength(3) // not done while the second cluster's instance was creating
    expect(run.outputs).toMatchObject({
      'cluster-ids': 'cynosdbmysql-c1,cynosdbmysql-c2',
      'instance-ids': 'cynosdbmysql-ins-1,cynosdbmysql-ins-2',
    })
  })

  it('results keys cannot collide: a flow and a task with the same ID', async (test) => {
    const fake = await standIn({ flows: { '7': [0] }, taskList: { '7': { taskType: 'CreateAccounts' } } }, test)
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '7', 'task-ids': '7' }) })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({ '7': 'succeeded', 'task:7': 'succeeded' })
  })

  it('a flow ID past 2^53 is matched to its own task, never a neighbour’s', async (test) => {
    const fake = await standIn(
      {
        flows: { '9007199254740993': [2, 1] },
        taskList: {
          '1': { flowId: '9007199254740992', taskType: 'ModifyInstance', errMsg: 'the neighbour' },
          '2': { flowId: '9007199254740993', taskType: 'ModifyInstance', errMsg: 'this flow' },
        },
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '9007199254740993' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::Flow 9007199254740993 .*its task \(ModifyInstance\) says: this flow$/m)
    expect(run.stdout).not.toContain('the neighbour')
  })

  it('progress shows 0 to 99 while the work runs', async (test) => {
    const tasks = { '11': [-5], '12': [1e308], '13': [100] }
    const fake = await standIn(
      {
        // the second answers once the listing is in: the line with the progress is logged then
        flows: Object.fromEntries(['1', '2', '3'].map((id) => [id, [2, afterTasks(1, 2), 0]])),
        taskList: Object.fromEntries(
          Object.entries(tasks).map(([id, progress], i) => [id, { flowId: String(i + 1), taskType: 'T', progress }]),
        ),
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake.url, { 'flow-id': '1,2,3' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Flow 1 \(T\): processing, 0% after/m)
    expect(run.stdout).toMatch(/^Flow 2 \(T\): processing, 99% after/m)
    expect(run.stdout).toMatch(/^Flow 3 \(T\): processing, 99% after/m)
    expect(run.stdout).not.toMatch(/-5%|e\+308|100%/)
  })

  it('one failed flow ends a several-flow step at once', async (test) => {
    // flow 2 fails on its second call, when every flow has answered once; the timeout of 30 m is never reached
    const fake = await startHostileServer(test, (r, res) =>
      answer(res, { Status: r.flowId === '2' && r.n > 0 ? 1 : 2, RequestId: `r-${r.flowId}` }),
    )
    const run = await runAction({
      inputs: inputs(fake.url, { 'flow-id': '1,2,3', 'poll-interval': '', timeout: '30m' }),
    })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({ '1': 'processing', '2': 'failed', '3': 'processing' })
    expect(run.summary).toMatch(/Flow 2 ended the wait/)
  })
})
