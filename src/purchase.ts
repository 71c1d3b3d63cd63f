// Waiting for a purchase: CreateClusters and AddInstances answer with deal names, not a FlowId. The deals are
// resolved to their cluster and instances with DescribeResourcesByDealName (which answers DealNameNotFound until
// billing has delivered them), then the instances are polled with DescribeInstances until every one is running.
// Clock, sleep and randomness come in as parameters, as in wait.ts.
import { formatDuration } from './duration.ts'
import { forLog } from './foreign-text.ts'
import { answeredRequestId, createRetryTracker } from './retry.ts'
import type { Schedule } from './schedule.ts'
import type { DealResources, InstanceState, Traced } from './tencent/cynosdb.ts'
import { ApiError } from './tencent/errors.ts'
import { StopWaiting, type DescribeFlowCall as Call, type WaitEnd, type WaitRecord } from './wait.ts'

/** Until billing has delivered a deal, DescribeResourcesByDealName answers this; the docs say to retry. */
export const DEAL_NOT_DELIVERED = 'InvalidParameterValue.DealNameNotFound'
/** The instance is ready. */
export const RUNNING = 'running'
/** Statuses an instance does not come back from to running on its own (cynosdb_models.d.ts lists them). */
export const LOST_STATUSES: ReadonlySet<string> = new Set(['isolating', 'isolated', 'offlining', 'offlined'])

export interface PurchaseDeps {
  readonly describeResources: (dealNames: readonly string[], call: Call) => Promise<Traced<DealResources[]>>
  readonly describeInstances: (instanceIds: readonly string[], call: Call) => Promise<Traced<InstanceState[]>>
  readonly now: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly random: () => number
  readonly log: (message: string) => void
}

export interface PurchaseOptions {
  readonly timeoutMs: number
  readonly schedule: Schedule
  readonly signal: AbortSignal
  readonly startedAt?: number
}

export interface PurchaseOutcome extends WaitRecord {
  readonly dealNames: readonly string[]
  /** Per deal, in the order given; undefined until every deal was delivered. */
  readonly resources: readonly DealResources[] | undefined
  /** Every instance of every deal, in order, with its last known status (undefined: not seen yet). */
  readonly instances: readonly { readonly instanceId: string; readonly status: string | undefined }[]
}

export async function waitForPurchase(
  dealNames: readonly string[],
  options: PurchaseOptions,
  deps: PurchaseDeps,
): Promise<PurchaseOutcome> {
  const { signal } = options
  const start = options.startedAt ?? deps.now()
  const deadline = start + options.timeoutMs
  let resources: DealResources[] | undefined
  let statuses = new Map<string, string>()
  let requestId: string | undefined
  let polls = 0
  const retries = createRetryTracker(deps.random)
  let lastLine = ''
  const deals = dealNames.join(', ')

  const instances = (): PurchaseOutcome['instances'] =>
    (resources ?? [])
      .flatMap((r) => r.instanceIds)
      .map((instanceId) => ({ instanceId, status: statuses.get(instanceId) }))
  const finish = (end: WaitEnd, error?: Error): PurchaseOutcome => ({
    dealNames,
    resources,
    instances: instances(),
    requestId,
    polls,
    elapsedMs: deps.now() - start,
    end,
    error,
    stoppedBy: end === 'stopped' && signal.reason instanceof StopWaiting ? signal.reason.byFlowId : undefined,
  })
  const aborted = (): PurchaseOutcome => finish(signal.reason instanceof StopWaiting ? 'stopped' : 'cancelled')
  const say = (line: string): void => {
    if (line !== lastLine) deps.log(`${line} after ${formatDuration(deps.now() - start)} (${polls} calls)`)
    lastLine = line
  }

  for (;;) {
    const pollAt = deps.now()
    let nextAt = pollAt + options.schedule(pollAt - start)
    try {
      const call = { signal, notAfter: deadline }
      if (resources === undefined) {
        const answer = await deps.describeResources(dealNames, call)
        polls += 1
        requestId = answer.requestId
        const byDeal = new Map(answer.value.map((r) => [r.dealName, r]))
        const found = dealNames.map((name) => byDeal.get(name))
        if (found.every((r) => r !== undefined && r.instanceIds.length > 0)) {
          resources = found as DealResources[]
          say(
            `Deal ${deals}: delivered, instances ${instances()
              .map((i) => forLog(i.instanceId))
              .join(', ')}`,
          )
          retries.succeeded()
          continue // the instances are asked about at once
        } else {
          say(`Deal ${deals}: not delivered yet`)
        }
      } else {
        const ids = instances().map((i) => i.instanceId)
        const answer = await deps.describeInstances(ids, call)
        polls += 1
        requestId = answer.requestId
        statuses = new Map([...statuses, ...answer.value.map((i): [string, string] => [i.instanceId, i.status])])
        const lost = instances().find((i) => i.status !== undefined && LOST_STATUSES.has(i.status))
        if (lost) {
          const message = `Instance ${forLog(lost.instanceId)} of deal ${deals} is ${forLog(lost.status ?? '')}, which it does not come back from on its own`
          return finish('error', new Error(message))
        }
        const waiting = instances().filter((i) => i.status !== RUNNING)
        if (waiting.length === 0) {
          say(`Deal ${deals}: every instance running`)
          return finish('done')
        }
        say(
          `Deal ${deals}: ${waiting.map((i) => `${forLog(i.instanceId)} ${i.status === undefined ? 'not listed yet' : forLog(i.status)}`).join(', ')}`,
        )
      }
      retries.succeeded()
    } catch (caught) {
      const now = deps.now()
      if (caught instanceof ApiError && caught.code === DEAL_NOT_DELIVERED && !signal.aborted) {
        // billing has not delivered the deal yet: poll again at the schedule
        polls += 1
        requestId = caught.requestId ?? requestId
        retries.expected(caught)
        say(`Deal ${deals}: not delivered yet`)
      } else {
        const next = retries.failed(caught, { aborted: signal.aborted, now, deadline })
        if (next.kind === 'aborted') {
          if (next.sent) polls += 1
          return aborted()
        }
        if (next.kind === 'deadline') return finish('timeout', retries.lastError())
        polls += 1
        requestId = answeredRequestId(next.error) ?? requestId
        if (next.kind === 'final') return finish('error', next.error)
        if (next.kind === 'past-deadline') return finish('timeout', next.error)
        if (!next.clockCorrection) {
          deps.log(
            `Deal ${deals}: call ${polls} failed (${retries.inARow()} in a row): ${next.error.message}; retrying in ${formatDuration(next.delayMs)}`,
          )
        }
        nextAt = now + next.delayMs
      }
    }
    const now = deps.now()
    if (now >= deadline) return finish('timeout', retries.lastError())
    try {
      await deps.sleep(Math.max(0, Math.min(nextAt, deadline) - now), signal)
    } catch {
      return aborted()
    }
  }
}
