// The verdict (wait/verdict.ts) and what the report makes of it (report/): outputs, failure lines, bounds.
import { describe, expect, it } from 'vitest'
import { NetworkError } from '../src/http.ts'
import { failureMessage, lateWarning } from '../src/report/messages.ts'
import { MAX_OUTPUT_BYTES, responseOutput, resultKey, stepOutputs } from '../src/report/outputs.ts'
import { ApiError } from '../src/tencent/errors.ts'
import type { ProbeOutcome, Result, Row, WaitEnd } from '../src/wait/probe.ts'
import { rowOutcomes, verdict } from '../src/wait/verdict.ts'

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const row = (kind: string, id: string, result: Result, extra: Partial<Row> = {}): Row => ({
  kind,
  id,
  result,
  state: result,
  ...extra,
})
const probe = (rows: Row[], end: WaitEnd, extra: Partial<ProbeOutcome> = {}): ProbeOutcome => ({
  name: rows.length === 1 && rows[0] ? `${rows[0].kind} ${rows[0].id}` : 'several',
  rows,
  end,
  error: end === 'error' ? new Error('boom') : undefined,
  stoppedBy: undefined,
  requests: 2,
  requestId: uuid(rows.length),
  elapsedMs: 1500,
  found: undefined,
  ...extra,
})
const flow = (id: string, result: Result, end: WaitEnd = 'done', extra: Partial<ProbeOutcome> = {}) =>
  probe([row('flow', id, result)], end, { name: `Flow ${id}`, requestId: uuid(Number(id)), ...extra })

describe('stepOutputs: the step takes its worst row', () => {
  it.each([
    {
      name: 'all succeeded',
      outcomes: [flow('1', 'succeeded'), flow('2', 'succeeded')],
      status: '0',
      result: 'succeeded',
      rid: uuid(1),
    },
    {
      name: 'processing beats succeeded',
      outcomes: [flow('1', 'succeeded'), flow('2', 'processing', 'timeout')],
      status: '2',
      result: 'processing',
      rid: uuid(2),
    },
    {
      name: 'unknown beats processing',
      outcomes: [flow('1', 'processing', 'timeout'), flow('2', 'unknown', 'error', { requestId: undefined })],
      status: '',
      result: 'unknown',
      rid: '',
    },
    {
      name: 'failed beats everything',
      outcomes: [flow('1', 'unknown', 'error'), flow('2', 'failed'), flow('3', 'processing', 'stopped')],
      status: '1',
      result: 'failed',
      rid: uuid(2),
    },
  ])('$name', ({ outcomes, status, result, rid }) => {
    expect(stepOutputs(outcomes, { requests: 4 })).toMatchObject({ status, result, 'request-id': rid })
  })

  it('counts requests as the step sent them, takes the longest wait, and lists every row', () => {
    const out = stepOutputs(
      [
        flow('1', 'succeeded', 'done', { elapsedMs: 2400 }),
        flow('2', 'processing', 'timeout', { elapsedMs: 9600 }),
        probe([row('instance', 'cynosdbmysql-ins-a', 'succeeded')], 'done'),
        probe([row('task', '2', 'succeeded')], 'done'),
      ],
      { requests: 9 },
    )
    expect(out).toMatchObject({
      polls: '9',
      elapsed: '10',
      'timed-out': 'true',
      results: '{"1":"succeeded","2":"processing","instance:cynosdbmysql-ins-a":"succeeded","task:2":"succeeded"}',
    })
  })

  it('keys results so that a flow and a task with the same ID cannot collide', () => {
    expect(resultKey({ kind: 'flow', id: '7' })).not.toBe(resultKey({ kind: 'task', id: '7' }))
    const out = stepOutputs([flow('7', 'succeeded'), probe([row('task', '7', 'failed')], 'done')], { requests: 2 })
    expect(JSON.parse(out.results)).toEqual({ '7': 'succeeded', 'task:7': 'failed' })
  })

  it.each([
    { name: 'a workflow command', id: '::warning::pwned' },
    { name: 'a word', id: 'req-1-abc' },
    { name: 'a UUID with a line break', id: `${uuid(1)}\n` },
  ])('keeps a RequestId out of request-id unless it is a UUID: $name', ({ id }) => {
    expect(stepOutputs([flow('1', 'failed', 'done', { requestId: id })], { requests: 1 })['request-id']).toBe('')
  })

  it('bounds results and the ID lists, saying how many were left out', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      row('instance', `cynosdbmysql-ins-${String(i).padStart(8, '0')}`, 'succeeded', { parent: 'c1' }),
    )
    const ids = many.map((r) => r.id)
    const out = stepOutputs([probe(many, 'done')], { requests: 1 })
    expect(Buffer.byteLength(out.results)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES)
    expect(JSON.parse(out.results).more).toMatch(/^\d+ left out$/)
    expect(out['instance-ids'].length).toBeLessThanOrEqual(MAX_OUTPUT_BYTES)
    expect(out['instance-ids'].split(',').every((id) => ids.includes(id))).toBe(true)
    expect(out['cluster-ids']).toBe('c1')
  })

  it('bounds outputs in bytes, as the runner’s file holds them: CJK text counts three a character', () => {
    const wide = '数'.repeat(30_000) // 30,000 characters, 90,000 bytes
    expect(responseOutput({ Message: wide })).toBe('')
    expect(responseOutput({ Message: '数'.repeat(20_000) })).not.toBe('')
    const rows = Array.from({ length: 100 }, (_, i) =>
      row('instance', `${i}`, 'succeeded', { id: `${i}${'数'.repeat(300)}` }),
    )
    const out = stepOutputs([probe(rows, 'done')], { requests: 1 })
    expect(Buffer.byteLength(out.results)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES)
    expect(JSON.parse(out.results).more).toMatch(/^\d+ left out$/)
  })
})

