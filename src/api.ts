// The step's access to the outside: the signing keys (credentials.ts: static, or GitHub's ID token traded at STS),
// one CynosDB client, and what every request shares. Every Tencent Cloud request (STS included) passes one rate
// limiter and counts in `polls`; every request (GitHub's ID token included) has one deadline, no later than
// timeout + request-timeout, and stops on cancellation; a host that has never answered is given up on after a
// short grace instead of being retried for the whole timeout.
import type { Dispatcher } from 'undici'
import { createKeySource } from './credentials.ts'
import { formatDuration } from './duration.ts'
import { forLog } from './foreign-text.ts'
import { fetchIdToken } from './github-token.ts'
import { CallError, isConnectFailure, type RequestTrace } from './http.ts'
import type { Inputs } from './inputs.ts'
import { API_RATE, createRateLimiter } from './limiter.ts'
import { callApi } from './tencent/client.ts'
import { createCynosdbClient, type CallOptions, type CynosdbClient } from './tencent/cynosdb.ts'

/** What a request may use of the step: stop when `signal` aborts, start no later than `notAfter`. */
export interface CallBudget {
  readonly signal: AbortSignal
  /** On the step's monotonic clock: a request that could only start later is refused (DeadlineError). */
  readonly notAfter: number
  /** Told of every Tencent Cloud request that goes out for this budget: the waiting engine counts them. */
  readonly sent?: (() => void) | undefined
}

type CynosdbCalls = {
  readonly [K in keyof CynosdbClient]: (
    arg: Parameters<CynosdbClient[K]>[0],
    call: CallBudget,
  ) => ReturnType<CynosdbClient[K]>
}

/** Each CynosDB call of the client, given a budget instead of keys and a timeout; `call` takes the action too. */
export type StepApi = Omit<CynosdbCalls, 'call'> & {
  readonly call: (action: string, payload: string, call: CallBudget) => ReturnType<CynosdbClient['call']>
  /** Where the keys came from, for the log (never the keys). */
  readonly credentials: string
  /** Tencent Cloud requests sent so far (CynosDB and STS): the `polls` output. */
  readonly requests: () => number
}

export interface StepApiOptions {
  readonly dispatcher: Dispatcher
  /** The monotonic clock, and when the step began on it. */
  readonly now: () => number
  readonly startedAt: number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly mask: (secret: string) => void
  readonly log: (message: string) => void
  /** Step debug logging: one line per request. */
  readonly debug: ((message: string) => void) | undefined
}

/**
 * An endpoint that has never answered is given up on once it has failed to connect this often, over a quarter of
 * the timeout, at most this long: a typo in the endpoint or a closed port costs half a minute, not the whole wait.
 */
export const UNREACHABLE_TRIES = 3
export const UNREACHABLE_GRACE_MS = 30_000

/** No answer has ever come from the host: a typo in the endpoint, a closed port, a network that cannot reach it. */
export class UnreachableError extends CallError {
  override name = 'UnreachableError'
  readonly host: string
  constructor(host: string, tries: number, sinceMs: number, cause: Error) {
    super(
      `${host} never answered: ${tries} tries over ${formatDuration(sinceMs)} failed before a connection was made (last: ${cause.message})`,
      { cause },
    )
    this.host = host
  }
}

