// dry-run: everything a real run checks before it sends, nothing sent, in every combination of inputs; the plan
// output as Markdown a GFM renderer reads as a table.
import { marked } from 'marked'
import { describe, expect, it } from 'vitest'
import { runInProcess } from '../../scripts/lib/run-in-process.ts'
import { errorLine, inputs, keyless, standIn } from '../support/e2e.ts'

const change = {
  'flow-id': '',
  call: 'RestartInstance',
  parameters: '{"InstanceId": "cynosdbmysql-ins-1"}',
  'dry-run': 'true',
}

describe('dry-run with call: checked, never sent', () => {
  it('static keys: one DescribeFlow proves them; the plan is said and rendered as a table', async () => {
    const fake = await standIn({ changes: { RestartInstance: [{ answer: { FlowId: 9 } }] } })
    const run = await runInProcess({ inputs: inputs(fake.url, change) })
    expect(run.code).toBe(0)
    expect(fake.requests.map((r) => r.action)).toEqual(['DescribeFlow'])
    expect(run.outputs).toMatchObject({ 'dry-run': 'true', result: 'unknown', response: '' })
    expect(run.stdout).toMatch(/^Dry run, nothing is sent: checking CynosDB RestartInstance in ap-guangzhou via /m)
    expect(run.stdout).not.toMatch(/sent by this step/)
    expect(run.stdout).toMatch(
      /^::notice::Dry run: RestartInstance was checked and not sent; it would wait for its FlowId, with DescribeFlow/m,
    )
    const html = await marked.parse(run.outputs.plan ?? '', { gfm: true })
    expect(html).toMatch(/<table>/)
    expect(html).toMatch(/<td>action<\/td>\s*<td><code>RestartInstance<\/code><\/td>/)
    expect(html).toMatch(/<td>parameters<\/td>\s*<td><code>InstanceId<\/code><\/td>/)
    expect(run.summary).toContain('Dry run: CynosDB RestartInstance was checked, not sent')
  })

  it('keyless: the ID token is exchanged at STS, and nothing else is sent', async () => {
    const fake = await standIn({ changes: { RestartInstance: [{ answer: { FlowId: 9 } }] } })
    const run = await runInProcess(keyless(fake.url, change))
    expect(run.code).toBe(0)
    expect(fake.requests.map((r) => r.action)).toEqual(['AssumeRoleWithWebIdentity'])
    expect(run.outputs.plan).toMatch(/the ID token was exchanged at STS/)
  })

  it.each<{ name: string; extra: Record<string, string>; says: RegExp }>([
    {
      name: 'a parameter the model does not have',
      extra: { parameters: '{"InstanceID": "x"}' },
      says: /UnknownParameter: The parameter `InstanceID` is not recognized\. Did you mean InstanceId\?/,
    },
    {
      name: 'a wrong key',
      extra: { 'secret-key': 'wrong-key-000000000000000000000' },
      says: /AuthFailure\.SignatureFailure/,
    },
  ])('fails where a real run would fail before sending: $name', async ({ extra, says }) => {
    const fake = await standIn({ changes: { RestartInstance: [{ answer: { FlowId: 9 } }] } })
    const run = await runInProcess({ inputs: inputs(fake.url, { ...change, ...extra }) })
    expect(run.code).toBe(1)
    expect(errorLine(run)).toMatch(says)
    expect(fake.requests.filter((r) => r.action === 'RestartInstance')).toEqual([])
  })
})

describe('dry-run with IDs: read once, no waiting', () => {
  it('a flow processing: its state reported, green, one DescribeFlow', async () => {
    const fake = await standIn({ flows: { '123': [2] } })
    const run = await runInProcess({ inputs: inputs(fake.url, { 'dry-run': 'true', timeout: '10m' }) })
    expect(run.code).toBe(0)
    expect(fake.requests.filter((r) => r.action === 'DescribeFlow')).toHaveLength(1)
    expect(run.outputs).toMatchObject({ 'dry-run': 'true', result: 'processing' })
    const html = await marked.parse(run.outputs.plan ?? '', { gfm: true })
    expect(html).toMatch(/<td>Flow 123<\/td>\s*<td>processing<\/td>/)
  })

  it('deal names and task IDs, keyless: each read once, never waited for, nothing sent', async () => {
    const fake = await standIn({
      deals: { d1: { clusterId: 'cynosdbmysql-c', instanceIds: ['cynosdbmysql-ins-1'] } },
      instances: { 'cynosdbmysql-ins-1': ['creating'] },
      taskList: { '5001': { taskType: 'CreateAccounts', statuses: ['running'] } },
    })
    const run = await runInProcess(
      keyless(fake.url, { 'flow-id': '', 'deal-names': 'd1', 'task-ids': '5001', 'dry-run': 'true', timeout: '10m' }),
    )
    expect(run.code).toBe(0)
    expect([...new Set(fake.requests.map((r) => r.action))].sort()).toEqual([
      'AssumeRoleWithWebIdentity',
      'DescribeInstances',
      'DescribeResourcesByDealName',
      'DescribeTasks',
    ])
    expect(JSON.parse(run.outputs.results ?? '')).toEqual({
      'instance:cynosdbmysql-ins-1': 'processing',
      'task:5001': 'processing',
    })
  })

  it('a flow that does not exist fails the dry run, as it would a real one', async () => {
    const fake = await standIn({ flows: {} })
    const run = await runInProcess({ inputs: inputs(fake.url, { 'dry-run': 'true' }) })
    expect(run.code).toBe(1)
    expect(errorLine(run)).toMatch(/FlowNotFound/)
  })
})
