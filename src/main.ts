// The step, start to end: read the inputs, send the change (when asked), wait for what it answered, report.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleepFor } from 'node:timers/promises'
import * as core from '@actions/core'
import { EnvHttpProxyAgent } from 'undici'
import { createStepApi, type StepApi } from './api.ts'
import { getInputs, inputNotices, inputWarnings, type ChangeCall, type Inputs } from './inputs/index.ts'
import { parseJson } from './json.ts'
import { planMarkdown, proveKeys, statesMarkdown, wouldWaitFor } from './dry-run.ts'
import { redact } from './foreign-text.ts'
import { annotation, createLog, maskSecret, type Log } from './log.ts'
import { changeProbe, nothingToWaitOn, waitsOf, type ChangeAnswer, type Waits } from './probes/change.ts'
import { flowProbe } from './probes/flow.ts'
import { purchaseProbe } from './probes/purchase.ts'
import { statusProbe } from './probes/status.ts'
import { createTaskDetails } from './probes/task-details.ts'
import { taskProbe } from './probes/task.ts'
import { failureMessage, lateWarning } from './report/messages.ts'
import { MAX_OUTPUT_BYTES, responseJson, stepOutputs, type StepOutputs } from './report/outputs.ts'
import { writeSummary } from './report/summary.ts'
import { sentLines, waitingFor, where } from './report/titles.ts'
import { connectTimeoutMs, createTransport, type Transport } from './transport.ts'
import { poll, waitForAll, type PollDeps, type WaitPlan } from './wait/poll.ts'
import type { Probe, ProbeOutcome } from './wait/probe.ts'
import { createPace } from './wait/pace.ts'
import { adaptiveSchedule, fixedSchedule } from './wait/schedule.ts'
import { verdict } from './wait/verdict.ts'

const sleep = (ms: number, signal: AbortSignal): Promise<void> => sleepFor(ms, undefined, { signal })
const now = (): number => performance.now()

export interface RunOptions {
  /** Ends the wait as the runner's SIGINT/SIGTERM does (tests run the step in-process). */
  readonly signal?: AbortSignal
  /** The jitter of retries; tests run the step in-process with one that makes no delay. */
  readonly random?: () => number
}

