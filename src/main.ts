// The step, start to end: read inputs, find credentials, poll every flow, report.
import { setTimeout as sleepFor } from 'node:timers/promises'
import * as core from '@actions/core'
import { EnvHttpProxyAgent } from 'undici'
import { resolveCredentials } from './credentials.ts'
import { formatDuration } from './duration.ts'
import { logLine } from './foreign-text.ts'
import { getInputs, inputWarnings, type Inputs } from './inputs.ts'
import { createRateLimiter, DESCRIBE_FLOW_RATE } from './limiter.ts'
import { waitForPurchase } from './purchase.ts'
import { endsTheWait, failureMessage, purchaseIds, purchaseRows, rowName, stepOutputs, writeSummary } from './report.ts'
import { createTaskWatcher } from './tasks.ts'
import { adaptiveSchedule, fixedSchedule } from './schedule.ts'
import { callApi } from './tencent/client.ts'
import { createCynosdbClient, type CallOptions } from './tencent/cynosdb.ts'
import { StopWaiting, waitForFlow, type DescribeFlowCall, type FlowOutcome, type WaitDeps } from './wait.ts'

const sleep = (ms: number, signal: AbortSignal): Promise<void> => sleepFor(ms, undefined, { signal })
const monotonicNow = (): number => performance.now()
/** Every line this step logs goes through logLine: one line, never one the runner reads as a command. */
const info = (message: string): void => core.info(logLine(message))

export async function run(): Promise<void> {
  // The runner cancels a job with SIGINT, then SIGTERM: stop polling, report what is known, exit non-zero.
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    info(`Received ${signal}: stopping the wait`)
    cancel.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let dispatcher: EnvHttpProxyAgent | undefined
  try {
    const inputs = getInputs()
    // Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and lower case), as self-hosted runners behind a proxy need.
    // undici's connect timeout is 10 s whatever the request's own deadline; request-timeout bounds it too.
    dispatcher = new EnvHttpProxyAgent({ connect: { timeout: inputs.requestTimeoutMs } })
    await waitStep(inputs, cancel.signal, dispatcher)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await dispatcher?.destroy() // no keep-alive socket may hold the process open
  }
}