describe('verdict and failureMessage', () => {
  const context = { region: 'ap-tokyo', timeoutMs: 60_000 }
  const message = (outcomes: ProbeOutcome[], failOnTimeout = true) =>
    failureMessage(verdict(outcomes, failOnTimeout), context)

  it('passes when every row succeeded', () => {
    expect(message([flow('1', 'succeeded')])).toBeUndefined()
  })

  it('lets a processing flow pass at the timeout only with fail-on-timeout false, with a warning', () => {
    expect(message([flow('1', 'processing', 'timeout')])).toMatch(
      /Flow 1 \(region ap-tokyo\): still processing at the timeout of 1m/,
    )
    expect(message([flow('1', 'processing', 'timeout')], false)).toBeUndefined()
    expect(lateWarning(verdict([flow('1', 'processing', 'timeout')], false), context)).toMatch(
      /^Flow 1 still processing/,
    )
  })

  it('never lets fail-on-timeout false pass what nothing is known of', () => {
    const silent = flow('1', 'unknown', 'timeout', {
      rows: [row('flow', '1', 'unknown', { state: 'no answer from DescribeFlow' })],
    })
    expect(message([silent], false)).toMatch(
      /Flow 1 \(region ap-tokyo\): no answer from DescribeFlow within the timeout of 1m/,
    )
    expect(message([probe([row('deal', 'd1', 'unknown')], 'timeout')], false)).toMatch(
      /Deal d1 .*not delivered by billing/,
    )
    // delivered in the round whose DescribeInstances failed: the phase is named
    const listing = Object.assign(
      new NetworkError('DescribeInstances to h got no complete answer', 'RequestTimeout', 'h', false),
      {
        trace: { action: 'DescribeInstances', host: 'h', latencyMs: 1 },
      },
    )
    expect(message([probe([row('deal', 'd1', 'unknown')], 'timeout', { error: listing })], false)).toMatch(
      /Deal d1 \(region ap-tokyo\): delivered, but its instances could not be listed within the timeout of 1m; the last request failed: DescribeInstances/,
    )
  })

  it('gives one line per row that did not succeed, what ended the wait first, one line for a final error', () => {
    const text = message([
      flow('1', 'processing', 'stopped', { stoppedBy: 'Flow 2' }),
      flow('2', 'failed', 'done', { rows: [row('flow', '2', 'failed', { cause: 'disk full' })] }),
      probe([row('instance', 'i1', 'unknown'), row('instance', 'i2', 'unknown')], 'error', { name: 'Deal d1' }),
    ])
    expect(text?.split('\n')).toEqual([
      `Flow 2 (region ap-tokyo) failed (RequestId ${uuid(2)}), after 1.5s, 2 requests: its task says: disk full`,
      'Deal d1 (region ap-tokyo): boom',
      'Flow 1 (region ap-tokyo): not waited for further once flow 2 ended the wait, after 1.5s, 2 requests; last known status: processing',
    ])
  })

  it.each([
    {
      name: 'cancelled while it was under way',
      end: 'cancelled' as const,
      error: undefined,
      says: /cancelled after .*may have been applied/,
    },
    {
      name: 'throttled to the timeout',
      end: 'timeout' as const,
      error: new ApiError('RestartInstance', 'RequestLimitExceeded', 'slow down', uuid(1)),
      says: /not answered within the timeout of 1m; the last request failed: .*RequestLimitExceeded.* never carried the change out/,
    },
    {
      name: 'no answer in time',
      end: 'timeout' as const,
      error: new NetworkError('RestartInstance to h got no complete answer within 15s', 'RequestTimeout', 'h', false),
      says: /not answered within the timeout of 1m; .*may have been applied: check the cluster/,
    },
  ])('says what a sent change came to when no answer came: $name', ({ end, error, says }) => {
    const sent = probe([row('call', 'RestartInstance', 'unknown', { state: 'not answered' })], end, {
      name: 'Call RestartInstance',
      error,
    })
    expect(message([sent])).toMatch(says)
  })

  it('marks the rows of a probe that another of its rows ended as stopped', () => {
    const rows = rowOutcomes([
      probe([row('instance', 'i1', 'failed', { state: 'isolated' }), row('instance', 'i2', 'processing')], 'done'),
    ])
    expect(rows.map((r) => [r.id, r.end, r.stoppedBy])).toEqual([
      ['i1', 'done', undefined],
      ['i2', 'stopped', 'Instance i1'],
    ])
  })
})