/** What the parts of one step share. */
interface Step {
  readonly inputs: Inputs
  readonly log: Log
  readonly transport: Transport
  readonly api: StepApi
  readonly plan: WaitPlan
  readonly deps: PollDeps
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
    // Connecting gets its own bound inside the request's deadline (transport.ts, connectTimeoutMs).
    dispatcher = new EnvHttpProxyAgent({ connect: { timeout: connectTimeoutMs(inputs.requestTimeoutMs) } })
    const step = startStep(inputs, log, cancelled, dispatcher, options.random ?? Math.random)
    if (inputs.dryRun) return await dryRun(step)
    const sent = inputs.call ? await sendChange(inputs.call, step) : undefined
    const waits = sent ? sent.waits : inputs
    const waited = waits ? await waitFor(waits, step) : []
    await report([...(sent ? [sent.outcome] : []), ...waited], sent, step)
  } catch (error) {
    log.fail(error instanceof Error ? error.message : String(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await dispatcher?.destroy() // no keep-alive socket may hold the process open
  }
}

/** The step's clock, deadline and transport, and the first line of its log. */
function startStep(
  inputs: Inputs,
  log: Log,
  signal: AbortSignal,
  dispatcher: EnvHttpProxyAgent,
  random: () => number,
): Step {
  const startedAt = now()
  const hardEndMs = inputs.timeoutMs + inputs.requestTimeoutMs
  // one pace for the step: every answer tells it how busy the account is, every probe's rounds keep to it
  const pace = createPace(now)
  const transport = createTransport({
    pace,
    dispatcher,
    now,
    hardEnd: startedAt + hardEndMs,
    timeoutMs: inputs.timeoutMs,
    requestTimeoutMs: inputs.requestTimeoutMs,
    sleep,
    debug: log.debug,
  })
  const api = createStepApi(inputs, { transport, now, mask: maskSecret, log: log.info })
  for (const warning of inputWarnings(inputs)) log.warning(warning)
  for (const notice of inputNotices(inputs)) log.notice(notice)
  const what = !inputs.dryRun
    ? `Waiting for ${waitingFor(inputs, inputs.call)}`
    : inputs.call
      ? `Dry run, nothing is sent: checking CynosDB ${inputs.call.action}`
      : `Dry run: reading once ${waitingFor(inputs)}`
  log.info(`${what} ${where(inputs)}, credentials: ${api.credentials}`)
  const schedule = inputs.pollIntervalMs === undefined ? adaptiveSchedule : fixedSchedule(inputs.pollIntervalMs)
  return {
    inputs,
    log,
    transport,
    api,
    plan: { startedAt, timeoutMs: inputs.timeoutMs, hardEndMs, schedule, pace, signal },
    deps: { now, sleep, random, log: log.info, debug: log.debug },
  }
}

/**
 * Sends the change once and reads what its answer gives to wait for: `waits` is undefined when there is nothing to
 * wait for (no answer, or an answer without a FlowId, DealNames or TaskId), `unreadable` the error of an answer
 * whose IDs are not what the API documents (the change was made: its answer is reported all the same).
 */
async function sendChange(
  call: ChangeCall,
  step: Step,
): Promise<{ outcome: ProbeOutcome<ChangeAnswer>; waits?: Waits; unreadable?: Error }> {
  const outcome = await poll(changeProbe(call.action, call.payload, step.api), step.plan, step.deps)
  if (!outcome.found) return { outcome }
  let waits: Waits
  try {
    waits = waitsOf(call.action, outcome.found, parseJson(call.payload) as ChangeAnswer)
  } catch (error) {
    // carried out, but what it answered cannot be read: the outputs must not say it succeeded
    const rows = outcome.rows.map((row) => ({ ...row, result: 'unknown' as const, state: 'answered, unreadable' }))
    return { outcome: { ...outcome, rows }, unreadable: error instanceof Error ? error : new Error(String(error)) }
  }
  for (const note of waits.notes) step.log.notice(note)
  if (waits.flowIds.length + waits.dealNames.length + waits.taskIds.length + (waits.statuses?.length ?? 0) === 0) {
    step.log.notice(nothingToWaitOn(call.action, outcome.found))
    return { outcome }
  }
  step.log.info(`${call.action} is carried out: waiting for ${waitingFor(waits)}`)
  return { outcome, waits }
}

/** Waits for every flow, task and deal at once, the flows' task details looked up beside them. */
async function waitFor(waits: Omit<Waits, 'notes'>, step: Step): Promise<ProbeOutcome[]> {
  const { api, plan, inputs } = step
  const hardEnd = plan.startedAt + plan.hardEndMs
  const details = createTaskDetails({
    describeTasks: api.describeTasks,
    now,
    sleep,
    stepStartedAtEpochMs: Date.now(),
    budget: { signal: plan.signal, notAfter: hardEnd },
    notice: step.log.notice,
    debug: step.log.debug,
  })
  const probes: Probe[] = [
    ...waits.flowIds.map((flowId) => flowProbe(flowId, api, details)),
    ...(waits.taskIds.length > 0 ? [taskProbe(waits.taskIds, api)] : []),
    ...(waits.dealNames.length > 0 ? [purchaseProbe(waits.dealNames, api)] : []),
    ...(waits.statuses ?? []).map((end) => statusProbe(end, api)),
  ]
  const waited = await waitForAll(probes, plan, step.deps)
  // a failed flow's task says why it failed: its lookup gets what is left of one request's time, no more
  return details.complete(waited, Math.max(0, Math.min(inputs.requestTimeoutMs, hardEnd - now())))
}

/**
 * Outputs, the job summary, then the verdict: the step fails with the message (an answer it could not read is the
 * failure, whatever else the verdict says), or passes with a warning.
 */
async function report(
  outcomes: readonly ProbeOutcome[],
  sent: { outcome: ProbeOutcome<ChangeAnswer>; unreadable?: Error } | undefined,
  step: Step,
) {
  const { inputs } = step
  const answer = sent?.outcome.found
  const context = {
    region: inputs.region,
    timeoutMs: inputs.timeoutMs,
    sent: answer ? inputs.call?.action : undefined,
  }
  const judged = verdict(outcomes, inputs.failOnTimeout)
  // an answer the step could not read is the failure, whatever else the verdict says
  const failure = sent?.unreadable?.message ?? failureMessage(judged, context)
  const outputs = stepOutputs(outcomes, { requests: step.transport.requests(), answer })
  const file = answer && outputs.response === '' ? writeLargeAnswer(inputs.call?.action ?? '', answer, step.log) : ''
  // the reason as the error annotation says it, bounded as it is
  setOutputs({ ...outputs, 'response-file': file, reason: annotation(failure ?? '') })
  if (process.env.GITHUB_STEP_SUMMARY) {
    const title = waitingFor(inputs, inputs.call)
    await writeSummary(outcomes, { ...context, title, lines: sentLines(inputs.call), reason: failure })
  }
  if (failure) throw new Error(failure)
  const late = lateWarning(judged, context)
  if (late) step.log.warning(late)
}

/** An answer larger than an output holds: whole, in a file of the runner's temporary directory, named by an output. */
function writeLargeAnswer(action: string, answer: ChangeAnswer, log: Log): string {
  const json = responseJson(answer)
  let file: string
  try {
    file = join(mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'cynosdb-wait-flow-')), 'response.json')
    writeFileSync(file, json)
  } catch (error) {
    // the change is made whatever the disk says: the wait goes on, and only the file is missing
    log.warning(
      `${action}'s answer is ${Buffer.byteLength(json)} bytes, more than an output holds, and could not be written to a file (${error instanceof Error ? error.message : String(error)}): 'response' is empty`,
    )
    return ''
  }
  log.warning(
    `${action}'s answer is ${Buffer.byteLength(json)} bytes, more than the ${MAX_OUTPUT_BYTES / 1024} KiB an output holds: 'response' is empty, and 'response-file' names a file that holds it (${file})`,
  )
  return file
}

