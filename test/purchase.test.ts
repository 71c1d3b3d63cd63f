// The purchase probe round by round: delivery, several clusters per deal, a fresh listing each round, paging.
import { describe, expect, it } from 'vitest'
import type { StepApi } from '../src/api.ts'
import { PAGE } from '../src/probes/pages.ts'
import { purchaseProbe } from '../src/probes/purchase.ts'
import type { DealResources } from '../src/tencent/cynosdb.ts'
import { ApiError } from '../src/tencent/errors.ts'

const trace = { action: 'x', host: 'h', latencyMs: 1 }
const notDelivered = () =>
  new ApiError('DescribeResourcesByDealName', 'InvalidParameterValue.DealNameNotFound', 'not yet', 'r-nf')

/** A purchase against answers given per call: the deals' resources, then instance statuses per listing. */
function setup(delivery: (n: number) => Error | DealResources[], statuses: (n: number) => Record<string, string>) {
  const listings: { instanceIds: readonly string[]; offset: number }[] = []
  let resolves = 0
  let rounds = 0
  const api: Pick<StepApi, 'describeResourcesByDealName' | 'describeInstances'> = {
    describeResourcesByDealName: async (_names, budget) => {
      budget.sent?.()
      const answer = delivery(resolves++)
      if (answer instanceof Error) throw answer
      return { value: answer, requestId: `r-res-${resolves}`, trace }
    },
    describeInstances: async (query, budget) => {
      budget.sent?.()
      listings.push({ instanceIds: query.instanceIds, offset: query.offset })
      if (query.offset === 0) rounds += 1
      const now = statuses(rounds - 1)
      const listed = query.instanceIds.filter((id) => id in now)
      const items = listed
        .slice(query.offset, query.offset + query.limit)
        .map((id) => ({ instanceId: id, status: now[id] ?? '' }))
      return { value: { items, total: listed.length }, requestId: `r-ins-${listings.length}`, trace }
    },
  }
  return { api, listings }
}

const budget = { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY }

