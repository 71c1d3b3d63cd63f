// What CynosDB's answers mean, the step in-process against the stand-in, whose answers are checked against the
// API model (null only where the model says a field may be null): nulls, zero IDs, deep handles, every documented
// instance status.
import { describe, expect, it } from 'vitest'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { requestsOf } from '../../scripts/lib/stand-in.ts'
import { inputs as stepInputs, standIn } from '../support/e2e.ts'

/** AddInstances' required parameters, as the model has them. */
const addInstances = JSON.stringify({ ClusterId: 'cynosdbmysql-c', Cpu: 2, Memory: 4, ReadOnlyCount: 1 })

/** No flow-id: these steps wait for what the change they send answers, or for tasks and deals. */
const inputs = (fake: { url: string }, extra: Record<string, string>) =>
  stepInputs(fake.url, { 'flow-id': '', ...extra })

describe('what an answer means', () => {
  it('DealNames null, as the model allows: green, the answer quoted, nothing else asked', async () => {
    const fake = await standIn({
      changes: { AddServerlessRoInstances: [{ answer: { DealNames: null, ResourceIds: null, TranId: 't1' } }] },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'AddServerlessRoInstances', parameters: '{"ClusterId": "cynosdbmysql-a"}' }),
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^::notice::AddServerlessRoInstances answered "\{"DealNames":null,"ResourceIds":null,"TranId":"t1"\}": nothing in it names a flow, task or deal to wait on, so the step ends without checking the change$/m,
    )
    expect(fake.requests.map((r) => r.action)).toEqual(['AddServerlessRoInstances'])
    expect(run.outputs).toMatchObject({ result: 'succeeded' })
  })

  it('a FlowId of 0 beside a TaskId: the task is waited for, never DescribeFlow of 0', async () => {
    const fake = await standIn({
      changes: { OpenSSL: [{ answer: { FlowId: 0, TaskId: 6101 } }] },
      taskList: { '6101': { taskType: 'OpenSSL', flowId: '0', statuses: ['running', 'success'] } },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'OpenSSL', parameters: '{"ClusterId": "cynosdbmysql-a", "InstanceId": "i"}' }),
    })
    expect(run.code).toBe(0)
    expect(requestsOf(fake)).toEqual([]) // no DescribeFlow at all
    expect(JSON.parse(run.outputs.results ?? '')).toMatchObject({ 'task:6101': 'succeeded' })
  })

  it("DeleteVaults: each vault's task, deep in the answer, is waited for", async () => {
    const fake = await standIn({
      changes: {
        DeleteVaults: [
          {
            answer: {
              VaultTask: [
                { VaultId: 'v1', TaskId: 6201 },
                { VaultId: 'v2', TaskId: 6202 },
              ],
            },
          },
        ],
      },
      taskList: {
        '6201': { taskType: 'DeleteVault', statuses: ['success'] },
        '6202': { taskType: 'DeleteVault', statuses: ['running', 'success'] },
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'DeleteVaults', parameters: '{"VaultIds": ["v1", "v2"]}' }),
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'call:DeleteVaults': 'succeeded',
      'task:6201': 'succeeded',
      'task:6202': 'succeeded',
    })
  })

  it.each(['deleting', 'deleted'])('an instance %s is lost: the purchase fails at once', async (status) => {
    const fake = await standIn({
      deals: { d1: { clusterId: 'cynosdbmysql-c', instanceIds: ['cynosdbmysql-ins-1'] } },
      instances: { 'cynosdbmysql-ins-1': ['creating', status] },
    })
    const run = await runInProcess({ inputs: inputs(fake, { 'deal-names': 'd1', timeout: '10m' }) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      new RegExp(`::error::Instance cynosdbmysql-ins-1 .*is ${status}, which it does not come back from`),
    )
  })
})

describe('a busy resource: the change is sent again once it is free', () => {
  const conflict = { error: 'OperationDenied.ClusterTaskConflictError' }
  const restart = (fake: { url: string }, extra: Record<string, string> = {}) => ({
    inputs: inputs(fake, { call: 'RestartInstance', parameters: '{"InstanceId": "cynosdbmysql-ins-1"}', ...extra }),
    random: () => 0, // retries at once
  })

  it('refused twice while another task runs, then accepted: waited for, each refusal logged', async () => {
    const fake = await standIn({
      changes: { RestartInstance: [conflict, conflict, { answer: { FlowId: 71 } }] },
      flows: { '71': [0] },
    })
    const run = await runInProcess(restart(fake))
    expect(run.code).toBe(0)
    expect(requestsOf(fake, 'RestartInstance').map((r) => r.answer)).toEqual([
      'OperationDenied.ClusterTaskConflictError',
      'OperationDenied.ClusterTaskConflictError',
      '{"FlowId":71}',
    ])
    expect(run.stdout).toMatch(
      /^Call RestartInstance: request 2 failed \(2 in a row\): RestartInstance failed with OperationDenied\.ClusterTaskConflictError: .*; retrying in 0ms$/m,
    )
    expect(run.outputs.result).toBe('succeeded')
  })

  it('busy until the timeout: fails, saying the change was never carried out', async () => {
    const fake = await standIn({ changes: { RestartInstance: [conflict] } })
    const run = await runInProcess(restart(fake, { timeout: '1s', 'poll-interval': '200ms' }))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::Call RestartInstance .*stayed busy with another task until the timeout .*never carried out/,
    )
  })
})

