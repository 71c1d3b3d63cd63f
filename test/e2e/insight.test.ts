// What the flow is doing (DescribeTasks) and purchases (deal names): the step in-process against the stand-in.
// The task lookups run beside the wait; where a case needs them seen before the flow's next status, the stand-in
// holds that DescribeFlow answer until it has answered them (afterTasks), so no case races them.
import { describe, expect, it } from 'vitest'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { requestsOf, type Step } from '../../scripts/lib/stand-in.ts'
import { afterTasks, errorLine, inputs, standIn } from '../support/e2e.ts'

describe('what the flow is doing', () => {
  it("names a failed flow's task and quotes its ErrMsg, not another task's, paging past 250 others", async () => {
    const fake = await standIn({
      // the second answer once the first listing (3 pages of 100) is in; the failure brings a listing of its own
      flows: { '123': [2, afterTasks(3, 2), 1] },
      otherTasks: 250,
      taskList: {
        '4001': {
          flowId: '123',
          taskType: 'ModifyInstance',
          instanceId: 'cynosdbmysql-ins-abcdefgh',
          errMsg: 'disk quota exceeded\n::error::pwned',
          progress: [10, 60],
        },
      },
    })
    const run = await runInProcess({ inputs: inputs(fake.url) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^Flow 123 \(ModifyInstance on cynosdbmysql-ins-abcdefgh\): processing, 10% after /m)
    expect(errorLine(run)).toMatch(
      /^::error::Flow 123 \(region ap-guangzhou\) failed \(RequestId [^)]+\), after .*: its task \(ModifyInstance on cynosdbmysql-ins-abcdefgh\) says: disk quota exceeded\\n::error::pwned$/,
    )
    expect(run.stdout).not.toMatch(/the task of flow 8000/)
    expect(run.stdout).not.toMatch(/^::error::pwned/m)
    // the listing when first seen processing (3 pages to reach it), and one more after the failure
    expect(requestsOf(fake, 'DescribeTasks').map((r) => JSON.parse(r.body).Offset)).toEqual([0, 100, 200, 0, 100, 200])
    expect(run.outputs.polls).toBe(String(fake.requests.length))
    expect(run.summary).toMatch(/<td>ModifyInstance on cynosdbmysql-ins-abcdefgh<\/td>/)
  })

  it('logs the progress of a running flow, with one DescribeTasks listing (then at most one in 30 s: unit-tested)', async () => {
    const fake = await standIn({
      flows: { '123': [2, afterTasks(1, 2), 2, 0] },
      taskList: {
        '4001': {
          flowId: '123',
          taskType: 'UpgradeInstance',
          clusterId: 'cynosdbmysql-abcdefgh',
          progress: [100, 100],
        },
      },
    })
    const run = await runInProcess({ inputs: inputs(fake.url) })
    expect(run.code).toBe(0)
    // a task counter at 100 while the flow still runs shows 99%: not done until DescribeFlow says so
    expect(run.stdout).toMatch(/^Flow 123 \(UpgradeInstance on cynosdbmysql-abcdefgh\): processing, 99% after /m)
    expect(run.stdout).toMatch(/^Flow 123 \(UpgradeInstance on cynosdbmysql-abcdefgh\): succeeded after /m)
    expect(requestsOf(fake, 'DescribeTasks')).toHaveLength(1)
    expect(run.outputs.polls).toBe(String(fake.requests.length))
  })

  it.each<{ name: string; script: Step[]; code: number }>([
    { name: 'a failing flow still fails with the usual message', script: [2, afterTasks(1, 1)], code: 1 },
    { name: 'a succeeding flow still succeeds', script: [2, afterTasks(1, 2), 0], code: 0 },
  ])('without cynosdb:DescribeTasks, $name, after one notice', async ({ script, code }) => {
    const fake = await standIn({
      flows: { '123': script },
      denyTasks: true,
      taskList: { '4001': { flowId: '123', taskType: 'X' } },
    })
    const run = await runInProcess({ inputs: inputs(fake.url) })
    expect(run.code).toBe(code)
    const notices = run.stdout.split('\n').filter((l) => l.startsWith('::notice::'))
    expect(notices).toEqual([expect.stringMatching(/need the CAM action cynosdb:DescribeTasks/)])
    expect(requestsOf(fake, 'DescribeTasks')).toHaveLength(1) // asked once, then never again
    if (code === 1)
      expect(errorLine(run)).toMatch(
        /^::error::Flow 123 \(region ap-guangzhou\) failed \(RequestId [^)]+\), after [^:]+$/,
      )
  })
})

