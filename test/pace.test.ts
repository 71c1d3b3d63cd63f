// The step's pace (src/wait/pace.ts): widened by a refusal for the rate, once per crowded moment, narrowed by the
// answers that come through, never below the schedule's gap nor past its own ceiling.
import { describe, expect, it } from 'vitest'
import {
  COMPOUND_FACTOR,
  createPace,
  MAX_PACE_MS,
  MIN_RETRY_MS,
  NARROW_BY,
  PACE_JITTER,
  WIDEN_FACTOR,
  type Pace,
} from '../src/wait/pace.ts'

const middle = (): number => 0.5

function paced(): { pace: Pace; at: (ms: number) => void } {
  let time = 0
  return { pace: createPace(() => time), at: (ms) => (time = ms) }
}

describe('createPace', () => {
  it('keeps to the schedule while nothing is refused, answered or not', () => {
    const { pace } = paced()
    expect(pace.gapMs(1250, middle)).toBe(1250)
    pace.answered()
    expect(pace.gapMs(1250, middle)).toBe(1250)
    expect(pace.widenedMs()).toBe(0)
  })

  it.each([
    { name: 'the shortest gap', schedule: 1250 },
    { name: 'a longer one', schedule: 4000 },
  ])('widens $name by WIDEN_FACTOR with the first refusal, at the next gap', ({ schedule }) => {
    const { pace } = paced()
    pace.throttled()
    expect(pace.widenedMs()).toBe(0) // a refusal is acted on when the next gap is asked for
    expect(pace.gapMs(schedule, middle)).toBe(WIDEN_FACTOR * schedule)
    expect(pace.widenedMs()).toBe(WIDEN_FACTOR * schedule)
  })

  it('hears the refusals of one crowded moment as one: within one pace of the last widening', () => {
    const { pace, at } = paced()
    pace.throttled()
    pace.gapMs(1250, middle)
    const once = pace.widenedMs()
    at(once - 1)
    pace.throttled()
    expect(pace.gapMs(1250, middle)).toBe(once)
    at(once)
    pace.throttled()
    expect(pace.gapMs(1250, middle)).toBe(once * COMPOUND_FACTOR) // refused again later: the first guess fell short
  })

  it('widens from the schedule when that is wider than the pace compounded', () => {
    const { pace, at } = paced()
    pace.throttled()
    pace.gapMs(1250, middle)
    at(60_000)
    pace.throttled()
    expect(pace.gapMs(8000, middle)).toBe(WIDEN_FACTOR * 8000)
  })

  it('never widens past MAX_PACE_MS, however long the account refuses', () => {
    const { pace, at } = paced()
    for (let t = 0; t < 600_000; t += MAX_PACE_MS) {
      at(t)
      pace.throttled()
      pace.gapMs(10_000, middle)
    }
    expect(pace.widenedMs()).toBe(MAX_PACE_MS)
    expect(pace.gapMs(10_000, () => 0.999)).toBeLessThan(MAX_PACE_MS * (1 + PACE_JITTER))
  })

  it('narrows by NARROW_BY with each answer, and the schedule takes over again once it is wider', () => {
    const { pace } = paced()
    pace.throttled()
    pace.gapMs(2000, middle)
    pace.answered()
    pace.answered()
    expect(pace.widenedMs()).toBeCloseTo(WIDEN_FACTOR * 2000 * (1 - NARROW_BY) ** 2, 6)
    expect(pace.gapMs(6000, middle)).toBe(6000)
  })

  it.each([
    { name: 'lowest', random: 0, gap: WIDEN_FACTOR * 2000 * (1 - PACE_JITTER) },
    { name: 'highest', random: 1, gap: WIDEN_FACTOR * 2000 * (1 + PACE_JITTER) },
  ])('draws a widened gap within ±PACE_JITTER of the pace: the $name draw', ({ random, gap }) => {
    const { pace } = paced()
    pace.throttled()
    expect(pace.gapMs(2000, () => random)).toBeCloseTo(gap, 6)
  })

  it('never draws a widened gap below the schedule', () => {
    const { pace } = paced()
    pace.throttled()
    pace.gapMs(2000, middle)
    for (let i = 0; i < 300; i++) pace.answered() // the pace narrowed to just above the schedule's next gap
    expect(pace.widenedMs()).toBeGreaterThan(1000)
    expect(pace.gapMs(1000, () => 0)).toBe(1000)
  })

  it.each([
    { name: 'at its shortest', random: 0, retry: WIDEN_FACTOR * 4000 * 0.25 },
    { name: 'at its longest', random: 1, retry: WIDEN_FACTOR * 4000 },
  ])('tries a refused round again within the pace just widened: $name', ({ random, retry }) => {
    const { pace } = paced()
    pace.throttled()
    expect(pace.retryMs(4000, () => random)).toBe(retry)
    expect(pace.widenedMs()).toBe(WIDEN_FACTOR * 4000)
  })

  it('never tries a refused round again within the same second', () => {
    const { pace } = paced()
    pace.throttled()
    expect(pace.retryMs(100, () => 0)).toBe(MIN_RETRY_MS)
  })
})
