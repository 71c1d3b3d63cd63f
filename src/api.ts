// The step's access to the CynosDB API: credentials (static or OIDC), one signed client, one rate limiter that
// every request passes, one deadline per request that never reaches past timeout + request-timeout, and the
// count of requests sent (the `polls` output).
import * as core from '@actions/core'
import type { Dispatcher } from 'undici'
import { resolveCredentials } from './credentials.ts'
import type { Inputs } from './inputs.ts'
import { createRateLimiter, DESCRIBE_FLOW_RATE } from './limiter.ts'
import { callApi } from './tencent/client.ts'
import { createCynosdbClient, type CallOptions, type CynosdbClient } from './tencent/cynosdb.ts'
import type { DescribeFlowCall } from './wait.ts'

/** Each CynosDB call of the client, through the limiter: it rejects with DeadlineError past `notAfter`. */
export type StepApi = {
  readonly [K in keyof CynosdbClient]: (
    arg: Parameters<CynosdbClient[K]>[0],
    call: DescribeFlowCall,
  ) => ReturnType<CynosdbClient[K]>
} & {
  /** Where the keys came from, for the log (never the keys). */
  readonly credentials: string
  /** CynosDB requests sent so far. */
  readonly requests: () => number
}

export interface StepApiOptions {
  readonly dispatcher: Dispatcher
  readonly cancelled: AbortSignal
  /** The monotonic clock, and when the step began on it. */
  readonly now: () => number
  readonly startedAt: number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly log: (message: string) => void
}

export function createStepApi(inputs: Inputs, options: StepApiOptions): StepApi {
  const { dispatcher, now } = options
  // No request may run past timeout + request-timeout: the last call starts at the timeout at the latest.
  const hardEnd = options.startedAt + inputs.timeoutMs + inputs.requestTimeoutMs
  const requestBudget = (): number => Math.max(1, Math.min(inputs.requestTimeoutMs, hardEnd - now()))
  // Resolving credentials masks them, so it comes before the first line the step logs.
  const credentials = resolveCredentials(inputs, {
    env: process.env,
    mask: (secret) => core.setSecret(secret),
    getIDToken: (audience) => core.getIDToken(audience),
    callSts: async (call) => {
      const sts = { endpoint: inputs.stsEndpoint, service: 'sts', version: '2018-08-13', region: inputs.region }
      const answer = await callApi({
        ...call,
        ...sts,
        timeoutMs: requestBudget(),
        dispatcher,
        signal: options.cancelled,
      })
      return answer.fields
    },
    now: Date.now,
  })
  const client = createCynosdbClient({
    endpoint: inputs.endpoint,
    region: inputs.region,
    credentials: credentials.get,
    dispatcher,
    now: Date.now, // signing needs wall-clock time; waiting uses the monotonic clock
    log: options.log,
  })
  const acquire = createRateLimiter({ ...DESCRIBE_FLOW_RATE, now, sleep: options.sleep })
  let requests = 0
  const limited = async (call: DescribeFlowCall): Promise<CallOptions> => {
    await acquire(call.signal, call.notAfter)
    requests += 1
    return { signal: call.signal, timeoutMs: requestBudget() }
  }
  return {
    credentials: credentials.description,
    requests: () => requests,
    describeFlow: async (flowId, call) => client.describeFlow(flowId, await limited(call)),
    describeTasks: async (query, call) => client.describeTasks(query, await limited(call)),
    describeResourcesByDealName: async (names, call) => client.describeResourcesByDealName(names, await limited(call)),
    describeInstances: async (ids, call) => client.describeInstances(ids, await limited(call)),
  }
}
