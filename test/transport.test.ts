// The transport tells the step's pace of every Tencent Cloud answer (src/transport.ts): a refusal for the rate, an
// answer that came through (an error code is one), and nothing of a failure the API never answered.
import { Agent } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { fakeClock } from '../scripts/lib/fake-clock.ts'
import { NetworkError } from '../src/http.ts'
import { ApiError } from '../src/tencent/errors.ts'
import { createTransport } from '../src/transport.ts'
import type { Pace } from '../src/wait/pace.ts'

const dispatcher = new Agent()
afterAll(() => dispatcher.close())
const trace = { action: 'DescribeFlow', host: 'h', latencyMs: 1 }

describe('createTransport: what the pace hears', () => {
  it.each([
    { name: 'an answer', outcome: { trace }, heard: ['answered'] },
    {
      name: 'RequestLimitExceeded',
      outcome: new ApiError('DescribeFlow', 'RequestLimitExceeded', 'm', 'r'),
      heard: ['throttled'],
    },
    {
      name: 'another error code',
      outcome: new ApiError('DescribeFlow', 'InternalError', 'm', 'r'),
      heard: ['answered'],
    },
    { name: 'a reset connection', outcome: new NetworkError('reset', 'ECONNRESET', 'h', false), heard: [] },
  ])('$name: $heard', async ({ outcome, heard }) => {
    const clock = fakeClock(0)
    const told: string[] = []
    const pace: Pace = {
      gapMs: (gap) => gap,
      retryMs: (gap) => gap,
      widenedMs: () => 0,
      answered: () => told.push('answered'),
      throttled: () => told.push('throttled'),
    }
    const transport = createTransport({
      dispatcher,
      pace,
      now: clock.now,
      hardEnd: 60_000,
      timeoutMs: 50_000,
      requestTimeoutMs: 10_000,
      sleep: clock.sleep,
      debug: undefined,
    })
    const budget = { signal: new AbortController().signal, notAfter: 60_000 }
    const sent = transport.tencent('h', budget, async () => {
      if (outcome instanceof Error) throw outcome
      return outcome
    })
    await (outcome instanceof Error ? expect(sent).rejects.toBe(outcome) : expect(sent).resolves.toBe(outcome))
    expect(told).toEqual(heard)
  })
})
