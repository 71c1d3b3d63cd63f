// Purchases in the stand-in: DescribeResourcesByDealName (what a deal delivered, once billing is done) and
// DescribeInstances (the planned instances through its parameters and filters).
import { describe, expect, it } from 'vitest'
import { startFakeTencent, type DealPlan } from '../../scripts/lib/stand-in.ts'
import { standIn } from '../support/e2e.ts'
import { answerOf, type Answer } from '../support/stand-in-client.ts'

describe('DescribeResourcesByDealName', () => {
  // The documented example: one DealName, two clusters (tencentcloud.com/document/product/1098/40735).
  const deals = {
    '201302542054': {
      clusters: [
        { clusterId: 'cynosdbmysql-r8ewihg4', instanceIds: ['cynosdbmysql-ins-pecl0drs'] },
        { clusterId: 'cynosdbmysql-hjosrxhu', instanceIds: ['cynosdbmysql-ins-7f59pahg'] },
      ],
    },
    'deal-2': { clusterId: 'cynosdbmysql-x', instanceIds: ['cynosdbmysql-ins-x1', 'cynosdbmysql-ins-x2'] },
    late: { clusterId: 'cynosdbmysql-y', instanceIds: [], deliveredAfter: 2 },
  }
  const resources = async (params: Record<string, unknown>) =>
    answerOf(await standIn({ deals }), 'DescribeResourcesByDealName', params)

  it('answers one BillingResourceInfo per cluster of a deal, as the documented example does', async () => {
    expect((await resources({ DealName: '201302542054' })).Response.BillingResourceInfos).toEqual([
      { ClusterId: 'cynosdbmysql-r8ewihg4', InstanceIds: ['cynosdbmysql-ins-pecl0drs'], DealName: '201302542054' },
      { ClusterId: 'cynosdbmysql-hjosrxhu', InstanceIds: ['cynosdbmysql-ins-7f59pahg'], DealName: '201302542054' },
    ])
  })

  it.each([
    {
      name: 'DealNames, in order',
      params: { DealNames: ['deal-2', '201302542054'] },
      want: ['x', 'r8ewihg4', 'hjosrxhu'],
    },
    {
      name: 'DealName over DealNames when both are given',
      params: { DealName: 'deal-2', DealNames: ['201302542054'] },
      want: ['x'],
    },
  ])('takes $name', async ({ params, want }) => {
    const infos = (await resources(params)).Response.BillingResourceInfos as { ClusterId: string }[]
    expect(infos.map((i) => i.ClusterId.replace('cynosdbmysql-', ''))).toEqual(want)
  })

  it.each([
    { name: 'neither DealName nor DealNames', params: {}, code: 'MissingParameter' },
    { name: 'an empty DealNames', params: { DealNames: [] }, code: 'MissingParameter' },
    {
      name: 'a deal it does not know',
      params: { DealNames: ['deal-2', 'nope'] },
      code: 'InvalidParameterValue.DealNameNotFound',
    },
  ])('refuses $name', async ({ params, code }) => {
    expect((await resources(params)).Response.Error?.Code).toBe(code)
  })

  it('answers DealNameNotFound until a deal is delivered', async () => {
    const fake = await standIn({ deals })
    for (let i = 0; i < 3; i++) await answerOf(fake, 'DescribeResourcesByDealName', { DealName: 'late' })
    expect(fake.requests.map((r) => r.answer)).toEqual([
      'InvalidParameterValue.DealNameNotFound',
      'InvalidParameterValue.DealNameNotFound',
      'delivered',
    ])
  })

  it.each([
    { name: 'a deal of no clusters', deal: { clusters: [] } },
    { name: 'a cluster without instanceIds', deal: { clusters: [{ clusterId: 'c' }] } },
  ])('refuses $name when it starts', async ({ deal }) => {
    await expect(startFakeTencent({ deals: { d: deal as unknown as DealPlan } })).rejects.toThrow(/^deals: /)
  })
})

