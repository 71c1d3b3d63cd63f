// The step, start to end: read inputs, find credentials, poll every flow, report.
import { setTimeout as sleepFor } from 'node:timers/promises'
import * as core from '@actions/core'
import { resolveCredentials } from './credentials.ts'
import { formatDuration } from './duration.ts'
import { getInputs, inputWarnings } from './inputs.ts'
import { createRateLimiter, DESCRIBE_FLOW_RATE } from './limiter.ts'
import { failureMessage, stepOutputs, writeSummary } from './report.ts'
import { adaptiveSchedule, fixedSchedule } from './schedule.ts'
import { callApi } from './tencent/client.ts'
import { createCynosdbClient } from './tencent/cynosdb.ts'
import { EnvHttpProxyAgent } from 'undici'
import { waitForFlow } from './wait.ts'

const sleep = (ms: number, signal: AbortSignal): Promise<void> => sleepFor(ms, undefined, { signal })
const monotonicNow = (): number => performance.now()

export async function run(): Promise<void> {
  // The runner cancels a job with SIGINT, then SIGTERM: stop polling, report what is known, exit non-zero.
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    core.info(`Received ${signal}: stopping the wait`)
    cancel.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and lower case), as self-hosted runners behind a proxy need.
  const dispatcher = new EnvHttpProxyAgent()
  try {
    await waitStep(cancel.signal, dispatcher)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await dispatcher.destroy() // no keep-alive socket may hold the process open
  }
}

async function waitStep(signal: AbortSignal, dispatcher: EnvHttpProxyAgent): Promise<void> {
  const inputs = getInputs()
  // Resolving credentials masks them, so it comes before the first line this step logs.
  const credentials = resolveCredentials(inputs, {
    env: process.env,
    mask: (secret) => core.setSecret(secret),
    getIDToken: (audience) => core.getIDToken(audience),
    callSts: (call) =>
      callApi({
        ...call,
        endpoint: inputs.stsEndpoint,
        service: 'sts',
        version: '2018-08-13',
        region: inputs.region,
        timeoutMs: inputs.requestTimeoutMs,
        dispatcher,
        signal,
      }),
    now: Date.now,
  })
  for (const warning of inputWarnings(inputs)) core.warning(warning)
  const client = createCynosdbClient({
    endpoint: inputs.endpoint,
    region: inputs.region,
    credentials: credentials.get,
    timeoutMs: inputs.requestTimeoutMs,
    dispatcher,
    now: Date.now, // signing needs wall-clock time; waiting below uses the monotonic clock
    log: (message) => core.info(message),
  })
  const acquire = createRateLimiter({ ...DESCRIBE_FLOW_RATE, now: monotonicNow, sleep })
  const schedule = inputs.pollIntervalMs === undefined ? adaptiveSchedule : fixedSchedule(inputs.pollIntervalMs)

  const flows = inputs.flowIds.join(', ')
  core.info(
    `Waiting for CynosDB task flow${inputs.flowIds.length > 1 ? 's' : ''} ${flows} in ${inputs.region} via ${inputs.endpoint.host}: ` +
      `timeout ${formatDuration(inputs.timeoutMs)}, polling ${inputs.pollIntervalMs === undefined ? 'adaptively (1.25s growing to 10s)' : `every ${formatDuration(inputs.pollIntervalMs)}`}, ` +
      `credentials: ${credentials.description}`,
  )
  const startedAt = monotonicNow()
  const deps = {
    describeFlow: async (flowId: string, callSignal: AbortSignal) => {
      await acquire(callSignal)
      return client.describeFlow(flowId, callSignal)
    },
    now: monotonicNow,
    sleep,
    random: Math.random,
    log: (message: string) => core.info(message),
  }
  const outcomes = await Promise.all(
    inputs.flowIds.map((flowId) =>
      waitForFlow(flowId, { timeoutMs: inputs.timeoutMs, schedule, signal, startedAt }, deps),
    ),
  )

  for (const [name, value] of Object.entries(stepOutputs(outcomes))) core.setOutput(name, value)
  if (process.env.GITHUB_STEP_SUMMARY) await writeSummary(outcomes, inputs)
  const failure = failureMessage(outcomes, inputs)
  if (failure) throw new Error(failure)
  const late = outcomes.filter((o) => o.end === 'timeout').map((o) => o.flowId)
  if (late.length > 0) {
    core.warning(
      `Flow ${late.join(', ')} still processing at the timeout of ${formatDuration(inputs.timeoutMs)}; going on because fail-on-timeout is false`,
    )
  }
}