describe('the purchase probe', () => {
  it('reads a deal not yet delivered, then its instances at once, until all run', async () => {
    const { api } = setup(
      (n) => (n === 0 ? notDelivered() : [{ dealName: 'd1', clusterId: 'c1', instanceIds: ['i1', 'i2'] }]),
      (n): Record<string, string> => [{ i1: 'creating' }, { i1: 'running', i2: 'running' }][n] ?? {},
    )
    const probe = purchaseProbe(['d1'], api)
    const first = await probe.check(budget)
    expect(first).toMatchObject({ line: 'Deal d1: not delivered yet', requestId: 'r-nf' })
    expect(first.rows).toEqual([{ kind: 'deal', id: 'd1', result: 'unknown', state: 'not delivered yet' }])
    const second = await probe.check(budget)
    expect(second.rows.map((r) => [r.id, r.result, r.state, r.parent])).toEqual([
      ['i1', 'processing', 'creating', 'c1'],
      ['i2', 'unknown', 'not listed yet', 'c1'],
    ])
    expect(second.line).toBe('Deal d1: i1 creating, i2 not listed yet; 0 of 2 running')
    const third = await probe.check(budget)
    expect(third.rows.every((r) => r.result === 'succeeded')).toBe(true)
    expect(third.line).toBe('Deal d1: every instance running (2)')
    expect(third.rows.map((r) => [r.kind, r.id, r.parent])).toEqual([
      ['instance', 'i1', 'c1'],
      ['instance', 'i2', 'c1'],
    ])
  })

  it('waits for every cluster of a deal that delivered several, as in the documented example', async () => {
    const { api } = setup(
      () => [
        { dealName: 'd1', clusterId: 'c1', instanceIds: ['i1'] },
        { dealName: 'd1', clusterId: 'c2', instanceIds: ['i2'] },
      ],
      () => ({ i1: 'running', i2: 'creating' }),
    )
    const probe = purchaseProbe(['d1'], api)
    const reading = await probe.check(budget)
    expect(reading.rows.map((r) => [r.id, r.parent, r.result])).toEqual([
      ['i1', 'c1', 'succeeded'],
      ['i2', 'c2', 'processing'],
    ])
  })

  it('sees each round afresh: an instance running once and then missing is not running', async () => {
    const { api } = setup(
      () => [{ dealName: 'd1', clusterId: 'c1', instanceIds: ['i1', 'i2'] }],
      (n): Record<string, string> => [{ i1: 'running', i2: 'creating' }, { i2: 'running' }][n] ?? {},
    )
    const probe = purchaseProbe(['d1'], api)
    await probe.check(budget)
    const second = await probe.check(budget)
    expect(second.rows.map((r) => [r.id, r.result])).toEqual([
      ['i1', 'unknown'],
      ['i2', 'succeeded'],
    ])
  })

  it('pages through every instance, 100 a page, each round', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `i${i}`)
    const { api, listings } = setup(
      () => [{ dealName: 'd1', clusterId: 'c1', instanceIds: ids }],
      () => Object.fromEntries(ids.map((id) => [id, 'running'])),
    )
    const reading = await purchaseProbe(['d1'], api).check(budget)
    expect(listings.map((l) => l.offset)).toEqual([0, PAGE, 2 * PAGE])
    expect(reading.rows.every((r) => r.result === 'succeeded')).toBe(true)
  })

  it('fails an instance that is lost, naming its status', async () => {
    const { api } = setup(
      () => [{ dealName: 'd1', clusterId: 'c1', instanceIds: ['i1'] }],
      () => ({ i1: 'isolated' }),
    )
    const reading = await purchaseProbe(['d1'], api).check(budget)
    expect(reading.rows[0]).toMatchObject({
      result: 'failed',
      state: 'isolated',
      cause: 'is isolated, which it does not come back from on its own',
    })
  })

  it('waits while one of several deals is not delivered, and names at most ten instances in a line', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `i${i}`)
    const { api } = setup(
      (n) =>
        n === 0
          ? [{ dealName: 'd1', clusterId: 'c1', instanceIds: ['i1'] }]
          : [
              { dealName: 'd1', clusterId: 'c1', instanceIds: many.slice(0, 6) },
              { dealName: 'd2', clusterId: 'c2', instanceIds: many.slice(6) },
            ],
      () => ({}),
    )
    const probe = purchaseProbe(['d1', 'd2'], api)
    expect((await probe.check(budget)).line).toBe('Deals d1, d2: not delivered yet')
    const line = (await probe.check(budget)).line
    expect(line).toMatch(/^Deals d1, d2: i0 not listed yet, .*i9 not listed yet and 2 more; 0 of 12 running$/)
  })

  it('does not count a deal as delivered while one of its clusters names no instance', async () => {
    const { api } = setup(
      (n) => [
        { dealName: 'd1', clusterId: 'c1', instanceIds: ['i1'] },
        { dealName: 'd1', clusterId: 'c2', instanceIds: n === 0 ? [] : ['i2'] },
      ],
      () => ({ i1: 'running', i2: 'creating' }),
    )
    const probe = purchaseProbe(['d1'], api)
    expect((await probe.check(budget)).line).toBe('Deal d1: not delivered yet')
    expect((await probe.check(budget)).rows.map((r) => [r.id, r.result])).toEqual([
      ['i1', 'succeeded'],
      ['i2', 'processing'],
    ])
  })

  it('takes the worse status of an instance the answer lists twice', async () => {
    const { api } = setup(
      () => [{ dealName: 'd1', clusterId: 'c1', instanceIds: ['i1'] }],
      () => ({ i1: 'running' }),
    )
    const twice: typeof api = {
      ...api,
      describeInstances: async (query, budget) => {
        budget.sent?.()
        const items = [
          { instanceId: 'i1', status: 'isolated' },
          { instanceId: 'i1', status: 'running' },
        ]
        return { value: { items, total: 2 }, requestId: 'r', trace }
      },
    }
    expect((await purchaseProbe(['d1'], twice).check(budget)).rows[0]).toMatchObject({
      result: 'failed',
      state: 'isolated',
    })
  })

  it('passes other errors to the engine', async () => {
    const denied = new ApiError('DescribeResourcesByDealName', 'UnauthorizedOperation.PermissionDenied', 'no', 'r')
    const { api } = setup(
      () => denied,
      () => ({}),
    )
    await expect(purchaseProbe(['d1'], api).check(budget)).rejects.toBe(denied)
  })
})
