// A purchase: CreateClusters, AddInstances and other purchases answer with deal names, not a FlowId. The deals are
// resolved with DescribeResourcesByDealName, which answers DealNameNotFound until billing has delivered them and
// then one BillingResourceInfo per cluster (one deal may deliver several: CreateClusters with Count 2 answers two
// with the same DealName). Then each round lists every instance afresh with DescribeInstances, 100 a page, until
// every one runs; nothing seen in an earlier round counts in a later one.
import type { CallBudget, StepApi } from '../api.ts'
import { forLog } from '../foreign-text.ts'
import type { Probe, Reading, Row } from '../poll.ts'
import type { DealResources, InstanceState } from '../tencent/cynosdb.ts'
import { ApiError } from '../tencent/errors.ts'

/** Until billing has delivered a deal, DescribeResourcesByDealName answers this; the docs say to retry. */
export const DEAL_NOT_DELIVERED = 'InvalidParameterValue.DealNameNotFound'
/** The instance is ready. */
export const RUNNING = 'running'
/** Statuses an instance does not come back from to running on its own (the API model's comment lists them). */
export const LOST_STATUSES: ReadonlySet<string> = new Set(['isolating', 'isolated', 'offlining', 'offlined'])
/** DescribeInstances' largest page. */
export const INSTANCE_PAGE = 100
/** How many instances a log line names before it says how many more. */
const NAMED_IN_A_LINE = 10

export interface PurchaseProbe extends Probe {
  /** What the deals delivered, once they were: one entry per cluster, in the order of the deals. */
  readonly delivered: () => readonly DealResources[] | undefined
}

type Api = Pick<StepApi, 'describeResourcesByDealName' | 'describeInstances'>

export function purchaseProbe(dealNames: readonly string[], api: Api): PurchaseProbe {
  let resources: DealResources[] | undefined
  const deals = `Deal${dealNames.length > 1 ? 's' : ''} ${dealNames.join(', ')}`
  const undelivered = (): Reading => ({
    rows: dealNames.map((name) => ({ kind: 'deal', id: name, result: 'unknown', state: 'not delivered yet' })),
    line: `${deals}: not delivered yet`,
  })

  /** Every instance of every deal, listed afresh: the status of each in this round's answers, or none. */
  async function listInstances(call: CallBudget): Promise<{ statuses: Map<string, string>; requestId?: string }> {
    const instanceIds = [...new Set((resources ?? []).flatMap((r) => r.instanceIds))]
    const statuses = new Map<string, string>()
    let requestId: string | undefined
    // A page past the last of our instances can only come from a server that counts wrong: stop there.
    const pages = Math.ceil(instanceIds.length / INSTANCE_PAGE)
    for (let page = 0; page < pages; page++) {
      const answer = await api.describeInstances(
        { instanceIds, limit: INSTANCE_PAGE, offset: page * INSTANCE_PAGE },
        call,
      )
      requestId = answer.requestId ?? requestId
      for (const instance of answer.value.items as InstanceState[]) {
        // listed twice with two statuses (a server that contradicts itself): the worse one counts
        const before = statuses.get(instance.instanceId)
        if (before === undefined || rank(instance.status) > rank(before))
          statuses.set(instance.instanceId, instance.status)
      }
      if ((page + 1) * INSTANCE_PAGE >= answer.value.total || answer.value.items.length === 0) break
    }
    return { statuses, requestId }
  }

  return {
    name: deals,
    rows: undelivered().rows,
    delivered: () => resources,
    async check(call) {
      let requestId: string | undefined
      if (resources === undefined) {
        try {
          const answer = await api.describeResourcesByDealName(dealNames, call)
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
      const listed = await listInstances(call)
      const rows: Row[] = resources.flatMap((cluster) =>
        cluster.instanceIds.map((instanceId): Row => {
          const status = listed.statuses.get(instanceId)
          const lost = status !== undefined && LOST_STATUSES.has(status)
          return {
            kind: 'instance',
            id: instanceId,
            result:
              status === RUNNING ? 'succeeded' : lost ? 'failed' : status === undefined ? 'unknown' : 'processing',
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

/** How bad an instance's status is: lost over on its way over running. */
const rank = (status: string): number => (LOST_STATUSES.has(status) ? 2 : status === RUNNING ? 0 : 1)

/** `every instance running`, or the instances not running yet with their status, at most ten named. */
function instancesLine(rows: readonly Row[]): string {
  const waiting = rows.filter((row) => row.result !== 'succeeded')
  if (waiting.length === 0) return `every instance running (${rows.length})`
  const named = waiting.slice(0, NAMED_IN_A_LINE).map((row) => `${forLog(row.id)} ${forLog(row.state)}`)
  const more = waiting.length - named.length
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}; ${rows.length - waiting.length} of ${rows.length} running`
}
