// What the flow is doing (DescribeTasks) and purchases (deal names): the step in-process against the stand-in.
import { afterEach, describe, expect, it } from 'vitest'
import { callsOf, startFakeTencent, type FakeTencent, type FakeTencentOptions } from '../../scripts/lib/stand-in.ts'
import { runInProcess as runAction } from '../../scripts/lib/run-in-process.ts'

const KEY = { id: 'AKIDinsightTest00000000000000000000', secret: 'insight-test-secret-key-000000000' }
let server: FakeTencent | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(options: FakeTencentOptions): Promise<FakeTencent> {
  server = await startFakeTencent({ keys: { [KEY.id]: { secretKey: KEY.secret } }, region: 'ap-guangzhou', ...options })
  return server
}

const inputs = (fake: FakeTencent, extra: Record<string, string> = {}): Record<string, string> => ({
  'flow-id': '123',
  region: 'ap-guangzhou',
  'secret-id': KEY.id,
  'secret-key': KEY.secret,
  endpoint: fake.url,
  'poll-interval': '100ms',
  ...extra,
})

const errorLine = (stdout: string): string => stdout.split('\n').find((l) => l.startsWith('::error::')) ?? ''

describe('what the flow is doing', () => {
  it("names a failed flow's task and quotes its ErrMsg, not another task's, paging past 250 others", async () => {
    const fake = await start({
      flows: { '123': [2, 2, 1] },
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
    const run = await runAction({ inputs: inputs(fake) })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^Flow 123 \(ModifyInstance on cynosdbmysql-ins-abcdefgh\): processing, 10% after /m)
    expect(errorLine(run.stdout)).toMatch(
      /^::error::Flow 123 \(region ap-guangzhou\) failed \(RequestId [^)]+\), after .*: its task \(ModifyInstance on cynosdbmysql-ins-abcdefgh\) says: disk quota exceeded\\n::error::pwned$/,
    )
    expect(run.stdout).not.toMatch(/the task of flow 8000/)
    expect(run.stdout).not.toMatch(/^::error::pwned/m)
    // the listing when first seen processing (3 pages to reach it), and one more after the failure
    const tasks = callsOf(fake, 'DescribeTasks')
    expect(tasks.map((r) => JSON.parse(r.body).Offset)).toEqual([0, 100, 200, 0, 100, 200])
    expect(run.outputs.polls).toBe(String(fake.requests.length))
    expect(run.summary).toMatch(/<td>ModifyInstance on cynosdbmysql-ins-abcdefgh<\/td>/)
  })

  it('logs the progress of a running flow, with one DescribeTasks listing (then at most one in 30 s: unit-tested)', async () => {
    const fake = await start({
      flows: { '123': [2, 2, 2, 0] },
      taskList: {
        '4001': {
          flowId: '123',
          taskType: 'UpgradeInstance',
          clusterId: 'cynosdbmysql-abcdefgh',
          progress: [100, 100],
        },
      },
    })
    const run = await runAction({ inputs: inputs(fake) })
    expect(run.code).toBe(0)
    // a task counter at 100 while the flow still runs shows 99%: not done until DescribeFlow says so
    expect(run.stdout).toMatch(/^Flow 123 \(UpgradeInstance on cynosdbmysql-abcdefgh\): processing, 99% after /m)
    expect(run.stdout).toMatch(/^Flow 123 \(UpgradeInstance on cynosdbmysql-abcdefgh\): succeeded after /m)
    expect(callsOf(fake, 'DescribeTasks')).toHaveLength(1)
    expect(run.outputs.polls).toBe(String(fake.requests.length))
  })

  it.each([
    { name: 'a failing flow still fails with the usual message', script: [2, 1] as const, code: 1 },
    { name: 'a succeeding flow still succeeds', script: [2, 2, 0] as const, code: 0 },
  ])('without cynosdb:DescribeTasks, $name, after one notice', async ({ script, code }) => {
    const fake = await start({
      flows: { '123': [...script] },
      denyTasks: true,
      taskList: { '4001': { flowId: '123', taskType: 'X' } },
    })
    const run = await runAction({ inputs: inputs(fake) })
    expect(run.code).toBe(code)
    const notices = run.stdout.split('\n').filter((l) => l.startsWith('::notice::'))
    expect(notices).toEqual([expect.stringMatching(/need the CAM action cynosdb:DescribeTasks/)])
    expect(callsOf(fake, 'DescribeTasks')).toHaveLength(1) // asked once, then never again
    if (code === 1)
      expect(errorLine(run.stdout)).toMatch(
        /^::error::Flow 123 \(region ap-guangzhou\) failed \(RequestId [^)]+\), after [^:]+$/,
      )
  })
})

