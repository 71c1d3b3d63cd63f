// What CynosDB's answers mean, the step in-process against the stand-in, whose answers are checked against the
// API model (null only where the model says a field may be null): nulls, zero IDs, deep handles, every documented
// instance status.
import { describe, expect, it } from 'vitest'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { requestsOf } from '../../scripts/lib/stand-in.ts'
import { inputs as stepInputs, standIn } from '../support/e2e.ts'

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
