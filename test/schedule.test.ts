// The default schedule, and the goals it is built for, on the real engine with a fake clock and instant answers
// (npm run bench prints the same simulation as a table, and measures against a real server).
import { describe, expect, it } from 'vitest'
import { callsPerMinute, lateness, simulateFlow } from '../scripts/lib/simulate.ts'
import { adaptiveSchedule, drawGapMs, fixedSchedule, SCHEDULE_JITTER } from '../src/wait/schedule.ts'

describe('adaptiveSchedule (the default)', () => {
  it.each([
    { elapsed: 0, gap: 1250 },
    { elapsed: 12_500, gap: 1250 },
    { elapsed: 15_000, gap: 1500 },
    { elapsed: 40_000, gap: 4000 },
    { elapsed: 100_000, gap: 10_000 },
    { elapsed: 3_600_000, gap: 10_000 },
  ])('after $elapsed ms waits $gap ms', ({ elapsed, gap }) => {
    expect(adaptiveSchedule.gapMs(elapsed)).toBe(gap)
  })

  it.each([
    { name: '0.1 to 2 s', from: 100, to: 2000 },
    { name: '2 to 20 s', from: 2000, to: 20_000 },
    { name: '20 s to 2 min', from: 20_000, to: 120_000 },
    { name: '2 to 20 min', from: 120_000, to: 1_200_000 },
  ])('sees a flow of $name at most max(1.5 s, 10%) late, wherever between two polls it ends', async ({ from, to }) => {
    expect((await lateness(from, to, adaptiveSchedule, 100)).metGoal).toBe(true)
  })

  it('sees a 7 s flow within 1.5 s in at most 10 calls', async () => {
    const { lateMs, requests: calls } = await simulateFlow(7000, adaptiveSchedule)
    expect(lateMs).toBeLessThanOrEqual(1500)
    expect(calls).toBeLessThanOrEqual(10)
  })

  it('costs at most 6 calls a minute on a long flow', async () => {
    expect(await callsPerMinute(adaptiveSchedule)).toBeLessThanOrEqual(6)
  })
})

describe('drawGapMs: every gap drawn, never past what the schedule promises', () => {
  it.each([
    { name: 'the middle draw: the schedule itself', elapsed: 40_000, random: 0.5, gap: 4000 },
    { name: 'the lowest draw', elapsed: 40_000, random: 0, gap: 4000 * (1 - SCHEDULE_JITTER) },
    { name: 'a high draw early: held at the promise of 1.25 s', elapsed: 0, random: 1, gap: 1250 },
    { name: 'a high draw at the ceiling: up to 10% of the elapsed time', elapsed: 3_600_000, random: 1, gap: 11_000 },
    { name: 'a high draw where the ceiling is the promise', elapsed: 100_000, random: 1, gap: 10_000 },
  ])('adaptive: $name', ({ elapsed, random, gap }) => {
    expect(drawGapMs(adaptiveSchedule, elapsed, () => random)).toBeCloseTo(gap, 6)
  })

  it.each([
    { name: 'lowest', random: 0, gap: 5000 * (1 - SCHEDULE_JITTER) },
    { name: 'highest', random: 1, gap: 5000 * (1 + SCHEDULE_JITTER) },
  ])('poll-interval: about the gap chosen, the $name draw', ({ random, gap }) => {
    expect(drawGapMs(fixedSchedule(5000), 0, () => random)).toBeCloseTo(gap, 6)
  })

  it('meets the goal of max(1.5 s, 10%) whatever the draw, wherever the flow ends', async () => {
    for (const random of [0, 0.3, 0.99]) {
      expect((await lateness(2000, 200_000, adaptiveSchedule, 100, () => random)).metGoal).toBe(true)
    }
  })
})
