import { describe, expect, it } from 'vitest'
import { fakeClock } from '../scripts/lib/fake-clock.ts'
import { DeadlineError } from '../src/limiter.ts'
import { createTaskWatcher, progressText, taskLabel, taskTime, type TaskWatcherDeps } from '../src/tasks.ts'
import type { TaskInfo } from '../src/tencent/cynosdb.ts'
import { ApiError } from '../src/tencent/errors.ts'

const task = (flowId: number, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  flowId,
  taskType: 'ModifyInstance',
  clusterId: 'cynosdbmysql-c',
  instanceId: 'cynosdbmysql-ins-i',
  progress: 40,
  errMsg: '',
  ...extra,
})

function setup(answer: (offset: number) => TaskInfo[] | Error, total = 1) {
  const clock = fakeClock(0)
  const calls: { at: number; offset: number }[] = []
  const notices: string[] = []
  const deps: TaskWatcherDeps = {
    describeTasks: async (query) => {
      calls.push({ at: clock.now(), offset: query.offset })
      expect(query.startTimeBegin).toBe('2026-11-28 09:00:00') // an hour before the step
      const tasks = answer(query.offset)
      if (tasks instanceof Error) throw tasks
      return { value: { tasks, total }, requestId: 'r', trace: { action: 'DescribeTasks', host: 'h', latencyMs: 1 } }
    },
    now: clock.now,
    stepStartedAtEpochMs: Date.parse('2026-11-28T10:00:00Z'),
    notice: (m) => notices.push(m),
  }
  const call = { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY }
  return { clock, calls, notices, watcher: createTaskWatcher(deps), call }
}

describe('the task watcher', () => {
  it('looks up when a flow is first seen processing, then at most every 30 s, and once after a failure', async () => {
    const { clock, calls, watcher, call } = setup(() => [task(7)])
    for (let t = 0; t < 70_000; t += 5000) {
      await watcher.observe('7', 2, call)
      clock.advance(5000)
    }
    expect(calls.map((c) => c.at)).toEqual([0, 30_000, 60_000])
    await watcher.observe('7', 1, call)
    await watcher.observe('7', 1, call)
    expect(calls).toHaveLength(4)
    expect(await watcher.observe('7', 0, call)).toMatchObject({ taskType: 'ModifyInstance' })
    expect(calls).toHaveLength(4) // a success asks for nothing
  })

  it('shares one listing among flows due at the same time', async () => {
    const { calls, watcher, call } = setup(() => [task(1), task(2), task(3)])
    const details = await Promise.all(['1', '2', '3'].map((id) => watcher.observe(id, 2, call)))
    expect(calls).toHaveLength(1)
    expect(details[2]).toMatchObject({ target: 'cynosdbmysql-ins-i' })
  })

  it('pages until it has read every task, at most 5 pages', async () => {
    const few = setup((offset) => (offset === 200 ? [task(7)] : [task(1)]), 250)
    expect(await few.watcher.observe('7', 2, few.call)).toBeDefined()
    expect(few.calls.map((c) => c.offset)).toEqual([0, 100, 200])
    const many = setup(() => [task(1)], 10_000)
    expect(await many.watcher.observe('7', 2, many.call)).toBeUndefined()
    expect(many.calls).toHaveLength(5)
  })

  it.each([
    {
      name: 'no permission',
      error: new ApiError('DescribeTasks', 'UnauthorizedOperation.PermissionDenied', 'no', 'r'),
      says: /need the CAM action cynosdb:DescribeTasks/,
    },
    {
      name: 'a final error',
      error: new ApiError('DescribeTasks', 'InvalidParameter', 'bad', 'r'),
      says: /Task details are not available \(DescribeTasks failed with InvalidParameter/,
    },
  ])('after $name: one notice, then never asks again', async ({ error, says }) => {
    const { clock, calls, notices, watcher, call } = setup(() => error)
    for (let i = 0; i < 4; i++) {
      expect(await watcher.observe('7', 2, call)).toBeUndefined()
      clock.advance(31_000)
    }
    expect(await watcher.observe('7', 1, call)).toBeUndefined()
    expect(calls).toHaveLength(1)
    expect(notices).toEqual([expect.stringMatching(says)])
  })

  it('rides out a transient error or the deadline without a notice', async () => {
    let n = 0
    const { clock, calls, notices, watcher, call } = setup(() => {
      n += 1
      return n === 1
        ? new ApiError('DescribeTasks', 'RequestLimitExceeded', 'slow down', 'r')
        : n === 2
          ? new DeadlineError('late')
          : [task(7)]
    })
    let details
    for (let i = 0; i < 3; i++) {
      details = await watcher.observe('7', 2, call)
      clock.advance(31_000)
    }
    expect(calls).toHaveLength(3)
    expect(notices).toEqual([])
    expect(details).toBeDefined()
  })
})

describe('task wording', () => {
  it.each([
    {
      name: 'an instance task',
      details: { taskType: 'ModifyInstance', target: 'ins-1', progress: 40.4, errMsg: '' },
      label: ' (ModifyInstance on ins-1)',
      progress: ', 40%',
    },
    {
      name: 'no progress',
      details: { taskType: 'OpenWan', target: '', progress: undefined, errMsg: '' },
      label: ' (OpenWan)',
      progress: '',
    },
    {
      name: 'foreign text',
      details: { taskType: 'X\n::error::y', target: 'a\u2028b', progress: 1, errMsg: '' },
      label: ' (X\\n::error::y on a\\u2028b)',
      progress: ', 1%',
    },
  ])('$name', ({ details, label, progress }) => {
    expect(taskLabel(details)).toBe(label)
    expect(progressText(details)).toBe(progress)
  })

  it('writes StartTimeBegin as YYYY-MM-DD HH:MM:SS in UTC', () => {
    expect(taskTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05')
  })
})
