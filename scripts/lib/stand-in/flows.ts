// DescribeFlow: one step of the flow's plan per call (a status, a fault, or a step held until other answers), or
// the benchmark's end times.
import { faultReply, type Handler, type Reply } from './context.ts'
import { isFault, nth, planError, type FakeTencentOptions, type HeldStep, type Step } from './plans.ts'

const isHeld = (step: Step): step is HeldStep => typeof step === 'object' && step !== null && 'heldUntil' in step
const isStatus = (step: unknown): boolean =>
  typeof step === 'number' || (typeof step === 'object' && step !== null && 'status' in step)

/** A held step the stand-in cannot play stops the start: it would hold an answer forever. */
export function checkFlows(flows: FakeTencentOptions['flows'] = {}): void {
  for (const [flowId, script] of Object.entries(flows)) {
    const bad = planError('flows', flowId)
    for (const step of script) {
      if (!isHeld(step)) continue
      const { action, answered } = (step.heldUntil ?? {}) as Partial<HeldStep['heldUntil']>
      if (typeof action !== 'string' || !Number.isInteger(answered) || (answered ?? 0) < 1)
        bad('heldUntil is {"action": "DescribeTasks", "answered": 1 or more}')
      if (!isStatus(step.step) && !isFault(step.step)) bad('a held step holds a status or a fault')
    }
  }
}

const status = (value: number, answer = String(value)): Reply => ({ answer, response: { Status: value } })

export const describeFlow: Handler = async (standIn, { params, arrivedAt }) => {
  // A bigint when past 2^53: every digit is kept. The model check has made sure it is a whole number.
  const flowId = String(params.FlowId)
  const endsAt = standIn.options.endsAt?.get(flowId)
  if (endsAt !== undefined) return status(arrivedAt >= endsAt ? 0 : 2)
  const script = standIn.options.flows?.[flowId]
  if (!script) return { error: 'InvalidParameterValue.FlowNotFound', message: `Taskflow ID doesn't exist: ${flowId}` }
  let step = nth(script, standIn.count(`flow ${flowId}`))
  if (step === undefined) throw new Error(`empty script for flow ${flowId}`)
  if (isHeld(step)) {
    await standIn.answered(step.heldUntil.action, step.heldUntil.answered)
    step = step.step
  }
  if (typeof step === 'number') return status(step)
  if (typeof step === 'object' && 'status' in step) return status(step.status, `status ${step.status}`)
  return faultReply(step)
}
