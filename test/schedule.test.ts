// The default schedule, and the goals it is built for, on the real engine with a fake clock and instant answers
// (npm run bench prints the same simulation as a table, and measures against a real server).
import { describe, expect, it } from 'vitest'
import { callsPerMinute, lateness, simulateFlow } from '../scripts/lib/simulate.ts'
import { adaptiveSchedule } from '../src/wait/schedule.ts'

describe('adaptiveSchedule (the default)', () => {
  it.each([
    { elapsed: 0, gap: 1250 },
    { elapsed: 12_500, gap: 1250 },
    { elapsed: 15_000, gap: 1500 },
    { elapsed: 40_000, gap: 4000 },
    { elapsed: 100_000, gap: 10_000 },
    { elapsed: 3_600_000, gap: 10_000 },
  ])('after $elapsed ms waits $gap ms', ({ elapsed, gap }) => {
    expect(adaptiveSchedule(elapsed)).toBe(gap)
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
