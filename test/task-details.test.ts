// The task details watcher: when it looks a flow's task up, beside the wait, and what it says of it.
import { describe, expect, it } from 'vitest'
import { fakeClock } from '../scripts/lib/fake-clock.ts'
import { DeadlineError } from '../src/limiter.ts'
import {
  createTaskDetails,
  progressText,
  taskTime,
  workLabel,
  workOf,
  type TaskDetailsDeps,
} from '../src/probes/task-details.ts'
import type { TaskInfo } from '../src/tencent/cynosdb.ts'
import type { ProbeOutcome } from '../src/wait/probe.ts'
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

/** Every lookup under way has ended: the stand-in answers at once, so a turn of the event loop settles them all. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

/** What the wait reports when flow `id` failed: the watcher waits for a failed flow's lookup, never for others. */
const failed = (id: string): ProbeOutcome[] => [
  {
    name: `Flow ${id}`,
    rows: [{ kind: 'flow', id, result: 'failed', state: 'failed' }],
    end: 'done',
    error: undefined,
    stoppedBy: undefined,
    requests: 1,
    requestId: undefined,
    elapsedMs: 0,
    found: undefined,
  },
]

const never = () => new Promise<void>(() => undefined)

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
    sleep: never,
    stepStartedAtEpochMs: Date.parse('2026-11-28T10:00:00Z'),
    budget: { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY },
    notice: (m) => notices.push(m),
  }
  return { clock, calls, notices, watcher: createTaskDetails(deps), flush }
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
    expect(watcher.get('7')).toMatchObject({ work: 'ModifyInstance on cynosdbmysql-ins-i', progress: 40 })
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
      sleep: never,
      stepStartedAtEpochMs: 0,
      budget: { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY },
      notice: () => undefined,
    })
    expect(slow.observe('7', 2)).toBeUndefined()
    expect(slow.get('7')).toBeUndefined()
    const completing = slow.complete(failed('7'), Number.POSITIVE_INFINITY) // waits for the lookup under way
    answer()
    const [outcome] = await completing
    expect(outcome?.rows[0]).toMatchObject({ result: 'failed', work: 'ModifyInstance on cynosdbmysql-ins-i' })
  })

  it.each([
    { name: 'a flow failed: waits at most the time it is given', outcomes: failed('7'), asked: [1500] },
    { name: 'no flow failed: does not wait at all', outcomes: [], asked: [] },
  ])('completes: $name, then ends every lookup', async ({ outcomes, asked }) => {
    const ended: boolean[] = []
    const slept: number[] = []
    const slow = createTaskDetails({
      // never answers, until the watcher ends it
      describeTasks: (_query, budget) =>
        new Promise((_resolve, reject) =>
          budget.signal.addEventListener('abort', () => reject(ended.push(true) && budget.signal.reason)),
        ),
      now: () => 0,
      sleep: async (ms) => {
        slept.push(ms)
      },
      stepStartedAtEpochMs: 0,
      budget: { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY },
      notice: () => undefined,
    })
    slow.observe('7', 1)
    await slow.complete(outcomes, 1500)
    expect(slept).toEqual(asked)
    expect(ended).toEqual([true])
  })

  it('shares one listing among flows due at the same time', async () => {
    const { calls, watcher, flush } = setup(() => [task('1'), task('2'), task('3', { instanceId: 'ins-3' })])
    for (const id of ['1', '2', '3']) watcher.observe(id, 2)
    await flush()
    expect(calls).toHaveLength(1)
    expect(watcher.get('3')).toMatchObject({ work: 'ModifyInstance on ins-3' })
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
      task: { taskType: 'ModifyInstance', instanceId: 'ins-1', progress: 40.6 },
      label: ' (ModifyInstance on ins-1)',
      progress: ', 40%',
    },
    {
      name: 'a cluster task: the cluster when there is no instance',
      task: { taskType: 'ModifyClusterParam', instanceId: '', clusterId: 'cls-1', progress: 0 },
      label: ' (ModifyClusterParam on cls-1)',
      progress: ', 0%',
    },
    {
      name: 'no target, no progress',
      task: { taskType: 'OpenWan', instanceId: '', clusterId: '', progress: undefined },
      label: ' (OpenWan)',
      progress: '',
    },
    {
      name: 'no type: still says what it runs on',
      task: { taskType: '', instanceId: 'ins-1' },
      label: ' (task on ins-1)',
      progress: ', 40%',
    },
    {
      name: 'nothing known',
      task: { taskType: '', instanceId: '', clusterId: '', progress: undefined },
      label: '',
      progress: '',
    },
    {
      name: 'foreign text: line breaks, bidi, the old command syntax',
      task: { taskType: 'X\n::error::y\u202e', instanceId: 'a\u2028b##[error]c', progress: 1 },
      label: ' (X\\n::error::y\\u202e on a\\u2028b#\\u0023[error]c)',
      progress: ', 1%',
    },
    { name: 'negative progress', task: { progress: -5 }, progress: ', 0%' },
    { name: 'huge progress', task: { progress: 1e308 }, progress: ', 99%' },
    { name: 'a full counter while it runs', task: { progress: 100 }, progress: ', 99%' },
    { name: 'nearly done', task: { progress: 99.9 }, progress: ', 99%' },
  ])('$name', ({ task: fields, label, progress }) => {
    const work = workOf(task('7', fields))
    if (label !== undefined) expect(workLabel(work)).toBe(label)
    expect(progressText(work)).toBe(progress)
  })

  it('writes StartTimeBegin as YYYY-MM-DD HH:MM:SS in UTC', () => {
    expect(taskTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05')
  })
})
