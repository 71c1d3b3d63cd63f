// The step's access to CynosDB: the signing keys (credentials.ts), one CynosDB client (tencent/cynosdb.ts), and the
// transport every request shares (transport.ts: deadline, cancellation, rate limit, count, unreachable hosts).
// Probes and the task details ask through it with a budget; nothing else here knows keys or timeouts.
import type { RequestBudget } from './budget.ts'
import { stepKeys } from './credentials.ts'
import { formatDuration } from './duration.ts'
import type { RequestTrace } from './http.ts'
import type { Inputs } from './inputs/index.ts'
import { createCynosdbClient, type CynosdbClient, type RequestOptions } from './tencent/cynosdb.ts'
import type { Transport } from './transport.ts'

/** Each request of the CynosDB client, given a budget instead of keys and a timeout. */
type Requests = {
  readonly [K in Exclude<keyof CynosdbClient, 'send'>]: (
    arg: Parameters<CynosdbClient[K]>[0],
    budget: RequestBudget,
  ) => ReturnType<CynosdbClient[K]>
}

export type StepApi = Requests & {
  /** The change of the `call` input: the action, its JSON as given. */
  readonly send: (action: string, payload: string, budget: RequestBudget) => ReturnType<CynosdbClient['send']>
  /** The keys, fetched if they must be (keyless auth), before a change is sent: a read of its own. */
  readonly ready: (budget: RequestBudget) => Promise<void>
  /** A Describe action whose answer a probe judges itself (probes/status.ts). */
  readonly read: (action: string, payload: string, budget: RequestBudget) => ReturnType<CynosdbClient['send']>
  /** Where the keys came from, for the log (never the keys). */
  readonly credentials: string
}

export interface StepApiOptions {
  readonly transport: Transport
  /** The monotonic clock the key refresh is scheduled on. */
  readonly now: () => number
  readonly mask: (secret: string) => void
  readonly log: (message: string) => void
}

export function createStepApi(
  inputs: Pick<Inputs, 'credentials' | 'endpoint' | 'region'>,
  options: StepApiOptions,
): StepApi {
  const { transport } = options
  const keys = stepKeys(inputs.credentials, {
    transport,
    region: inputs.region,
    mask: options.mask,
    now: options.now,
    wallNow: Date.now,
  })
  const client = createCynosdbClient({
    endpoint: inputs.endpoint,
    region: inputs.region,
    dispatcher: transport.dispatcher,
    now: Date.now, // signing needs wall-clock time; waiting uses the monotonic clock
    onClockCorrected: (skewMs) =>
      options.log(
        `The runner's clock is ${formatDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'behind' : 'ahead of'} Tencent Cloud's; signing with the server's time`,
      ),
  })
  /** One CynosDB request: keys first (they may need STS), then the transport's slot and deadline. */
  const cynosdb = async <T extends { trace: RequestTrace }>(
    budget: RequestBudget,
    send: (options: RequestOptions) => Promise<T>,
  ): Promise<T> => {
    const credentials = await keys.get(budget)
    return transport.tencent(inputs.endpoint.host, budget, (signal, timeoutMs) =>
      send({ signal, timeoutMs, credentials }),
    )
  }
  return {
    credentials: keys.description,
    ready: async (budget) => {
      await keys.get(budget)
    },
    describeFlow: (flowId, budget) => cynosdb(budget, (o) => client.describeFlow(flowId, o)),
    describeTasks: (query, budget) => cynosdb(budget, (o) => client.describeTasks(query, o)),
    describeResourcesByDealName: (names, budget) =>
      cynosdb(budget, (o) => client.describeResourcesByDealName(names, o)),
    describeInstances: (query, budget) => cynosdb(budget, (o) => client.describeInstances(query, o)),
    send: (action, payload, budget) => cynosdb(budget, (o) => client.send(action, payload, o)),
    read: (action, payload, budget) => cynosdb(budget, (o) => client.send(action, payload, o)),
  }
}