/**
 * `dry-run`: with `call`, the keys proven (retried as reads) and the plan said, the change never sent; with IDs, one
 * round of reads, reported, and no waiting. A failure a real run would meet before sending fails it the same way.
 */
async function dryRun(step: Step): Promise<void> {
  const { inputs, log } = step
  if (inputs.call) {
    const call = inputs.call
    const keys = await poll(
      {
        name: 'Credentials',
        rows: [{ kind: 'credentials', id: keysKind(step), result: 'unknown', state: 'not proven' }],
        async check(budget) {
          const proven = await proveKeys(inputs, step.api, budget)
          return {
            rows: [{ kind: 'credentials', id: keysKind(step), result: 'succeeded', state: proven }],
            line: proven,
            found: proven,
          }
        },
      },
      step.plan,
      step.deps,
    )
    const failure = failureMessage(verdict([keys], true), { region: inputs.region, timeoutMs: inputs.timeoutMs })
    if (failure) throw new Error(failure)
    const plan = planMarkdown(inputs, call, keys.found ?? '')
    log.notice(`Dry run: ${call.action} was checked and not sent; it would wait for ${wouldWaitFor(call.action)}`)
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(plan, true).write()
    setOutputs({ ...stepOutputs([], { requests: step.transport.requests() }), plan, 'dry-run': 'true' })
    return
  }
  // one round of each probe: the deadline is the start, so the engine's last round is its first
  const oneRound = { ...step.plan, timeoutMs: 0, hardEndMs: inputs.requestTimeoutMs }
  const outcomes = await waitFor(inputs, { ...step, plan: oneRound })
  const plan = statesMarkdown(outcomes)
  setOutputs({ ...stepOutputs(outcomes, { requests: step.transport.requests() }), plan, 'dry-run': 'true' })
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(plan, true).write()
  const failed = outcomes.filter((outcome) => outcome.end === 'error')
  if (failed.length > 0) {
    const failure = failureMessage(verdict(failed, true), { region: inputs.region, timeoutMs: inputs.timeoutMs })
    throw new Error(failure ?? 'the dry run failed')
  }
  log.notice('Dry run: read once, not waited for')
}

/** The credentials row's ID: where the keys come from, in a word. */
const keysKind = (step: Step): string => (step.inputs.credentials.kind === 'oidc' ? 'keyless' : 'static keys')

/** Every output of the step, each with a secret the API echoed (in `response`, say) replaced in every form. */
function setOutputs(outputs: StepOutputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(value))
}
