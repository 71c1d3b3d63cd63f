// The task details watcher: when it looks a flow's task up, beside the wait, and what it says of it.
import { describe, expect, it } from 'vitest'
import { fakeClock } from '../scripts/lib/fake-clock.ts'
import { DeadlineError } from '../src/limiter.ts'
import { createTaskDetails, progressText, taskLabel, taskTime, type TaskDetailsDeps } from '../src/task-details.ts'
import type { TaskInfo } from '../src/tencent/cynosdb.ts'
import { ApiError } from '../src/tencent/errors.ts'

const task = (flowId: string, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  taskId: '1',
  flowId,
  status: 'running',
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
  const deps: TaskDetailsDeps = {
    describeTasks: async (query) => {
      calls.push({ at: clock.now(), offset: query.offset })
      expect(query.startTimeBegin).toBe('2026-11-28 09:00:00') // an hour before the step
      const items = answer(query.offset)
      if (items instanceof Error) throw items
      return { value: { items, total }, requestId: 'r', trace: { action: 'DescribeTasks', host: 'h', latencyMs: 1 } }
    },
    now: clock.now,
    stepStartedAtEpochMs: Date.parse('2026-11-28T10:00:00Z'),
    budget: { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY },
    notice: (m) => notices.push(m),
  }
  const watcher = createTaskDetails(deps)
  /** Until every lookup under way has ended. */
  const flush = () => watcher.settle(Number.POSITIVE_INFINITY, () => new Promise<void>(() => undefined))
  return { clock, calls, notices, watcher, flush }
}

describe('the task details watcher', () => {
  it('looks up when a flow is first seen processing, then at most every 30 s, and once after a failure', async () => {
    const { clock, calls, watcher, flush } = setup(() => [task('7')])
    for (let t = 0; t < 70_000; t += 5000) {
      watcher.observe('7', 2)
      await flush()
      clock.advance(5000)
    }
    expect(calls.map((c) => c.at)).toEqual([0, 30_000, 60_000])
    watcher.observe('7', 1)
    watcher.observe('7', 1)
    await flush()
    expect(calls).toHaveLength(4)
    watcher.observe('7', 0)
    expect(calls).toHaveLength(4) // a success asks for nothing
    expect(watcher.get('7')).toMatchObject({ taskType: 'ModifyInstance' })
  })

  it('never makes the caller wait: observe returns before DescribeTasks answers', async () => {
    let answer: () => void = () => undefined
    const slow = createTaskDetails({
      describeTasks: () =>
        new Promise((resolve) => {
          answer = () =>
            resolve({
              value: { items: [task('7')], total: 1 },
              requestId: 'r',
              trace: { action: 'DescribeTasks', host: 'h', latencyMs: 1 },
            })
        }),
      now: () => 0,
      stepStartedAtEpochMs: 0,
      budget: { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY },
      notice: () => undefined,
    })
    expect(slow.observe('7', 2)).toBeUndefined()
    expect(slow.get('7')).toBeUndefined()
    answer()
    await slow.settle(Number.POSITIVE_INFINITY, () => new Promise<void>(() => undefined))
    expect(slow.get('7')).toMatchObject({ taskType: 'ModifyInstance' })
  })

  it('settles within the time it is given', async () => {
    const slow = createTaskDetails({
      describeTasks: () => new Promise(() => undefined), // never answers
      now: () => 0,
      stepStartedAtEpochMs: 0,
      budget: { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY },
      notice: () => undefined,
    })
    slow.observe('7', 1)
    const asked: number[] = []
    await slow.settle(1500, async (ms) => {
      asked.push(ms)
    })
    expect(asked).toEqual([1500])
  })

  it('shares one listing among flows due at the same time', async () => {
    const { calls, watcher, flush } = setup(() => [task('1'), task('2'), task('3', { instanceId: 'ins-3' })])
    for (const id of ['1', '2', '3']) watcher.observe(id, 2)
    await flush()
    expect(calls).toHaveLength(1)
    expect(watcher.get('3')).toMatchObject({ target: 'ins-3' })
  })

  it('matches a FlowId beyond 2^53 digit for digit, never a neighbour', async () => {
    const { watcher, flush } = setup(() => [
      task('9007199254740992', { errMsg: 'the neighbour' }),
      task('9007199254740993', { errMsg: 'this one' }),
    ])
    watcher.observe('9007199254740993', 1)
    await flush()
    expect(watcher.get('9007199254740993')?.errMsg).toBe('this one')
  })

  it('pages until it has read every task, at most 5 pages', async () => {
    const few = setup((offset) => (offset === 200 ? [task('7')] : [task('1')]), 250)
    few.watcher.observe('7', 2)
    await few.flush()
    expect(few.watcher.get('7')).toBeDefined()
    expect(few.calls.map((c) => c.offset)).toEqual([0, 100, 200])
    const many = setup(() => [task('1')], 10_000)
    many.watcher.observe('7', 2)
    await many.flush()
    expect(many.watcher.get('7')).toBeUndefined()
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
    const { clock, calls, notices, watcher, flush } = setup(() => error)
    for (let i = 0; i < 4; i++) {
      watcher.observe('7', 2)
      await flush()
      clock.advance(31_000)
    }
    watcher.observe('7', 1)
    await flush()
    expect(watcher.get('7')).toBeUndefined()
    expect(calls).toHaveLength(1)
    expect(notices).toEqual([expect.stringMatching(says)])
  })

  it('rides out a transient error or the deadline without a notice', async () => {
    let n = 0
    const { clock, calls, notices, watcher, flush } = setup(() => {
      n += 1
      return n === 1
        ? new ApiError('DescribeTasks', 'RequestLimitExceeded', 'slow down', 'r')
        : n === 2
          ? new DeadlineError('late')
          : [task('7')]
    })
    for (let i = 0; i < 3; i++) {
      watcher.observe('7', 2)
      await flush()
      clock.advance(31_000)
    }
    expect(calls).toHaveLength(3)
    expect(notices).toEqual([])
    expect(watcher.get('7')).toBeDefined()
  })
})

describe('task wording', () => {
  it.each([
    {
      name: 'an instance task',
      details: { taskType: 'ModifyInstance', target: 'ins-1', progress: 40.6, errMsg: '' },
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
      name: 'foreign text: line breaks, bidi, the old command syntax',
      details: { taskType: 'X\n::error::y\u202e', target: 'a\u2028b##[error]c', progress: 1, errMsg: '' },
      label: ' (X\\n::error::y\\u202e on a\\u2028b#\\u0023[error]c)',
      progress: ', 1%',
    },
    {
      name: 'negative progress',
      details: { taskType: 'T', target: '', progress: -5, errMsg: '' },
      label: ' (T)',
      progress: ', 0%',
    },
    {
      name: 'huge progress',
      details: { taskType: 'T', target: '', progress: 1e308, errMsg: '' },
      label: ' (T)',
      progress: ', 99%',
    },
    {
      name: 'a full counter while it runs',
      details: { taskType: 'T', target: '', progress: 100, errMsg: '' },
      label: ' (T)',
      progress: ', 99%',
    },
    {
      name: 'nearly done',
      details: { taskType: 'T', target: '', progress: 99.9, errMsg: '' },
      label: ' (T)',
      progress: ', 99%',
    },
  ])('$name', ({ details, label, progress }) => {
    expect(taskLabel(details)).toBe(label)
    expect(progressText(details)).toBe(progress)
  })

  it('writes StartTimeBegin as YYYY-MM-DD HH:MM:SS in UTC', () => {
    expect(taskTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05')
  })
})
