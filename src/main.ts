// The step, start to end: read inputs, make one probe per thing to wait for, wait for them all, report.
import { setTimeout as sleepFor } from 'node:timers/promises'
import * as core from '@actions/core'
import { EnvHttpProxyAgent } from 'undici'
import { createStepApi } from './api.ts'
import { formatDuration } from './duration.ts'
import { forSummary } from './foreign-text.ts'
import { getInputs, inputWarnings, type Inputs } from './inputs.ts'
import { createLog, maskSecret, type Log } from './log.ts'
import { verdict } from './outcome.ts'
import { poll, waitForAll, type PollDeps, type Probe, type ProbeOutcome, type WaitPlan } from './poll.ts'
import { changeProbe, waitsOf, type Waits } from './probes/change.ts'
import { flowProbe, withTaskDetails } from './probes/flow.ts'
import { purchaseProbe } from './probes/purchase.ts'
import { taskProbe } from './probes/task.ts'
import { failureMessage, lateWarning, stepOutputs, writeSummary } from './report.ts'
import { adaptiveSchedule, fixedSchedule } from './schedule.ts'
import { createTaskDetails } from './task-details.ts'

const sleep = (ms: number, signal: AbortSignal): Promise<void> => sleepFor(ms, undefined, { signal })
const monotonicNow = (): number => performance.now()

export interface RunOptions {
  /** Ends the wait as the runner's SIGINT/SIGTERM does (tests run the step in-process). */
  readonly signal?: AbortSignal
}

