// Task IDs, and the change the step sends itself, through the bundle against the stand-in: the cases of the
// task-ids and call/parameters issues' "done when". Every test has its own stand-in, so they run at once.
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.ts'
import { requestsOf } from '../../scripts/lib/stand-in.ts'
import { afterTasks, errorLine, inputs as stepInputs, keyless, standIn } from '../support/e2e.ts'

/** No flow-id: these steps wait for tasks, or for what the change they send answers. */
const inputs = (fake: { url: string }, extra: Record<string, string>) =>
  stepInputs(fake.url, { 'flow-id': '', ...extra })

const filterValues = (body: string): unknown =>
  (JSON.parse(body) as { Filters?: { Values?: unknown }[] }).Filters?.[0]?.Values

describe.concurrent('task IDs', () => {
  it('a task with no flow that runs and then succeeds ends the step succeeded', async (test) => {
    const fake = await standIn(
      {
        taskList: {
          '5001': {
            taskType: 'CreateAccounts',
            clusterId: 'cynosdbmysql-c1',
            statuses: ['running', 'running', 'success'],
            progress: [20, 60, 100],
          },
        },
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake, { 'task-ids': '5001' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Task 5001 \(CreateAccounts on cynosdbmysql-c1\): running, 20% after /m)
    expect(run.stdout).toMatch(/^Task 5001 \(CreateAccounts on cynosdbmysql-c1\): success after /m)
    expect(run.outputs).toMatchObject({ result: 'succeeded', status: '0', results: '{"task:5001":"succeeded"}' })
    expect(run.summary).toContain('<td>Task 5001</td>')
  })

  it('a task that names a failing flow fails the step, naming the task and quoting its ErrMsg', async (test) => {
    const fake = await standIn(
      {
        flows: { '777': [2, 1] },
        taskList: {
          '5002': {
            flowId: '777',
            taskType: 'OpenClusterTransparentEncrypt',
            clusterId: 'cynosdbmysql-c1',
            errMsg: 'KMS key disabled',
          },
        },
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake, { 'task-ids': '5002' }) })
    expect(run.code).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::Task 5002 \(region ap-guangzhou\) \(OpenClusterTransparentEncrypt on cynosdbmysql-c1\) failed \(RequestId [-0-9a-f]{36}\), after .*: KMS key disabled$/,
    )
    expect(requestsOf(fake, 'DescribeFlow').map((r) => r.body)).toEqual(['{"FlowId":777}', '{"FlowId":777}'])
    expect(run.outputs).toMatchObject({ result: 'failed', results: '{"task:5002":"failed"}' })
  })

  it('a task that is never listed ends at the timeout, naming it', async (test) => {
    const fake = await standIn({ taskList: {} }, test)
    const run = await runAction({ inputs: inputs(fake, { 'task-ids': '5003', timeout: '1s' }) })
    expect(run.code).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::Task 5003 \(region ap-guangzhou\): not listed yet within the timeout of 1s/,
    )
    expect(run.outputs).toMatchObject({ result: 'unknown', 'timed-out': 'true' })
  })

  it('a task listed a moment after the call is waited for', async (test) => {
    const fake = await standIn(
      {
        taskList: { '5004': { taskType: 'CreateAccounts', listedAfter: 2, statuses: ['success'] } },
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake, { 'task-ids': '5004' }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Task 5004: not listed yet after /m)
  })

  it('three task IDs cost one DescribeTasks call per round, asking only for those not yet ended', async (test) => {
    const fake = await standIn(
      {
        taskList: {
          '6001': { taskType: 'StartCLSDelivery', statuses: ['success'] },
          '6002': { taskType: 'StartCLSDelivery', statuses: ['running', 'success'] },
          '6003': { taskType: 'StartCLSDelivery', statuses: ['running', 'running', 'success'] },
        },
      },
      test,
    )
    const run = await runAction({ inputs: inputs(fake, { 'task-ids': '6001 6002 6003' }) })
    expect(run.code).toBe(0)
    expect(requestsOf(fake, 'DescribeTasks').map((r) => filterValues(r.body))).toEqual([
      ['6001', '6002', '6003'],
      ['6002', '6003'],
      ['6003'],
    ])
    expect(run.outputs.polls).toBe('3')
  })
})

