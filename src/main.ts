// The step, start to end: read inputs, find credentials, poll every flow, report.
import { setTimeout as sleepFor } from 'node:timers/promises'
import * as core from '@actions/core'
import { EnvHttpProxyAgent } from 'undici'
import { createStepApi, type StepApi } from './api.ts'
import { formatDuration } from './duration.ts'
import { logLine } from './foreign-text.ts'
import { getInputs, inputWarnings, type Inputs } from './inputs.ts'
import { waitForPurchase } from './purchase.ts'
import { endsTheWait, failureMessage, purchaseIds, purchaseRows, rowName, stepOutputs, writeSummary } from './report.ts'
import { createTaskWatcher } from './tasks.ts'
import { adaptiveSchedule, fixedSchedule } from './schedule.ts'
import { StopWaiting, waitForFlow, type FlowOutcome, type WaitDeps } from './wait.ts'

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
  const api = createStepApi(inputs, { dispatcher, cancelled, now: monotonicNow, startedAt, sleep, log: info })
  for (const warning of inputWarnings(inputs)) core.warning(warning)
  info(`Waiting for CynosDB ${waitingFor(inputs)}, credentials: ${api.credentials}`)

  const { outcomes, purchase } = await waitForAll(inputs, api, cancelled, startedAt)

  const outputs = stepOutputs(outcomes, { requests: api.requests(), purchase: purchaseIds(purchase) })
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

/** The first line of the log: what the step waits for, where, and how. */
function waitingFor(inputs: Inputs): string {
  const { flowIds, dealNames } = inputs
  const what = [
    ...(flowIds.length > 0 ? [`task flow${flowIds.length > 1 ? 's' : ''} ${flowIds.join(', ')}`] : []),
    ...(dealNames.length > 0
      ? [`the instances of deal${dealNames.length > 1 ? 's' : ''} ${dealNames.join(', ')}`]
      : []),
  ].join(' and ')
  const polling =
    inputs.pollIntervalMs === undefined
      ? 'adaptively (1.25s growing to 10s)'
      : `every ${formatDuration(inputs.pollIntervalMs)}`
  return `${what} in ${inputs.region} via ${inputs.endpoint.host}: timeout ${formatDuration(inputs.timeoutMs)}, polling ${polling}`
}

/**
 * Every flow and the purchase, at once. The first flow that fails, instance that is lost, or final error ends the
 * wait for all: the step fails anyway, and waiting on costs runner minutes.
 */
async function waitForAll(inputs: Inputs, api: StepApi, cancelled: AbortSignal, startedAt: number) {
  const stop = new AbortController()
  const signal = AbortSignal.any([cancelled, stop.signal])
  const endWait = (row: FlowOutcome): void => {
    if (signal.aborted || !endsTheWait(row)) return
    const label = rowName(row)
    if (inputs.flowIds.length + inputs.dealNames.length > 1) info(`${label} ended the wait: not waiting for the rest`)
    stop.abort(new StopWaiting(`${label.charAt(0).toLowerCase()}${label.slice(1)}`))
  }
  const debug = core.isDebug() ? (message: string) => core.debug(message) : undefined
  const common = { now: monotonicNow, sleep, random: Math.random, log: info }
  const tasks = createTaskWatcher({
    describeTasks: api.describeTasks,
    now: monotonicNow,
    stepStartedAtEpochMs: Date.now(),
    notice: (message) => core.notice(message),
    debug,
  })
  const deps: WaitDeps = { ...common, describeFlow: api.describeFlow, debug, observeTask: tasks.observe }
  const schedule = inputs.pollIntervalMs === undefined ? adaptiveSchedule : fixedSchedule(inputs.pollIntervalMs)
  const options = { timeoutMs: inputs.timeoutMs, schedule, signal, startedAt }

  const [flows, purchase] = await Promise.all([
    Promise.all(
      inputs.flowIds.map(async (flowId) => {
        const outcome = await waitForFlow(flowId, options, deps)
        endWait(outcome)
        return outcome
      }),
    ),
    inputs.dealNames.length === 0
      ? undefined
      : waitForPurchase(inputs.dealNames, options, {
          ...common,
          describeResources: api.describeResourcesByDealName,
          describeInstances: api.describeInstances,
        }).then((outcome) => {
          const rows = purchaseRows(outcome)
          const ender = rows.find(endsTheWait)
          if (ender) endWait(ender)
          return { outcome, rows }
        }),
  ])
  return { outcomes: [...flows, ...(purchase?.rows ?? [])], purchase: purchase?.outcome }
}
