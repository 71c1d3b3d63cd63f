import { describe, expect, it } from 'vitest'
import { fakeClock } from '../scripts/lib/fake-clock.ts'
import { fixedSchedule } from '../src/schedule.ts'
import { waitForPurchase, type PurchaseDeps } from '../src/purchase.ts'
import { ApiError } from '../src/tencent/errors.ts'

const trace = { action: 'x', host: 'h', latencyMs: 1 }
const notDelivered = () =>
  new ApiError('DescribeResourcesByDealName', 'InvalidParameterValue.DealNameNotFound', 'not yet', 'r-nf')

function setup(
  delivery: (n: number) => Error | { dealName: string; clusterId: string; instanceIds: string[] }[],
  statuses: (n: number) => Record<string, string>,
) {
  const clock = fakeClock(0)
  const lines: string[] = []
  let resolves = 0
  let lists = 0
  const deps: PurchaseDeps = {
    describeResources: async () => {
      const answer = delivery(resolves++)
      if (answer instanceof Error) throw answer
      return { value: answer, requestId: `r-res-${resolves}`, trace }
    },
    describeInstances: async (ids) => {
      const now = statuses(lists++)
      return {
        value: ids.filter((id) => id in now).map((id) => ({ instanceId: id, status: now[id] ?? '' })),
        requestId: `r-ins-${lists}`,
        trace,
      }
    },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    log: (l) => lines.push(l),
  }
  const options = { timeoutMs: 60_000, schedule: fixedSchedule(1000), signal: new AbortController().signal }
  return { clock, lines, deps, options }
}

const deal = [{ dealName: 'd1', clusterId: 'c1', instanceIds: ['i1', 'i2'] }]

describe('waitForPurchase', () => {
  it('retries a deal not yet delivered at the schedule, then waits until every instance runs', async () => {
    const { deps, options, lines } = setup(
      (n) => (n < 2 ? notDelivered() : deal),
      (n): Record<string, string> =>
        n === 0 ? { i1: 'creating' } : n === 1 ? { i1: 'running', i2: 'activating' } : { i1: 'running', i2: 'running' },
    )
    const outcome = await waitForPurchase(['d1'], options, deps)
    expect(outcome).toMatchObject({ end: 'done', polls: 6, elapsedMs: 4000, requestId: 'r-ins-3' })
    expect(outcome.instances).toEqual([
      { instanceId: 'i1', status: 'running' },
      { instanceId: 'i2', status: 'running' },
    ])
    expect(lines[0]).toMatch(/^Deal d1: not delivered yet after 0ms/)
    expect(lines).toContainEqual(expect.stringMatching(/^Deal d1: i1 creating, i2 not listed yet/))
  })

  it.each(['isolating', 'isolated', 'offlining', 'offlined'])(
    'fails at once when an instance is %s, naming it',
    async (status) => {
      const { deps, options } = setup(
        () => deal,
        () => ({ i1: 'creating', i2: status }),
      )
      const outcome = await waitForPurchase(['d1'], options, deps)
      expect(outcome).toMatchObject({ end: 'error', polls: 2, elapsedMs: 0 })
      expect(outcome.error?.message).toBe(
        `Instance i2 of deal d1 is ${status}, which it does not come back from on its own`,
      )
    },
  )

  it('times out still undelivered, naming DealNameNotFound', async () => {
    const { deps, options } = setup(notDelivered, () => ({}))
    const outcome = await waitForPurchase(['d1'], { ...options, timeoutMs: 3000 }, deps)
    expect(outcome).toMatchObject({ end: 'timeout', resources: undefined, requestId: 'r-nf' })
    expect((outcome.error as ApiError).code).toBe('InvalidParameterValue.DealNameNotFound')
  })

  it('ends at once on a final error', async () => {
    const { deps, options } = setup(
      () => new ApiError('DescribeResourcesByDealName', 'UnauthorizedOperation.PermissionDenied', 'no', 'r'),
      () => ({}),
    )
    const outcome = await waitForPurchase(['d1'], options, deps)
    expect(outcome).toMatchObject({ end: 'error', polls: 1 })
  })
})
