// The step, start to end: read inputs, find credentials, poll every flow, report.
import { setTimeout as sleepFor } from 'node:timers/promises'
import * as core from '@actions/core'
import { EnvHttpProxyAgent } from 'undici'
import { resolveCredentials } from './credentials.ts'
import { formatDuration } from './duration.ts'
import { logLine } from './foreign-text.ts'
import { getInputs, inputWarnings, type Inputs } from './inputs.ts'
import { createRateLimiter, DESCRIBE_FLOW_RATE } from './limiter.ts'
import { endsTheWait, failureMessage, stepOutputs, writeSummary } from './report.ts'
import { adaptiveSchedule, fixedSchedule } from './schedule.ts'
import { callApi } from './tencent/client.ts'
import { createCynosdbClient } from './tencent/cynosdb.ts'
import { StopWaiting, waitForFlow, type WaitDeps } from './wait.ts'

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

  const flows = inputs.flowIds.join(', ')
  info(
    `Waiting for CynosDB task flow${inputs.flowIds.length > 1 ? 's' : ''} ${flows} in ${inputs.region} via ${inputs.endpoint.host}: ` +
      `timeout ${formatDuration(inputs.timeoutMs)}, polling ${inputs.pollIntervalMs === undefined ? 'adaptively (1.25s growing to 10s)' : `every ${formatDuration(inputs.pollIntervalMs)}`}, ` +
      `credentials: ${credentials.description}`,
  )
  const deps: WaitDeps = {
    describeFlow: async (flowId, call) => {
      await acquire(call.signal, call.notAfter)
      return client.describeFlow(flowId, { signal: call.signal, timeoutMs: requestBudget() })
    },
    now: monotonicNow,
    sleep,
    random: Math.random,
    log: info,
    debug: core.isDebug() ? (message) => core.debug(message) : undefined,
  }
  // The first flow that fails (or meets a final error) ends the wait for all: the step fails anyway.
  const stop = new AbortController()
  const signal = AbortSignal.any([cancelled, stop.signal])
  const outcomes = await Promise.all(
    inputs.flowIds.map(async (flowId) => {
      const outcome = await waitForFlow(flowId, { timeoutMs: inputs.timeoutMs, schedule, signal, startedAt }, deps)
      if (!signal.aborted && endsTheWait(outcome)) {
        if (inputs.flowIds.length > 1) info(`Flow ${flowId} ended the wait: not waiting for the other flows`)
        stop.abort(new StopWaiting(flowId))
      }
      return outcome
    }),
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