describe('purchases (deal names)', () => {
  const deal = (extra = {}) => ({ clusterId: 'cynosdbmysql-aaaaaaaa', instanceIds: ['cynosdbmysql-ins-a1'], ...extra })

  it('waits out deals not yet delivered, then instances until all run, and sets cluster-ids and instance-ids', async () => {
    const fake = await standIn({
      deals: {
        'deal-1': deal({ instanceIds: ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2'], deliveredAfter: 3 }),
        'deal-2': deal({ instanceIds: ['cynosdbmysql-ins-b1'] }),
      },
      instances: {
        'cynosdbmysql-ins-a1': ['creating', 'running'],
        'cynosdbmysql-ins-a2': ['creating', 'creating', 'running'],
        'cynosdbmysql-ins-b1': ['running'],
      },
    })
    const run = await runInProcess({ inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'deal-1\ndeal-2' }) })
    expect(run.code).toBe(0)
    const ids = ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2', 'cynosdbmysql-ins-b1']
    expect(run.outputs).toMatchObject({
      'cluster-ids': 'cynosdbmysql-aaaaaaaa',
      'instance-ids': ids.join(','),
      result: 'succeeded',
      status: '0',
      'timed-out': 'false',
      polls: String(fake.requests.length),
    })
    expect(JSON.parse(run.outputs.results ?? '')).toEqual(
      Object.fromEntries(ids.map((id) => [`instance:${id}`, 'succeeded'])),
    )
    expect(requestsOf(fake, 'DescribeResourcesByDealName').map((r) => r.answer)).toEqual([
      ...Array(3).fill('InvalidParameterValue.DealNameNotFound'),
      'delivered',
    ])
    expect(requestsOf(fake, 'DescribeInstances').map((r) => r.answer)).toEqual([
      'instances creating,creating,running',
      'instances running,creating,running',
      'instances running,running,running',
    ])
    expect(run.stdout).toMatch(/^Waiting for the instances of CynosDB deals deal-1, deal-2 in ap-guangzhou via /m)
    expect(run.summary).toMatch(/<h3>The instances of CynosDB deals deal-1, deal-2<\/h3>/)
    expect(run.stdout).toMatch(/Deals deal-1, deal-2: not delivered yet after/)
    expect(run.stdout).toMatch(/Deals deal-1, deal-2: every instance running \(3\) after/)
    for (const id of ids) expect(run.summary).toContain(`<td>Instance ${id}</td>`)
  })

  it('fails at once, naming the instance, when one ends isolated', async () => {
    const fake = await standIn({
      deals: { 'deal-1': deal({ instanceIds: ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2'] }) },
      instances: { 'cynosdbmysql-ins-a1': ['creating'], 'cynosdbmysql-ins-a2': ['creating', 'isolated'] },
    })
    // timeout 30m: that the test ends at all shows the step did not wait for the instance still creating
    const run = await runInProcess({
      inputs: inputs(fake.url, { 'flow-id': '', 'deal-names': 'deal-1', timeout: '30m' }),
    })
    expect(run.code).toBe(1)
    expect(errorLine(run)).toMatch(
      /^::error::Instance cynosdbmysql-ins-a2 \(region ap-guangzhou\) is isolated, which it does not come back from on its own \(RequestId [-0-9a-f]{36}\), after /,
    )
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'instance:cynosdbmysql-ins-a1': 'processing',
      'instance:cynosdbmysql-ins-a2': 'failed',
    })
    expect(run.outputs).toMatchObject({
      'instance-ids': 'cynosdbmysql-ins-a1,cynosdbmysql-ins-a2',
      'timed-out': 'false',
    })
  })

  it('waits for a flow and a purchase in one step', async () => {
    const fake = await standIn({
      flows: { '123': [2, 0] },
      deals: { 'deal-1': deal() },
      instances: { 'cynosdbmysql-ins-a1': ['creating', 'running'] },
    })
    const run = await runInProcess({ inputs: inputs(fake.url, { 'deal-names': 'deal-1' }) })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      '123': 'succeeded',
      'instance:cynosdbmysql-ins-a1': 'succeeded',
    })
  })
})