describe('DescribeInstances', () => {
  const deals = {
    d: {
      clusters: [
        { clusterId: 'cynosdbmysql-a', instanceIds: ['cynosdbmysql-ins-a1', 'cynosdbmysql-ins-a2'] },
        { clusterId: 'cynosdbmysql-b', instanceIds: ['cynosdbmysql-ins-b1'] },
      ],
    },
  }
  const instances = {
    'cynosdbmysql-ins-a1': ['creating', 'running'],
    'cynosdbmysql-ins-a2': ['running'],
    'cynosdbmysql-ins-b1': ['isolated'],
    'cynosdbmysql-ins-unplanned': [],
  }
  const listed = (answer: Answer): string[] =>
    ((answer.Response.InstanceSet ?? []) as { InstanceId: string }[]).map((i) =>
      i.InstanceId.replace('cynosdbmysql-ins-', ''),
    )
  const list = async (params: Record<string, unknown>) =>
    answerOf(await standIn({ deals, instances }), 'DescribeInstances', params)

  it.each([
    { name: 'no parameters at all', params: {}, want: ['a1', 'a2', 'b1'], total: 3 },
    {
      name: 'InstanceIds',
      params: { InstanceIds: ['cynosdbmysql-ins-b1', 'cynosdbmysql-ins-a1'] },
      want: ['a1', 'b1'],
      total: 2,
    },
    { name: 'Limit', params: { Limit: 2 }, want: ['a1', 'a2'], total: 3 },
    { name: 'Offset', params: { Limit: 2, Offset: 2 }, want: ['b1'], total: 3 },
    { name: 'Status', params: { Status: 'running' }, want: ['a2'], total: 1 },
    {
      name: 'a ClusterId filter',
      params: { Filters: [{ Names: ['ClusterId'], Values: ['cynosdbmysql-a'] }] },
      want: ['a1', 'a2'],
      total: 2,
    },
    {
      name: "the documented example's lower-case status filter",
      params: { Filters: [{ Names: ['status'], Values: ['isolated'], ExactMatch: true, Name: '', Operator: '' }] },
      want: ['b1'],
      total: 1,
    },
    {
      name: 'two filters (AND)',
      params: {
        Filters: [
          { Names: ['ClusterId'], Values: ['cynosdbmysql-a'] },
          { Name: 'InstanceId', Values: ['cynosdbmysql-ins-a2', 'cynosdbmysql-ins-b1'] },
        ],
      },
      want: ['a2'],
      total: 1,
    },
  ])('honours $name', async ({ params, want, total }) => {
    const answer = await list(params)
    expect(listed(answer)).toEqual(want)
    expect(answer.Response.TotalCount).toBe(total)
  })

  it('answers InstanceId, ClusterId and Status', async () => {
    expect((await list({ InstanceIds: ['cynosdbmysql-ins-a1'] })).Response.InstanceSet).toEqual([
      { InstanceId: 'cynosdbmysql-ins-a1', ClusterId: 'cynosdbmysql-a', Status: 'creating' },
    ])
  })

  it('lists 20 by default and refuses a Limit past the documented 100', async () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`cynosdbmysql-ins-${i}`, ['running']]))
    const fake = await standIn({ instances: many })
    expect(listed(await answerOf(fake, 'DescribeInstances', {}))).toHaveLength(20)
    expect((await answerOf(fake, 'DescribeInstances', { Limit: 101 })).Response.Error?.Code).toBe(
      'InvalidParameterValue',
    )
  })

  it("moves an instance's status on once per answer that lists it", async () => {
    const fake = await standIn({ deals, instances })
    const statuses = async (params: object) =>
      ((await answerOf(fake, 'DescribeInstances', params)).Response.InstanceSet as { Status: string }[]).map(
        (i) => i.Status,
      )
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a2'] })).toEqual(['running']) // a1 not listed
    expect(await statuses({ Limit: 1, Offset: 1 })).toEqual(['running']) // a1 matched but not on the page
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a1'] })).toEqual(['creating'])
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a1'] })).toEqual(['running'])
    expect(await statuses({ InstanceIds: ['cynosdbmysql-ins-a1'] })).toEqual(['running'])
  })

  it('refuses a filter DescribeInstances does not document', async () => {
    const answer = await list({ Filters: [{ Names: ['Zone'], Values: ['ap-guangzhou-3'] }] })
    expect(answer.Response.Error?.Code).toBe('InvalidParameterValue')
  })

  it('refuses an undocumented instance status when it starts', async () => {
    await expect(startFakeTencent({ instances: { 'cynosdbmysql-ins-x': ['booting'] } })).rejects.toThrow(
      /instances "cynosdbmysql-ins-x": statuses are creating, running/,
    )
  })
})
