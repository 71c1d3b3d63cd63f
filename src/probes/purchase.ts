// A purchase: CreateClusters, AddInstances and other purchases answer with deal names, not a FlowId. The deals are
// resolved with DescribeResourcesByDealName, which answers DealNameNotFound until billing has delivered them and
// then one BillingResourceInfo per cluster (one deal may deliver several: the API's documented example answers two
// with the same DealName). Then each round lists every instance afresh with DescribeInstances, 100 a page, until
// every one runs; nothing seen in an earlier round counts in a later one.
import type { StepApi } from '../api.ts'
import type { RequestBudget } from '../budget.ts'
import { forLog } from '../foreign-text.ts'
import type { DealResources } from '../tencent/cynosdb.ts'
import { ApiError } from '../tencent/errors.ts'
import { INSTANCE_STATUSES } from '../tencent/meaning.ts'
import type { Probe, Reading, Result, Row } from '../wait/probe.ts'
import { isWorse } from '../wait/verdict.ts'
import { readPages, PAGE } from './pages.ts'
import { plural } from '../words.ts'

/** Until billing has delivered a deal, DescribeResourcesByDealName answers this; the docs say to retry. */
export const DEAL_NOT_DELIVERED = 'InvalidParameterValue.DealNameNotFound'
/** How many instances a log line names before it says how many more. */
const NAMED_IN_A_LINE = 10

type Api = Pick<StepApi, 'describeResourcesByDealName' | 'describeInstances'>

/** Its rows: one per deal until billing delivers them, then one per instance with its cluster as `parent`. */
export function purchaseProbe(dealNames: readonly string[], api: Api): Probe {
  let resources: DealResources[] | undefined
  const deals = `${plural(dealNames.length, 'Deal')} ${dealNames.join(', ')}`
  const undelivered = (): Reading => ({
    rows: dealNames.map((name) => ({ kind: 'deal', id: name, result: 'unknown', state: 'not delivered yet' })),
    line: `${deals}: not delivered yet`,
  })

  /** Every instance of every deal, listed afresh: the status of each in this round's answers, or none. */
  async function listInstances(budget: RequestBudget): Promise<{ statuses: Map<string, string>; requestId?: string }> {
    const instanceIds = [...new Set((resources ?? []).flatMap((r) => r.instanceIds))]
    const listed = await readPages(
      (page) => api.describeInstances({ instanceIds, ...page }, budget),
      Math.ceil(instanceIds.length / PAGE),
    )
    const statuses = new Map<string, string>()
    for (const instance of listed.items) {
      // listed twice with two statuses (a server that contradicts itself): the worse one counts
      const before = statuses.get(instance.instanceId)
      if (before === undefined || isWorse(resultOf(instance.status), resultOf(before)))
        statuses.set(instance.instanceId, instance.status)
    }
    return { statuses, requestId: listed.requestId }
  }

  return {
    name: deals,
    rows: undelivered().rows,
    async check(budget) {
      let requestId: string | undefined
      if (resources === undefined) {
        try {
          const answer = await api.describeResourcesByDealName(dealNames, budget)
          requestId = answer.requestId
          // delivered when every deal names its clusters, and every cluster its instances
          const found = dealNames.map((name) => answer.value.filter((r) => r.dealName === name))
          if (!found.every((clusters) => clusters.length > 0 && clusters.every((r) => r.instanceIds.length > 0))) {
            return { ...undelivered(), requestId }
          }
          resources = found.flat() // every cluster of every deal, in the order of the deals
        } catch (error) {
          // billing has not delivered the deals yet: asked again at the schedule
          if (error instanceof ApiError && error.code === DEAL_NOT_DELIVERED) {
            return { ...undelivered(), requestId: error.requestId }
          }
          throw error
        }
      }
      // delivered (now or earlier): the instances are asked about at once
      const listed = await listInstances(budget)
      const rows: Row[] = resources.flatMap((cluster) =>
        cluster.instanceIds.map((instanceId): Row => {
          const status = listed.statuses.get(instanceId)
          const lost = status !== undefined && resultOf(status) === 'failed'
          return {
            kind: 'instance',
            id: instanceId,
            result: status === undefined ? 'unknown' : resultOf(status),
            state: status ?? 'not listed yet',
            cause: lost ? `is ${status}, which it does not come back from on its own` : undefined,
            parent: cluster.clusterId || undefined,
          }
        }),
      )
      return { rows, line: `${deals}: ${instancesLine(rows)}`, requestId: listed.requestId ?? requestId }
    },
  }
}

/** What an instance's status says: running, lost, or on its way (meaning.ts); one the model does not list waits. */
const resultOf = (status: string): Result =>
  Object.hasOwn(INSTANCE_STATUSES, status) ? INSTANCE_STATUSES[status as keyof typeof INSTANCE_STATUSES] : 'processing'

/** `every instance running`, or the instances not running yet with their status, at most ten named. */
function instancesLine(rows: readonly Row[]): string {
  const waiting = rows.filter((row) => row.result !== 'succeeded')
  if (waiting.length === 0) return `every instance running (${rows.length})`
  const named = waiting.slice(0, NAMED_IN_A_LINE).map((row) => `${forLog(row.id)} ${forLog(row.state)}`)
  const more = waiting.length - named.length
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}; ${rows.length - waiting.length} of ${rows.length} running`
}
