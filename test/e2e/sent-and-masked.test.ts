// The third hostile pass, the step in-process: what counts as sent (only the request that carries the change),
// what is masked, what the outputs say, against a stand-in that misbehaves on purpose.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { describe, expect, it } from 'vitest'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { requestsOf } from '../../scripts/lib/stand-in.ts'
import { closeAfter, errorLine, inputs, keyless, OIDC, standIn } from '../support/e2e.ts'
import { answer, startHostileServer, uuid } from '../support/hostile-server.ts'

/** CreateAuditRuleTemplate's required parameters: an action whose answer is a string and nothing to wait on. */
const ruleTemplate = JSON.stringify({
  RuleTemplateName: 't',
  RuleFilters: [{ Type: 'sql', Compare: 'INC', Value: ['x'] }],
})

const restart = { 'flow-id': '', call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' }

describe('only the request that carries the change is sent', () => {
  it('STS failing before the change: retried as a read, then the change goes out once', async () => {
    const fake = await standIn({
      oidc: { ...OIDC, faults: [{ error: 'InternalError' }, 'reset'] },
      changes: { RestartInstance: [{ answer: { FlowId: 41 } }] },
      flows: { '41': [0] },
    })
    const run = await runInProcess({ ...keyless(fake.url, restart), random: () => 0 })
    expect(run.code).toBe(0)
    expect(fake.requests.map((r) => r.action).slice(0, 4)).toEqual([
      'AssumeRoleWithWebIdentity',
      'AssumeRoleWithWebIdentity',
      'AssumeRoleWithWebIdentity',
      'RestartInstance',
    ])
    expect(requestsOf(fake, 'RestartInstance')).toHaveLength(1)
  })

  it('STS refusing the role: the step fails saying the change was not sent', async () => {
    const fake = await standIn({ oidc: { ...OIDC, faults: [{ error: 'InvalidParameter.WebIdentityTokenError' }] } })
    const run = await runInProcess(keyless(fake.url, restart))
    expect(run.code).toBe(1)
    expect(fake.requests.map((r) => r.action)).toEqual(['AssumeRoleWithWebIdentity'])
    expect(errorLine(run)).toMatch(
      /^::error::Call RestartInstance \(region ap-guangzhou\): AssumeRoleWithWebIdentity failed with InvalidParameter\.WebIdentityTokenError: .*The change was not sent: the credentials it needs could not be had, so nothing was changed\. Check role-arn/,
    )
    expect(run.outputs).toMatchObject({ result: 'unknown', results: '{"call:RestartInstance":"unknown"}' })
  })

  it('STS failing to the timeout: never sent, and said so', async () => {
    const fake = await standIn({ oidc: { ...OIDC, faults: Array(100).fill({ error: 'InternalError' }) } })
    const run = await runInProcess({ ...keyless(fake.url, { ...restart, timeout: '1s' }), random: () => 0.1 })
    expect(run.code).toBe(1)
    expect(requestsOf(fake, 'RestartInstance')).toEqual([])
    expect(errorLine(run)).toMatch(/The change was not sent \(the credentials could not be had within the timeout\)/)
  })

  it('cancelled while waiting to retry STS: says the change was not sent', async () => {
    const cancel = new AbortController()
    const fake = await standIn({
      oidc: { ...OIDC, faults: Array(10).fill({ error: 'InternalError' }) },
      onRequest: () => cancel.abort(), // the first STS failure is answered, then the job is cancelled
    })
    const run = await runInProcess({ ...keyless(fake.url, restart), random: () => 0.9, cancel: cancel.signal })
    expect(run.code).toBe(1)
    expect(requestsOf(fake, 'RestartInstance')).toEqual([])
    expect(errorLine(run)).toMatch(/The change was not sent \(the step ended while it got the credentials\)/)
  })

  it('a TCP handshake that never completes: not sent, so the change is tried again', async (test) => {
    // a listener that accepts nothing: connections wait in its backlog, never completing a TLS handshake
    const silent: Server = createServer()
    const sockets = new Set<import('node:net').Socket>()
    silent.on('connection', (socket) => sockets.add(socket)) // accepted at the TCP level, never answered
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    closeAfter(
      {
        close: () =>
          new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy()
            silent.close(() => resolve())
          }),
      },
      test,
    )
    const port = (silent.address() as { port: number }).port
    const run = await runInProcess({
      // undici's connect bound fires after about 2 s here, before the request's own deadline of 3 s
      inputs: inputs(`https://127.0.0.1:${port}`, { ...restart, timeout: '3s', 'request-timeout': '3s' }),
      random: () => 0,
    })
    expect(run.code).toBe(1)
    expect(errorLine(run)).toMatch(/Connect Timeout/)
    expect(errorLine(run)).toMatch(/nothing was changed/)
    expect(errorLine(run)).not.toMatch(/may have been applied/)
  })
})

