// Purchases: DescribeResourcesByDealName (what a deal delivered, once billing is done) and DescribeInstances (the
// instances with a Status plan, moving on once per answer that lists them).
import type { Handler } from './context.ts'
import { page, passes, unknownFilter, type QueryFilter } from './filters.ts'
import { nth, PlanError, type ClusterPlan, type DealPlan, type FakeTencentOptions } from './plans.ts'

/**
 * DescribeInstances's filters: the names QueryFilter documents (ClusterId, InstanceId, InstanceName, not
 * case-sensitive) and `status`, which the documented DescribeInstances example uses. Filters are ANDed
 * ("Filter间的关系为逻辑与"); InstanceName matches by substring unless ExactMatch.
 */
const INSTANCE_FILTERS = ['clusterid', 'instanceid', 'instancename', 'status']
const INSTANCE_FUZZY = new Set(['instancename'])
/** DescribeInstancesRequest.Limit: "默认为 20" (its range, (0,100], is checked with the model). */
const DEFAULT_INSTANCE_LIMIT = 20
/** CynosdbInstance.Status's documented values (the model's comment lists nine; DescribeInstancesRequest's seven). */
const INSTANCE_STATUSES = new Set([
  'creating',
  'running',
  'isolating',
  'isolated',
  'activating',
  'offlining',
  'offlined',
  'deleting',
  'deleted',
])

/** A deal's clusters, whichever way it was given; a plan the stand-in cannot play throws PlanError. */
function clustersOf(deal: DealPlan): readonly ClusterPlan[] {
  const clusters = 'clusters' in deal ? deal.clusters : [deal]
  const fine =
    Array.isArray(clusters) &&
    clusters.length > 0 &&
    clusters.every(
      (c) =>
        typeof c.clusterId === 'string' &&
        Array.isArray(c.instanceIds) &&
        c.instanceIds.every((id: unknown) => typeof id === 'string'),
    )
  if (!fine) throw new PlanError(`deals: ${JSON.stringify(deal)} is not {clusters: [{clusterId, instanceIds}]}`)
  return clusters
}

/** DescribeResourcesByDealName: DealNameNotFound until a deal is delivered, then one BillingResourceInfo a cluster. */
export function describeResourcesByDealName(options: FakeTencentOptions): Handler {
  const deals = new Map(Object.entries(options.deals ?? {}).map(([name, deal]) => [name, clustersOf(deal)]))
  return (standIn, { params }) => {
    // "DealName与DealNames至少应输入一项，两者都传时以DealName为准": one of them, DealName first. Which error
    // the API gives when both are missing is not documented.
    const names = params.DealName !== undefined ? [params.DealName as string] : ((params.DealNames ?? []) as string[])
    if (names.length === 0)
      return { error: 'MissingParameter', message: 'The request is missing a required parameter `DealName`.' }
    const infos = []
    for (const name of names) {
      const clusters = deals.get(name)
      if (!clusters || standIn.count(`deal ${name}`) < (options.deals?.[name]?.deliveredAfter ?? 0))
        return { error: 'InvalidParameterValue.DealNameNotFound', message: `deal ${name} not found` }
      for (const c of clusters) infos.push({ DealName: name, ClusterId: c.clusterId, InstanceIds: c.instanceIds })
    }
    return { answer: 'delivered', response: { BillingResourceInfos: infos } }
  }
}

/** The instances DescribeInstances lists: those with a non-empty Status plan of documented statuses. */
function instancesOf(options: FakeTencentOptions): [string, readonly string[]][] {
  const instances = Object.entries(options.instances ?? {})
  for (const [id, plan] of instances) {
    if (!Array.isArray(plan) || !plan.every((status) => INSTANCE_STATUSES.has(status)))
      throw new PlanError(`instances ${JSON.stringify(id)}: statuses are ${[...INSTANCE_STATUSES].join(', ')}`)
  }
  return instances.filter(([, plan]) => plan.length > 0)
}

/**
 * DescribeInstances: every parameter optional, as the model has them. Lists the instances that have a plan, in
 * the plan's order (the API's default order is not documented), through InstanceIds, Status and Filters, a page
 * at a time. DbType, ClusterType, OrderBy and OrderByType are accepted and not modelled.
 */
export function describeInstances(options: FakeTencentOptions): Handler {
  const instances = instancesOf(options)
  const clusterOf = new Map(
    Object.values(options.deals ?? {}).flatMap((deal) =>
      clustersOf(deal).flatMap((cluster) => cluster.instanceIds.map((id) => [id, cluster.clusterId] as const)),
    ),
  )
  return (standIn, { params }) => {
    const filters = (params.Filters ?? []) as readonly QueryFilter[]
    const refused = unknownFilter(filters, INSTANCE_FILTERS)
    if (refused) return refused
    // an empty InstanceIds list is taken as no list (not documented either way)
    const wanted = (params.InstanceIds ?? []) as readonly string[]
    const { limit, offset } = page(params, DEFAULT_INSTANCE_LIMIT)
    const status = (id: string, plan: readonly string[]): string => nth(plan, standIn.counted(`instance ${id}`)) ?? ''
    const matching = instances.filter(([id, plan]) => {
      if (wanted.length > 0 && !wanted.includes(id)) return false
      if (params.Status !== undefined && status(id, plan) !== params.Status) return false
      const fields = new Map([
        ['clusterid', clusterOf.get(id) ?? ''],
        ['instanceid', id],
        ['status', status(id, plan)],
      ])
      return passes(filters, fields, INSTANCE_FUZZY)
    })
    const set = matching.slice(offset, offset + limit).map(([id, plan]) => {
      const info = { InstanceId: id, ClusterId: clusterOf.get(id), Status: status(id, plan) }
      standIn.count(`instance ${id}`) // its status moves on once listed
      return info
    })
    return {
      answer: `instances ${set.map((i) => i.Status).join(',')}`,
      response: { TotalCount: matching.length, InstanceSet: set },
    }
  }
}