describe.concurrent('call: the step sends the change, then waits for what it answered', () => {
  it('ModifyInstanceParam: exactly one request whose body is the parameters, then the FlowId; response holds the answer', async (test) => {
    const fake = await standIn(
      {
        changes: { ModifyInstanceParam: [{ answer: { FlowId: 4242 } }] },
        flows: { '4242': [2, 2, 0] },
      },
      test,
    )
    const parameters = {
      ClusterId: 'cynosdbmysql-c1',
      InstanceIds: ['cynosdbmysql-ins-1'],
      InstanceParamList: [{ ParamName: 'max_connections', CurrentValue: '2000', OldValue: '1000' }],
    }
    const run = await runAction({
      inputs: inputs(fake, { call: 'ModifyInstanceParam', parameters: JSON.stringify(parameters, null, 2) }),
    })
    expect(run.code).toBe(0)
    const sent = requestsOf(fake, 'ModifyInstanceParam')
    expect(sent).toHaveLength(1)
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual(parameters)
    expect(requestsOf(fake, 'DescribeFlow').map((r) => r.answer)).toEqual(['2', '2', '0'])
    expect(JSON.parse(run.outputs.response ?? '')).toEqual({ FlowId: 4242, RequestId: sent[0]?.requestId })
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'call:ModifyInstanceParam': 'succeeded',
      '4242': 'succeeded',
    })
    expect(run.summary).toMatch(
      /Sent <code>ModifyInstanceParam<\/code> with parameters <code>ClusterId<\/code>, <code>InstanceIds<\/code>, <code>InstanceParamList<\/code>/,
    )
    expect(run.summary).not.toContain('max_connections')
  })

  it('CreateClusters with an AdminPassword waits until the deal’s instances run; with step debug, the password shows nowhere but in ::add-mask::', async (test) => {
    const password = 'Adm1n-Passw0rd-Hostile!'
    const fake = await standIn(
      {
        changes: {
          CreateClusters: [
            { answer: { DealNames: ['20261129-deal'], TranId: 't', ResourceIds: [], BigDealIds: [], ClusterIds: [] } },
          ],
        },
        deals: {
          '20261129-deal': { clusterId: 'cynosdbmysql-new', instanceIds: ['cynosdbmysql-ins-new1'], deliveredAfter: 1 },
        },
        instances: { 'cynosdbmysql-ins-new1': ['creating', 'running'] },
      },
      test,
    )
    const parameters = {
      Zone: 'ap-guangzhou-4',
      VpcId: 'vpc-1',
      SubnetId: 'subnet-1',
      DbType: 'MYSQL',
      DbVersion: '8.0',
      AdminPassword: password,
    }
    const run = await runAction({
      inputs: inputs(fake, { call: 'CreateClusters', parameters: JSON.stringify(parameters) }),
      env: { RUNNER_DEBUG: '1' },
    })
    expect(run.code).toBe(0)
    expect(requestsOf(fake, 'CreateClusters')).toHaveLength(1)
    expect(run.outputs).toMatchObject({
      'cluster-ids': 'cynosdbmysql-new',
      'instance-ids': 'cynosdbmysql-ins-new1',
      result: 'succeeded',
    })
    const lines = `${run.stdout}\n${run.stderr}`.split('\n')
    expect(lines.filter((l) => l.includes(password))).toEqual([`::add-mask::${password}`])
    expect(lines.findIndex((l) => l === `::add-mask::${password}`)).toBeLessThan(
      lines.findIndex((l) => !l.startsWith('::add-mask::')),
    )
    expect(JSON.stringify(run.outputs)).not.toContain(password)
    expect(run.summary).not.toContain(password)
  })

  it('a 502 after the call was sent ends the step after one request, naming the call: it may have been applied', async (test) => {
    const fake = await standIn({ changes: { RestartInstance: [{ http: 502 }, { answer: { FlowId: 1 } }] } }, test)
    const run = await runAction({
      inputs: inputs(fake, { call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' }),
    })
    expect(run.code).toBe(1)
    expect(requestsOf(fake, 'RestartInstance')).toHaveLength(1)
    expect(errorLine(run)).toMatch(
      /^::error::Call RestartInstance \(region ap-guangzhou\): RestartInstance got HTTP 502 from 127\.0\.0\.1:\d+\. The change was sent and may have been applied: check the cluster before running this step again/,
    )
    expect(run.outputs.response).toBe('')
  })

  it('RequestLimitExceeded sends it again: the API refused it without carrying it out', async (test) => {
    const fake = await standIn(
      {
        changes: { RestartInstance: [{ error: 'RequestLimitExceeded' }, { answer: { FlowId: 31 } }] },
        flows: { '31': [0] },
      },
      test,
    )
    const run = await runAction({
      inputs: inputs(fake, { call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' }),
    })
    expect(run.code).toBe(0)
    const sent = requestsOf(fake, 'RestartInstance')
    expect(sent.map((r) => r.answer)).toHaveLength(2)
    expect(sent[0]?.answer).toBe('RequestLimitExceeded')
  })

  it('a refusal of the API is final, says nothing was changed, and names the CAM action when denied', async (test) => {
    const fake = await standIn(
      {
        changes: { RestartInstance: [{ error: 'UnauthorizedOperation.PermissionDenied' }] },
      },
      test,
    )
    const run = await runAction({
      inputs: inputs(fake, { call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' }),
    })
    expect(run.code).toBe(1)
    expect(requestsOf(fake, 'RestartInstance')).toHaveLength(1)
    expect(errorLine(run)).toMatch(
      /The API refused the call, so nothing was changed\. The key or role lacks permission: grant it the CAM action cynosdb:RestartInstance/,
    )
  })

  it('ModifyClusterReadOnly: the TaskIds of its ClusterTaskIds are waited for', async (test) => {
    const fake = await standIn(
      {
        changes: {
          ModifyClusterReadOnly: [
            {
              answer: {
                ClusterTaskIds: [
                  { ClusterId: 'cynosdbmysql-a', TaskId: '7101' },
                  { ClusterId: 'cynosdbmysql-b', TaskId: '7102' },
                ],
              },
            },
          ],
        },
        taskList: {
          '7101': { taskType: 'ModifyClusterReadOnly', clusterId: 'cynosdbmysql-a', statuses: ['running', 'success'] },
          '7102': { taskType: 'ModifyClusterReadOnly', clusterId: 'cynosdbmysql-b', statuses: ['success'] },
        },
      },
      test,
    )
    const run = await runAction({
      inputs: inputs(fake, {
        call: 'ModifyClusterReadOnly',
        parameters: '{"ClusterIds": ["cynosdbmysql-a", "cynosdbmysql-b"], "ReadOnlyOperation": "ON"}',
      }),
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'call:ModifyClusterReadOnly': 'succeeded',
      'task:7101': 'succeeded',
      'task:7102': 'succeeded',
    })
    expect(filterValues(requestsOf(fake, 'DescribeTasks')[0]?.body ?? '')).toEqual(['7101', '7102'])
  })

  it('an answer with nothing to wait for ends the step at once, with a notice', async (test) => {
    const fake = await standIn({ changes: { ModifyClusterName: [{ answer: {} }] } }, test)
    const run = await runAction({
      inputs: inputs(fake, {
        call: 'ModifyClusterName',
        parameters: '{"ClusterId": "cynosdbmysql-a", "ClusterName": "renamed"}',
      }),
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^::notice::ModifyClusterName answered with nothing to wait for \(the API model gives its answer no FlowId, TaskId or DealNames\): it is done$/m,
    )
    expect(fake.requests.map((r) => r.action)).toEqual(['ModifyClusterName'])
  })

  it('keyless credentials serve both the call and the wait', async (test) => {
    const fake = await standIn(
      {
        changes: { RestartInstance: [{ answer: { FlowId: 55 } }] },
        flows: { '55': [2, afterTasks(1, 0)] }, // the flow's end after its task lookup: one order of requests
      },
      test,
    )
    const run = await runAction(
      keyless(fake.url, { 'flow-id': '', call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}' }),
    )
    expect(run.code).toBe(0)
    expect(fake.requests.map((r) => r.action)).toEqual([
      'AssumeRoleWithWebIdentity',
      'RestartInstance',
      'DescribeFlow',
      'DescribeTasks',
      'DescribeFlow',
    ])
    const signedWithTemporaryKeys = fake.requests
      .slice(1)
      .every((r) => r.headers.authorization?.includes('Credential=AKIDtmp'))
    expect(signedWithTemporaryKeys).toBe(true)
    expect(run.outputs.polls).toBe(String(fake.requests.length))
  })
})