describe('outputs say what happened, harmlessly and whole', () => {
  it('a hostile name from the network reaches results escaped, never as a command or bidi text', async () => {
    const name = '##[error]pwned\u202e::set-output x'
    const fake = await standIn({
      changes: {
        CreateAuditLogFile: [{ answer: { FileName: name } }],
        DescribeAuditLogFiles: [{ answer: { Items: [{ FileName: name, Status: 'success' }] } }],
      },
    })
    const parameters = {
      InstanceId: 'cynosdbmysql-ins-1',
      StartTime: '2026-12-01 00:00:00',
      EndTime: '2026-12-02 00:00:00',
    }
    const run = await runInProcess({
      inputs: inputs(fake.url, { 'flow-id': '', call: 'CreateAuditLogFile', parameters: JSON.stringify(parameters) }),
    })
    expect(run.code).toBe(0)
    const results = run.outputs.results ?? ''
    expect(results).not.toMatch(/##\[|::|\u202e/)
    expect(JSON.parse(results)).toMatchObject({ [`audit log file:${name}`]: 'succeeded' }) // reads back the same
  })

  it('response reads back exactly, astral characters included', async () => {
    const text = 'tag \u{E0041} and \u{1D173} and \u{1F600}'
    const fake = await standIn({ changes: { CreateAuditRuleTemplate: [{ answer: { RuleTemplateId: text } }] } })
    const run = await runInProcess({
      inputs: inputs(fake.url, { 'flow-id': '', call: 'CreateAuditRuleTemplate', parameters: ruleTemplate }),
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.response ?? '').RuleTemplateId).toBe(text)
    expect(run.outputs.response).not.toMatch(/[\u{E0041}\u{1D173}]/u) // invisible ones written as escapes
  })

  it('an answer over the output bound goes whole to a file, named by response-file, with a warning', async () => {
    const big = 'x'.repeat(70 * 1024)
    const fake = await standIn({ changes: { CreateAuditRuleTemplate: [{ answer: { RuleTemplateId: big } }] } })
    const run = await runInProcess({
      inputs: inputs(fake.url, { 'flow-id': '', call: 'CreateAuditRuleTemplate', parameters: ruleTemplate }),
    })
    expect(run.code).toBe(0)
    expect(run.outputs.response).toBe('')
    const file = run.outputs['response-file'] ?? ''
    expect(JSON.parse(readFileSync(file, 'utf8')).RuleTemplateId).toBe(big)
    expect(run.stdout).toMatch(
      /^::warning::CreateAuditRuleTemplate's answer is \d+ bytes, more than the 64 KiB an output holds: 'response' is empty, and 'response-file' names a file/m,
    )
  })
})

describe('masked: what can be a secret, in every form the step writes it', () => {
  it.each(['Hunter2::Secret9', 'Hunter2##[Secret9', 'Hunt\u{E0041}er2Secret9'])(
    'a password the API echoes in its answer reaches response in no form: %s',
    async (password, test) => {
      const server = await startHostileServer(test as never, (_r, res) =>
        answer(res, { TaskId: null, Echo: `it was ${password}`, RequestId: uuid(1) }),
      )
      const parameters = {
        SourceClusterId: 'c1',
        SourceInstanceId: 'i1',
        TargetClusterId: 'c2',
        TargetInstanceId: 'i2',
        TargetUserName: 'u',
        TargetPassword: password,
        StartTime: '2026-12-01 00:00:00',
        EndTime: '2026-12-02 00:00:00',
      }
      const run = await runInProcess({
        inputs: inputs(server.url, {
          'flow-id': '',
          call: 'ReplayInstanceAuditLog',
          parameters: JSON.stringify(parameters),
        }),
      })
      expect(run.code).toBe(0)
      expect(JSON.parse(run.outputs.response ?? '')).toMatchObject({ Echo: 'it was ***' })
      expect(run.stdout.replaceAll(/::add-mask::.*/g, '')).not.toContain('Hunt')
    },
  )

  it('a password is masked in every form the step writes it in; nothing too short to be one is', async () => {
    const password = 'Hunter2!Secret9'
    const fake = await standIn({ changes: { CreateAccounts: [{ error: 'InvalidParameterValue' }] } })
    const parameters = {
      ClusterId: 'cynosdbmysql-c',
      Accounts: [
        { AccountName: 'app', AccountPassword: password, Host: '%' },
        { AccountName: 'bad', AccountPassword: 'p', Host: '%' }, // too short to be a password: the API refuses it
      ],
    }
    const run = await runInProcess({
      inputs: inputs(fake.url, { 'flow-id': '', call: 'CreateAccounts', parameters: JSON.stringify(parameters) }),
    })
    const masks = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice(12))
    expect(masks).toEqual(expect.arrayContaining([password, 'Hunter2&#33;Secret9']))
    expect(masks.filter((m) => m.length < 8)).toEqual([])
    expect(`${run.stdout}${run.summary}`.replaceAll(/::add-mask::.*/g, '')).not.toContain('Hunter2')
  })
})