export function createStepApi(inputs: Inputs, options: StepApiOptions): StepApi {
  const { dispatcher, now } = options
  // No request may run past timeout + request-timeout: the last one starts at the timeout at the latest.
  const hardEnd = options.startedAt + inputs.timeoutMs + inputs.requestTimeoutMs
  const requestBudget = (): number => Math.max(1, Math.min(inputs.requestTimeoutMs, hardEnd - now()))
  const acquire = createRateLimiter({ ...API_RATE, now, sleep: options.sleep })
  let requests = 0

  /** Every host's history: answered at least once, or failing to connect since `since`. */
  const hosts = new Map<string, { answered: boolean; since: number; tries: number }>()
  const traced = (trace: RequestTrace | undefined, outcome: string): void => {
    if (!trace) return
    const http = trace.httpStatus === undefined ? 'no HTTP answer' : `HTTP ${trace.httpStatus}`
    const id = trace.requestId ? `, RequestId ${forLog(trace.requestId)}` : ''
    options.debug?.(`${trace.action} → ${trace.host}: ${http}${id}, ${Math.round(trace.latencyMs)} ms: ${outcome}`)
  }
  /** Sends one request through `send`, keeping each host's history and the debug line. */
  async function observed<T extends { trace: RequestTrace }>(host: string, send: () => Promise<T>): Promise<T> {
    try {
      const answer = await send()
      hosts.set(host, { answered: true, since: 0, tries: 0 })
      traced(answer.trace, 'answered')
      return answer
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught))
      const trace = (error as CallError).trace
      traced(trace, error.name)
      const seen = hosts.get(host) ?? { answered: false, since: now(), tries: 0 }
      if (trace?.httpStatus !== undefined) seen.answered = true
      if (!seen.answered && isConnectFailure(error)) {
        seen.tries += 1
        const sinceMs = now() - seen.since
        hosts.set(host, seen)
        if (seen.tries >= UNREACHABLE_TRIES && sinceMs >= Math.min(UNREACHABLE_GRACE_MS, inputs.timeoutMs / 4)) {
          throw new UnreachableError(host, seen.tries, sinceMs, error)
        }
      } else {
        hosts.set(host, seen)
      }
      throw error
    }
  }

  /**
   * A Tencent Cloud request: a slot of the rate limiter, taken until the request has ended, counted, and given a
   * deadline of its own.
   */
  async function limited<T>(
    call: CallBudget,
    send: (signal: AbortSignal, timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const release = await acquire(call.signal, Math.min(call.notAfter, hardEnd))
    requests += 1
    call.sent?.()
    try {
      return await send(call.signal, requestBudget())
    } finally {
      release()
    }
  }

  const config = inputs.credentials
  const keys = createKeySource(config, {
    mask: options.mask,
    now,
    wallNow: Date.now,
    idToken: async (audience, call) => {
      if (config.kind !== 'oidc') throw new Error('an ID token is only asked for keyless auth')
      const url = config.idTokenUrl
      const token = await observed(url.host, () =>
        fetchIdToken({
          url,
          requestToken: config.idTokenRequestToken,
          audience,
          dispatcher,
          signal: call.signal,
          timeoutMs: requestBudget(),
        }),
      )
      options.mask(token.value)
      return token.value
    },
    assumeRole: async (payload, call) => {
      if (config.kind !== 'oidc') throw new Error('STS is only called for keyless auth')
      const endpoint = config.stsEndpoint
      const answer = await limited(call, (signal, timeoutMs) =>
        observed(endpoint.host, () =>
          callApi({
            endpoint,
            service: 'sts',
            version: '2018-08-13',
            action: 'AssumeRoleWithWebIdentity',
            region: inputs.region,
            payload,
            timestamp: Math.floor(Date.now() / 1000),
            timeoutMs,
            dispatcher,
            signal,
          }),
        ),
      )
      return answer.fields
    },
  })

  const client = createCynosdbClient({
    endpoint: inputs.endpoint,
    region: inputs.region,
    dispatcher,
    now: Date.now, // signing needs wall-clock time; waiting uses the monotonic clock
    onClockCorrected: (skewMs) =>
      options.log(
        `The runner's clock is ${formatDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'behind' : 'ahead of'} Tencent Cloud's; signing with the server's time from now on`,
      ),
  })
  /** One CynosDB request: keys first (they may need STS), then a slot, then the call itself. */
  const cynosdb = async <T extends { trace: RequestTrace }>(
    call: CallBudget,
    send: (options: CallOptions) => Promise<T>,
  ): Promise<T> => {
    const credentials = await keys.get(call)
    return limited(call, (signal, timeoutMs) =>
      observed(inputs.endpoint.host, () => send({ signal, timeoutMs, credentials })),
    )
  }
  return {
    credentials: keys.description,
    requests: () => requests,
    describeFlow: (flowId, call) => cynosdb(call, (o) => client.describeFlow(flowId, o)),
    describeTasks: (query, call) => cynosdb(call, (o) => client.describeTasks(query, o)),
    describeResourcesByDealName: (names, call) => cynosdb(call, (o) => client.describeResourcesByDealName(names, o)),
    describeInstances: (query, call) => cynosdb(call, (o) => client.describeInstances(query, o)),
    call: (action, payload, call) => cynosdb(call, (o) => client.call(action, payload, o)),
  }
}