async function waitStep(inputs: Inputs, cancelled: AbortSignal, dispatcher: EnvHttpProxyAgent): Promise<void> {
  const startedAt = monotonicNow()
  // No request may run past timeout + request-timeout: the last call starts at the timeout at the latest.
  const hardEnd = startedAt + inputs.timeoutMs + inputs.requestTimeoutMs
  const requestBudget = (): number => Math.max(1, Math.min(inputs.requestTimeoutMs, hardEnd - monotonicNow()))
  // Resolving credentials masks them, so it comes before the first line this step logs.
  const credentials = resolveCredentials(inputs, {
    env: process.env,
    mask: (secret) => core.setSecret(secret),
    getIDToken: (audience) => core.getIDToken(audience),
    callSts: async (call) =>
      (
        await callApi({
          ...call,
          endpoint: inputs.stsEndpoint,
          service: 'sts',
          version: '2018-08-13',
          region: inputs.region,
          timeoutMs: requestBudget(),
          dispatcher,
          signal: cancelled,
        })
      ).fields,
    now: Date.now,
  })
  for (const warning of inputWarnings(inputs)) core.warning(warning)
  const client = createCynosdbClient({
    endpoint: inputs.endpoint,
    region: inputs.region,
    credentials: credentials.get,
    dispatcher,
    now: Date.now, // signing needs wall-clock time; waiting below uses the monotonic clock
    log: info,
  })
  const acquire = createRateLimiter({ ...DESCRIBE_FLOW_RATE, now: monotonicNow, sleep })
  const schedule = inputs.pollIntervalMs === undefined ? adaptiveSchedule : fixedSchedule(inputs.pollIntervalMs)

  const what = [
    ...(inputs.flowIds.length > 0
      ? [`task flow${inputs.flowIds.length > 1 ? 's' : ''} ${inputs.flowIds.join(', ')}`]
      : []),
    ...(inputs.dealNames.length > 0
      ? [`the instances of deal${inputs.dealNames.length > 1 ? 's' : ''} ${inputs.dealNames.join(', ')}`]
      : []),
  ].join(' and ')
  info(
    `Waiting for CynosDB ${what} in ${inputs.region} via ${inputs.endpoint.host}: ` +
      `timeout ${formatDuration(inputs.timeoutMs)}, polling ${inputs.pollIntervalMs === undefined ? 'adaptively (1.25s growing to 10s)' : `every ${formatDuration(inputs.pollIntervalMs)}`}, ` +
      `credentials: ${credentials.description}`,
  )
  // Every CynosDB request of the step goes through one limiter and is counted once it may go out.
  let requests = 0
  const rateLimited = async (call: DescribeFlowCall): Promise<CallOptions> => {
    await acquire(call.signal, call.notAfter)
    requests += 1
    return { signal: call.signal, timeoutMs: requestBudget() }
  }
  const debug = core.isDebug() ? (message: string) => core.debug(message) : undefined
  const tasks = createTaskWatcher({
    describeTasks: async (query, call) => client.describeTasks(query, await rateLimited(call)),
    now: monotonicNow,
    stepStartedAtEpochMs: Date.now(),
    notice: (message) => core.notice(message),
    debug,
  })
  const deps: WaitDeps = {
    describeFlow: async (flowId, call) => client.describeFlow(flowId, await rateLimited(call)),
    now: monotonicNow,
    sleep,
    random: Math.random,
    log: info,
    debug,
    observeTask: (flowId, status, call) => tasks.observe(flowId, status, call),
  }
  // The first flow that fails, or instance that is lost (or a final error), ends the wait for all: the step
  // fails anyway, and waiting on costs runner minutes.
  const stop = new AbortController()
  const signal = AbortSignal.any([cancelled, stop.signal])
  const endWait = (row: FlowOutcome, label: string): void => {
    if (!signal.aborted && endsTheWait(row)) {
      if (inputs.flowIds.length + inputs.dealNames.length > 1) info(`${label} ended the wait: not waiting for the rest`)
      stop.abort(new StopWaiting(`${label.charAt(0).toLowerCase()}${label.slice(1)}`))
    }
  }
  const options = { timeoutMs: inputs.timeoutMs, schedule, signal, startedAt }
  const [flowOutcomes, purchase] = await Promise.all([
    Promise.all(
      inputs.flowIds.map(async (flowId) => {
        const outcome = await waitForFlow(flowId, options, deps)
        endWait(outcome, `Flow ${flowId}`)
        return outcome
      }),
    ),
    inputs.dealNames.length === 0
      ? undefined
      : waitForPurchase(inputs.dealNames, options, {
          describeResources: async (names, call) => client.describeResourcesByDealName(names, await rateLimited(call)),
          describeInstances: async (ids, call) => client.describeInstances(ids, await rateLimited(call)),
          now: monotonicNow,
          sleep,
          random: Math.random,
          log: info,
        }).then((outcome) => {
          const rows = purchaseRows(outcome)
          const ender = rows.find(endsTheWait)
          if (ender) endWait(ender, rowName(ender))
          return outcome
        }),
  ])
  const outcomes = [...flowOutcomes, ...(purchase ? purchaseRows(purchase) : [])]

  const outputs = stepOutputs(outcomes, { requests, purchase: purchaseIds(purchase) })
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  if (process.env.GITHUB_STEP_SUMMARY) await writeSummary(outcomes, inputs)
  const failure = failureMessage(outcomes, inputs)
  if (failure) throw new Error(failure)
  const late = outcomes.filter((o) => o.end === 'timeout').map(rowName)
  if (late.length > 0) {
    core.warning(
      `${late.join(', ')} still processing at the timeout of ${formatDuration(inputs.timeoutMs)}; going on because fail-on-timeout is false`,
    )
  }
}
