// npm run stand-in (scripts/stand-in.ts): its plans from the command line, and a usage error for one it cannot play.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { KEY } from '../support/e2e.ts'
import { answerOf } from '../support/stand-in-client.ts'

function cli(args: string[]) {
  const child = spawn(process.execPath, [
    'scripts/stand-in.ts',
    '--port',
    '0',
    '--key',
    `${KEY.id}:${KEY.secret}`,
    ...args,
  ])
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return { child, output: () => output, exited }
}

describe('npm run stand-in', () => {
  it.each([
    { name: 'the old --tasks', args: ['--tasks', '{}'], says: /^stand-in: --tasks was replaced by --task-list/ },
    {
      name: '--task-list that is not JSON',
      args: ['--task-list', 'nope'],
      says: /^stand-in: --task-list must be JSON/,
    },
    {
      name: 'a task ID that is not one',
      args: ['--task-list', '{"x":{"taskType":"X"}}'],
      says: /^stand-in: taskList "x": a task ID/,
    },
    { name: 'a deal of no clusters', args: ['--deals', '{"d":{"clusters":[]}}'], says: /^stand-in: deals: / },
    {
      name: 'an undocumented instance status',
      args: ['--instances', '{"i":["booting"]}'],
      says: /^stand-in: instances "i"/,
    },
    {
      name: 'a change answer of the wrong type',
      args: ['--changes', '{"RestartInstance":[{"answer":{"FlowId":"1"}}]}'],
      says: /^stand-in: changes "RestartInstance": \{"FlowId":"1"\} is not a RestartInstanceResponse: The value type of parameter `FlowId` is not valid\./,
    },
    {
      name: 'a change of an unknown action',
      args: ['--changes', '{"RestartInstances":[]}'],
      says: /^stand-in: changes "RestartInstances": not a CynosDB action \(nearest: RestartInstance/,
    },
    {
      name: 'a --rate-limit of 0',
      args: ['--rate-limit', '0'],
      says: /^stand-in: --rate-limit must be a whole number/,
    },
    { name: 'a --rate-limit that is no number', args: ['--rate-limit', 'x'], says: /^stand-in: --rate-limit must be/ },
    {
      name: 'a held flow step without a count',
      args: ['--flows', '{"1":[{"step":0,"heldUntil":{"action":"DescribeTasks"}}]}'],
      says: /^stand-in: flows "1": heldUntil is/,
    },
  ])('ends $name with a usage error and no stack trace', async ({ args, says }) => {
    const run = cli(args)
    expect(await run.exited).toBe(2)
    expect(run.output()).toMatch(says)
    expect(run.output()).toMatch(/\nUsage: npm run stand-in/)
    expect(run.output()).not.toMatch(/\n\s+at /)
  })

  it('plays --task-list, a multi-cluster --deals and --changes, and prints each request', async () => {
    const run = cli([
      '--task-list',
      '{"4001":{"flowId":"123","taskType":"ModifyInstance","statuses":["running","success"]}}',
      '--deals',
      '{"d":{"clusters":[{"clusterId":"cynosdbmysql-a","instanceIds":["cynosdbmysql-ins-a"]},{"clusterId":"cynosdbmysql-b","instanceIds":[]}]}}',
      '--changes',
      '{"ModifyInstanceParam":[{"answer":{"FlowId":123}}]}',
      '--rate-limit',
      '100',
    ])
    try {
      await expect.poll(run.output, { timeout: 10_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
      expect(run.output()).toMatch(/; at most 100 requests a second per action\)\n/)
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1] ?? ''
      const standIn = { url, host: new URL(url).host }
      const tasks = await answerOf(standIn, 'DescribeTasks', { Filters: [{ Names: ['TaskId'], Values: ['4001'] }] })
      expect(tasks.Response.TaskList).toEqual([expect.objectContaining({ FlowId: 123, Status: 'running' })])
      const deal = await answerOf(standIn, 'DescribeResourcesByDealName', { DealName: 'd' })
      expect(deal.Response.BillingResourceInfos).toHaveLength(2)
      const change = await answerOf(standIn, 'ModifyInstanceParam', { ClusterId: 'cynosdbmysql-a' })
      expect(change.Response.FlowId).toBe(123)
      await expect.poll(run.output).toMatch(/ ModifyInstanceParam -> \{"FlowId":123\}\n/)
      expect(run.output()).toMatch(/ DescribeTasks -> tasks 1 of 1\n/)
      expect(run.output()).toMatch(/ DescribeResourcesByDealName -> delivered\n/)
    } finally {
      run.child.kill()
      await run.exited
    }
  })
})
