import { describe, expect, it } from 'vitest'
import { failureMessage, stepOutputs } from '../src/report.ts'
import type { FlowOutcome } from '../src/wait.ts'

const outcome = (flowId: string, status: 0 | 1 | 2 | undefined, extra: Partial<FlowOutcome> = {}): FlowOutcome => ({
  flowId,
  status,
  requestId: status === undefined ? undefined : `rid-${flowId}`,
  polls: 2,
  elapsedMs: 1500,
  end: status === 2 ? 'timeout' : status === undefined ? 'error' : 'done',
  error: status === undefined ? new Error('boom') : undefined,
  ...extra,
})

describe('stepOutputs: the step takes its worst flow', () => {
  it.each([
    {
      name: 'all succeeded',
      flows: [outcome('1', 0), outcome('2', 0)],
      status: '0',
      result: 'succeeded',
      rid: 'rid-1',
    },
    {
      name: 'processing beats succeeded',
      flows: [outcome('1', 0), outcome('2', 2)],
      status: '2',
      result: 'processing',
      rid: 'rid-2',
    },
    {
      name: 'unknown beats processing',
      flows: [outcome('1', 2), outcome('2', undefined)],
      status: '',
      result: 'unknown',
      rid: '',
    },
    {
      name: 'failed beats everything',
      flows: [outcome('1', undefined), outcome('2', 1), outcome('3', 2)],
      status: '1',
      result: 'failed',
      rid: 'rid-2',
    },
  ])('$name', ({ flows, status, result, rid }) => {
    expect(stepOutputs(flows)).toMatchObject({ status, result, 'request-id': rid })
  })

  it('sums calls, takes the longest wait, and lists every flow', () => {
    const out = stepOutputs([
      outcome('1', 0, { polls: 3, elapsedMs: 2400 }),
      outcome('2', 2, { polls: 4, elapsedMs: 9600 }),
    ])
    expect(out).toMatchObject({
      polls: '7',
      elapsed: '10',
      'timed-out': 'true',
      results: '{"1":"succeeded","2":"processing"}',
    })
  })
})

describe('failureMessage', () => {
  const context = { region: 'ap-tokyo', timeoutMs: 60_000, failOnTimeout: true }

  it('passes when every flow succeeded', () => {
    expect(failureMessage([outcome('1', 0)], context)).toBeUndefined()
  })

  it('lets a processing flow pass at the timeout only with fail-on-timeout false', () => {
    expect(failureMessage([outcome('1', 2)], context)).toMatch(
      /Flow 1 \(region ap-tokyo\): still processing at the timeout of 1m/,
    )
    expect(failureMessage([outcome('1', 2)], { ...context, failOnTimeout: false })).toBeUndefined()
  })

  it('gives one line per flow that did not succeed', () => {
    const message = failureMessage([outcome('1', 1), outcome('2', 0), outcome('3', undefined)], context)
    expect(message?.split('\n')).toEqual([
      'Flow 1 (region ap-tokyo) failed (RequestId rid-1), after 1.5s, 2 calls',
      'Flow 3 (region ap-tokyo): boom',
    ])
  })
})