export async function run(options: RunOptions = {}): Promise<void> {
  const log = createLog()
  // The runner cancels a job with SIGINT, then SIGTERM: stop waiting, report what is known, exit non-zero.
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info(`Received ${signal}: stopping the wait`)
    cancel.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const cancelled = options.signal ? AbortSignal.any([cancel.signal, options.signal]) : cancel.signal
  let dispatcher: EnvHttpProxyAgent | undefined
  try {
    const inputs = getInputs()
    // Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and lower case), as self-hosted runners behind a proxy need.
    // undici's connect timeout is 10 s whatever the request's own deadline; request-timeout bounds it too.
    dispatcher = new EnvHttpProxyAgent({ connect: { timeout: inputs.requestTimeoutMs } })
    await waitStep(inputs, log, cancelled, dispatcher)
  } catch (error) {
    log.fail(error instanceof Error ? error.message : String(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await dispatcher?.destroy() // no keep-alive socket may hold the process open
  }
}

async function waitStep(inputs: Inputs, log: Log, cancelled: AbortSignal, dispatcher: EnvHttpProxyAgent) {
  const startedAt = monotonicNow()
  const hardEndMs = inputs.timeoutMs + inputs.requestTimeoutMs
  const api = createStepApi(inputs, {
    dispatcher,
    now: monotonicNow,
    startedAt,
    sleep,
    mask: maskSecret,
    log: log.info,
    debug: log.debug,
  })
  for (const warning of inputWarnings(inputs)) log.warning(warning)
  const title = waitingFor(inputs)
  log.info(`Waiting for ${title} ${where(inputs)}, credentials: ${api.credentials}`)

  const plan: WaitPlan = {
    startedAt,
    timeoutMs: inputs.timeoutMs,
    hardEndMs,
    schedule: inputs.pollIntervalMs === undefined ? adaptiveSchedule : fixedSchedule(inputs.pollIntervalMs),
    signal: cancelled,
  }
  const deps: PollDeps = { now: monotonicNow, sleep, random: Math.random, log: log.info, debug: log.debug }
  const context = { region: inputs.region, timeoutMs: inputs.timeoutMs, title }
  const finish = async (
    outcomes: readonly ProbeOutcome[],
    extra: Omit<Parameters<typeof stepOutputs>[1], 'requests'> = {},
  ) => {
    const outputs = stepOutputs(outcomes, { requests: api.requests(), ...extra })
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
    if (process.env.GITHUB_STEP_SUMMARY) await writeSummary(outcomes, { ...context, lines: sentLines(inputs) })
    const judged = verdict(outcomes, inputs.failOnTimeout)
    const failure = failureMessage(judged, context)
    if (failure) throw new Error(failure)
    const late = lateWarning(judged, context)
    if (late) log.warning(late)
  }

  // The change first, when the step sends it: sent once, then what its answer holds is waited for.
  let waits: Waits = { flowIds: inputs.flowIds, dealNames: inputs.dealNames, taskIds: inputs.taskIds, notes: [] }
  let sent: ProbeOutcome | undefined
  let answer: Record<string, unknown> | undefined
  if (inputs.call) {
    const change = changeProbe(inputs.call.action, inputs.call.payload, api)
    sent = await poll(change, plan, deps)
    answer = change.answer()
    if (!answer) return finish([sent])
    try {
      waits = waitsOf(inputs.call.action, answer)
    } catch (error) {
      await finish([sent], { answer }) // the change was made: its answer and RequestId are outputs all the same
      throw error
    }
    for (const note of waits.notes) log.notice(note)
    if (waits.flowIds.length + waits.dealNames.length + waits.taskIds.length === 0) {
      log.notice(`${inputs.call.action} answered with nothing to wait for (no FlowId, DealNames or TaskId): it is done`)
      return finish([sent], { answer })
    }
    log.info(`${inputs.call.action} is carried out: waiting for ${waitingFor(waits)}`)
  }

  const details = createTaskDetails({
    describeTasks: api.describeTasks,
    now: monotonicNow,
    stepStartedAtEpochMs: Date.now(),
    budget: { signal: cancelled, notAfter: startedAt + hardEndMs },
    notice: log.notice,
    debug: log.debug,
  })
  const purchase = waits.dealNames.length > 0 ? purchaseProbe(waits.dealNames, api) : undefined
  const probes: Probe[] = [
    ...waits.flowIds.map((flowId) => flowProbe(flowId, api, details)),
    ...(waits.taskIds.length > 0 ? [taskProbe(waits.taskIds, api)] : []),
    ...(purchase ? [purchase] : []),
  ]
  const waited = await waitForAll(probes, plan, deps)

  // A failed flow's task says why it failed: its lookup gets what is left of one request's time, no more. Any other
  // lookup still under way is of no use now.
  const flowFailed = waited.some((outcome) =>
    outcome.rows.some((row) => row.kind === 'flow' && row.result === 'failed'),
  )
  if (flowFailed && !cancelled.aborted) {
    await details.settle(Math.max(0, Math.min(inputs.requestTimeoutMs, startedAt + hardEndMs - monotonicNow())), sleep)
  }
  details.stop()
  const outcomes = [...(sent ? [sent] : []), ...waited.map((outcome) => withTaskDetails(outcome, details))]
  const delivered = purchase?.delivered()
  await finish(outcomes, {
    answer,
    delivered: delivered && {
      clusterIds: [...new Set(delivered.map((r) => r.clusterId).filter((id) => id !== ''))],
      instanceIds: [...new Set(delivered.flatMap((r) => r.instanceIds))],
    },
  })
}

/** For the summary: the change the step sent, with the names of its parameters (never their values). */
function sentLines(inputs: Inputs): string[] {
  if (!inputs.call) return []
  const names = inputs.call.parameterNames.map((name) => `<code>${forSummary(name)}</code>`).join(', ')
  return [
    `Sent <code>${forSummary(inputs.call.action)}</code>${names ? ` with parameters ${names}` : ' without parameters'}.`,
  ]
}

const plural = (n: number, word: string): string => `${word}${n > 1 ? 's' : ''}`

/**
 * What the step waits for, in words: `CynosDB task flow 123 and the instances of CynosDB deal d1`, or the change it
 * sends: `CynosDB ModifyInstanceParam (sent by this step)`.
 */
function waitingFor(waits: Waits | Inputs): string {
  if ('call' in waits && waits.call) return `CynosDB ${waits.call.action} (sent by this step)`
  const { flowIds, dealNames, taskIds } = waits
  return [
    ...(flowIds.length > 0 ? [`CynosDB ${plural(flowIds.length, 'task flow')} ${flowIds.join(', ')}`] : []),
    ...(taskIds.length > 0 ? [`CynosDB ${plural(taskIds.length, 'task')} ${taskIds.join(', ')}`] : []),
    ...(dealNames.length > 0
      ? [`the instances of CynosDB ${plural(dealNames.length, 'deal')} ${dealNames.join(', ')}`]
      : []),
  ].join(' and ')
}

/** Where and how: `in ap-guangzhou via cynosdb.tencentcloudapi.com: timeout 30m, polling adaptively …`. */
function where(inputs: Inputs): string {
  const polling =
    inputs.pollIntervalMs === undefined
      ? 'adaptively (1.25s growing to 10s)'
      : `every ${formatDuration(inputs.pollIntervalMs)}`
  return `in ${inputs.region} via ${inputs.endpoint.host}: timeout ${formatDuration(inputs.timeoutMs)}, polling ${polling}`
}