describe('changes whose end is a status, read as the Terraform provider reads it', () => {
  it('a prepaid IsolateCluster (refund DealNames, no FlowId): waits until the cluster is isolated', async () => {
    const detail = (Status: string) => ({ answer: { Detail: { ClusterId: 'cynosdbmysql-a', Status } } })
    const fake = await standIn({
      changes: {
        IsolateCluster: [{ answer: { DealNames: ['20261203-refund'] } }],
        DescribeClusterDetail: [detail('running'), detail('isolating'), detail('isolated')],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'IsolateCluster', parameters: '{"ClusterId": "cynosdbmysql-a"}' }),
    })
    expect(run.code).toBe(0)
    expect(fake.requests.map((r) => r.action)).toEqual([
      'IsolateCluster',
      'DescribeClusterDetail',
      'DescribeClusterDetail',
      'DescribeClusterDetail',
    ])
    expect(run.stdout).toMatch(/^::notice::IsolateCluster answered DealNames "20261203-refund": billing's/m)
    expect(run.stdout).toMatch(/^Cluster cynosdbmysql-a: isolated after /m)
    expect(JSON.parse(run.outputs.results ?? '')).toMatchObject({ 'cluster:cynosdbmysql-a': 'succeeded' })
  })

  it('UpgradeInstance: waits until the instance runs with the Cpu and Memory asked for', async () => {
    const detail = (Cpu: number, Memory: number, Status: string) => ({
      answer: { Detail: { InstanceId: 'cynosdbmysql-ins-1', Cpu, Memory, Status } },
    })
    const fake = await standIn({
      changes: {
        UpgradeInstance: [{ answer: { DealNames: ['20261203-up'], TranId: 't' } }],
        DescribeInstanceDetail: [detail(2, 4, 'running'), detail(2, 4, 'upgrading'), detail(4, 8, 'running')],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, {
        call: 'UpgradeInstance',
        parameters: '{"InstanceId": "cynosdbmysql-ins-1", "Cpu": 4, "Memory": 8, "UpgradeType": "upgradeImmediate"}',
      }),
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^Instance cynosdbmysql-ins-1: running, Cpu 2, Memory 4 GB; asked Cpu 4, Memory 8 GB after /m,
    )
    expect(run.stdout).toMatch(/^Instance cynosdbmysql-ins-1: running, Cpu 4, Memory 8 GB after /m)
    expect(requestsOf(fake, 'DescribeResourcesByDealName')).toEqual([])
  })

  it('a spec that never arrives: fails at the timeout, naming what was asked and what is there', async () => {
    const fake = await standIn({
      changes: {
        UpgradeInstance: [{ answer: { DealNames: ['20261203-up'] } }],
        DescribeInstanceDetail: [{ answer: { Detail: { Cpu: 2, Memory: 4, Status: 'running' } } }],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, {
        call: 'UpgradeInstance',
        parameters: '{"InstanceId": "cynosdbmysql-ins-1", "Cpu": 4, "Memory": 8, "UpgradeType": "upgradeImmediate"}',
        timeout: '1s',
        'poll-interval': '200ms',
      }),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::Instance cynosdbmysql-ins-1 \(region ap-guangzhou\): still running, Cpu 2, Memory 4 GB; asked Cpu 4, Memory 8 GB at the timeout of 1s/,
    )
  })

  it('OpenAuditService: waits until the audit is ON', async () => {
    const audit = (AuditStatus: string) => ({ answer: { Items: [{ InstanceId: 'cynosdbmysql-ins-1', AuditStatus }] } })
    const fake = await standIn({
      changes: { DescribeAuditInstanceList: [audit('OFF'), audit('ON')] },
    })
    const run = await runInProcess({
      inputs: inputs(fake, {
        call: 'OpenAuditService',
        parameters: '{"InstanceId": "cynosdbmysql-ins-1", "LogExpireDay": 7}',
      }),
    })
    expect(run.code).toBe(0)
    expect(requestsOf(fake, 'DescribeAuditInstanceList')).toHaveLength(2)
    expect(JSON.parse(requestsOf(fake, 'DescribeAuditInstanceList')[0]?.body ?? '')).toEqual({
      Filters: [{ Name: 'InstanceId', ExactMatch: true, Values: ['cynosdbmysql-ins-1'] }],
    })
  })

  it('CreateAuditLogFile: a file that failed fails the step, quoting its ErrMsg', async () => {
    const file = (Status: string) => ({ answer: { Items: [{ FileName: 'f.csv', Status, ErrMsg: 'disk full' }] } })
    const fake = await standIn({
      changes: {
        CreateAuditLogFile: [{ answer: { FileName: 'f.csv' } }],
        DescribeAuditLogFiles: [file('creating'), file('failed')],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, {
        call: 'CreateAuditLogFile',
        parameters:
          '{"InstanceId": "cynosdbmysql-ins-1", "StartTime": "2026-12-01 00:00:00", "EndTime": "2026-12-02 00:00:00"}',
      }),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::Audit log file f\.csv .*disk full/)
    // the reason is in the summary, where people look, and in an output for a later step
    expect(run.outputs.reason).toMatch(/^Audit log file f\.csv \(region ap-guangzhou\) failed.*disk full/)
    expect(run.summary).toMatch(/<strong>Why it failed:<\/strong><\/p><ul><li>Audit log file f\.csv .*disk full/)
  })
})

describe('only what is waited on is held to its shape; what is not meant to end now is not waited for', () => {
  it('a bad ResourceIds beside good DealNames: the deal is waited for, green', async () => {
    const fake = await standIn({
      changes: { AddInstances: [{ answer: { DealNames: ['d1'], ResourceIds: [''] } }] },
      deals: { d1: { clusterId: 'cynosdbmysql-c', instanceIds: ['cynosdbmysql-ins-9'] } },
      instances: { 'cynosdbmysql-ins-9': ['running'] },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'AddInstances', parameters: addInstances }),
    })
    expect(run.code).toBe(0)
    expect(run.outputs['instance-ids']).toBe('cynosdbmysql-ins-9')
  })

  it('a bad TaskId beside a good FlowId: the flow decides alone', async () => {
    const fake = await standIn({ changes: { OpenSSL: [{ answer: { FlowId: 77, TaskId: -1 } }] }, flows: { '77': [0] } })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'OpenSSL', parameters: '{"ClusterId": "cynosdbmysql-a", "InstanceId": "i"}' }),
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toMatchObject({ '77': 'succeeded' })
  })

  it.each([
    {
      name: 'UpgradeInstance in the maintenance window',
      action: 'UpgradeInstance',
      parameters: { InstanceId: 'cynosdbmysql-ins-1', Cpu: 4, Memory: 8, UpgradeType: 'upgradeInMaintain' },
      answer: { DealNames: ['u1'] },
      says: /UpgradeInstance with UpgradeType upgradeInMaintain changes the spec in the maintenance window/,
    },
    {
      name: 'an order placed, not paid (DealMode 1)',
      action: 'AddInstances',
      parameters: { ...JSON.parse(addInstances), DealMode: 1 },
      answer: { DealNames: ['d2'] },
      says: /AddInstances with DealMode 1 places the order without paying it: nothing changes until it is paid/,
    },
  ])('not waited for, with a notice: $name', async ({ action, parameters, answer, says }) => {
    const fake = await standIn({ changes: { [action]: [{ answer }] } })
    const run = await runInProcess({ inputs: inputs(fake, { call: action, parameters: JSON.stringify(parameters) }) })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`^::notice::${says.source}`, 'm'))
    expect(fake.requests.map((r) => r.action)).toEqual([action])
  })

  it('an isolated cluster no longer listed counts as isolated', async () => {
    const fake = await standIn({
      changes: {
        IsolateCluster: [{ answer: { DealNames: ['r1'] } }],
        DescribeClusterDetail: [
          { answer: { Detail: { Status: 'isolating' } } },
          { error: 'ResourceNotFound.ClusterNotFoundError' },
        ],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'IsolateCluster', parameters: '{"ClusterId": "cynosdbmysql-a"}' }),
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Cluster cynosdbmysql-a: no longer listed after /m)
  })

  it('a status read refused: the error says the change was carried out, and result is not processing', async () => {
    const fake = await standIn({
      changes: {
        IsolateCluster: [{ answer: { DealNames: ['r1'] } }],
        DescribeClusterDetail: [
          { answer: { Detail: { Status: 'isolating' } } },
          { error: 'UnauthorizedOperation.PermissionDenied' },
        ],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'IsolateCluster', parameters: '{"ClusterId": "cynosdbmysql-a"}' }),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::Cluster cynosdbmysql-a \(region ap-guangzhou\): IsolateCluster was carried out, but waiting for it failed: .*grant it the CAM action cynosdb:DescribeClusterDetail/,
    )
    expect(run.outputs).toMatchObject({ result: 'unknown', status: '' })
  })

  it('a purchase refused as busy is not sent again: the busy task may be this same purchase', async () => {
    const fake = await standIn({
      changes: {
        AddInstances: [{ error: 'OperationDenied.ClusterTaskConflictError' }, { answer: { DealNames: ['d'] } }],
      },
    })
    const run = await runInProcess({
      inputs: inputs(fake, { call: 'AddInstances', parameters: addInstances }),
      random: () => 0,
    })
    expect(run.code).toBe(1)
    expect(requestsOf(fake, 'AddInstances')).toHaveLength(1)
    expect(run.stdout).toMatch(
      /nothing was changed\. The resource is busy with another task\. A purchase is not sent again/,
    )
  })
})