describe('purchases (deal names)', () => {
  it('waits out deals not yet delivered, then instances until all run, and sets cluster-ids and instance-ids', async () => {
    const fake = await start({
      deals: {
        'deal-1': {
          clusterId: 'cynosdbmysql-aaaaaaaa',
          instanceIds: ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2'],
          deliveredAfter: 3,
        },
        'deal-2': { clusterId: 'cynosdbmysql-aaaaaaaa', instanceIds: ['cynosdbmysql-ins-b1'] },
      },
      instances: {
        'cynosdbmysql-ins-a1': ['creating', 'running'],
        'cynosdbmysql-ins-a2': ['creating', 'creating', 'running'],
        'cynosdbmysql-ins-b1': ['running'],
      },
    })
    const run = await runAction({ inputs: inputs(fake, { 'flow-id': '', 'deal-names': 'deal-1\ndeal-2' }) })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({
      'cluster-ids': 'cynosdbmysql-aaaaaaaa',
      'instance-ids': 'cynosdbmysql-ins-a1,cynosdbmysql-ins-a2,cynosdbmysql-ins-b1',
      result: 'succeeded',
      status: '0',
      'timed-out': 'false',
    })
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'instance:cynosdbmysql-ins-a1': 'succeeded',
      'instance:cynosdbmysql-ins-a2': 'succeeded',
      'instance:cynosdbmysql-ins-b1': 'succeeded',
    })
    expect(callsOf(fake, 'DescribeResourcesByDealName').map((r) => r.answer)).toEqual([
      'InvalidParameterValue.DealNameNotFound',
      'InvalidParameterValue.DealNameNotFound',
      'InvalidParameterValue.DealNameNotFound',
      'delivered',
    ])
    expect(callsOf(fake, 'DescribeInstances').map((r) => r.answer)).toEqual([
      'instances creating,creating,running',
      'instances running,creating,running',
      'instances running,running,running',
    ])
    expect(run.stdout).toMatch(/^Waiting for the instances of CynosDB deals deal-1, deal-2 in ap-guangzhou via /m)
    expect(run.summary).toMatch(/<h3>The instances of CynosDB deals deal-1, deal-2<\/h3>/)
    expect(run.stdout).toMatch(/Deals deal-1, deal-2: not delivered yet after/)
    expect(run.stdout).toMatch(/Deals deal-1, deal-2: every instance running \(3\) after/)
    expect(run.outputs.polls).toBe(String(fake.requests.length))
    for (const id of ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2', 'cynosdbmysql-ins-b1']) {
      expect(run.summary).toContain(`<td>Instance ${id}</td>`)
    }
  })

  it('fails within seconds, naming the instance, when one ends isolated', async () => {
    const fake = await start({
      deals: {
        'deal-1': { clusterId: 'cynosdbmysql-aaaaaaaa', instanceIds: ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2'] },
      },
      instances: { 'cynosdbmysql-ins-a1': ['creating'], 'cynosdbmysql-ins-a2': ['creating', 'isolated'] },
    })
    const run = await runAction({ inputs: inputs(fake, { 'flow-id': '', 'deal-names': 'deal-1', timeout: '30m' }) })
    expect(run.code).toBe(1)
    expect((run.exitedAt - run.spawnedAt) / 1000).toBeLessThan(5)
    expect(errorLine(run.stdout)).toMatch(
      /^::error::Instance cynosdbmysql-ins-a2 \(region ap-guangzhou\) is isolated, which it does not come back from on its own \(RequestId [-0-9a-f]{36}\), after /,
    )
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'instance:cynosdbmysql-ins-a1': 'processing',
      'instance:cynosdbmysql-ins-a2': 'failed',
    })
    expect(run.outputs['instance-ids']).toBe('cynosdbmysql-ins-a1,cynosdbmysql-ins-a2')
  })

  it('waits for a flow and a purchase in one step', async () => {
    const fake = await start({
      flows: { '123': [2, 0] },
      deals: { 'deal-1': { clusterId: 'cynosdbmysql-aaaaaaaa', instanceIds: ['cynosdbmysql-ins-a1'] } },
      instances: { 'cynosdbmysql-ins-a1': ['creating', 'running'] },
    })
    const run = await runAction({ inputs: inputs(fake, { 'deal-names': 'deal-1' }) })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      '123': 'succeeded',
      'instance:cynosdbmysql-ins-a1': 'succeeded',
    })
  })
})
