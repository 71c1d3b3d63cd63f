// The change calls (ModifyInstanceParam, CreateClusters, ...): one planned step per call, the last repeating; any
// other valid call of a CynosDB action answers its RequestId alone.
import { checkStruct, nearestNames, type ApiModel } from '../../../src/tencent/api-model.ts'
import { faultReply, toJson, type Handler } from './context.ts'
import { isFault, nth, planError, type ChangeStep, type FakeTencentOptions } from './plans.ts'

/** Each answer checked against its action's response in the model: a wrong one stops the start. */
function checkChanges(plans: Readonly<Record<string, readonly ChangeStep[]>>, model: ApiModel, modelled: Set<string>) {
  for (const [action, steps] of Object.entries(plans)) {
    const bad = planError('changes', action)
    const response = Object.hasOwn(model.actions, action) ? model.actions[action]?.response : undefined
    if (response === undefined)
      bad(`not a CynosDB action (nearest: ${nearestNames(action, Object.keys(model.actions)).join(', ') || 'none'})`)
    if (modelled.has(action)) bad('the stand-in answers it from its other options')
    if (!Array.isArray(steps) || steps.length === 0) bad('a non-empty list of steps')
    for (const step of steps) {
      if (typeof step === 'object' && step !== null && 'answer' in step) {
        if ('RequestId' in step.answer) bad("RequestId is the stand-in's to give")
        const problems = checkStruct(model, response ?? '', step.answer, [], true)
        if (problems.length > 0)
          bad(`${toJson(step.answer)} is not a ${response}: ${problems.map((p) => p.message).join(' ')}`)
      } else if (!isFault(step)) {
        bad(`${JSON.stringify(step)} is neither {"answer":{...}} nor a fault`)
      }
    }
  }
}

/** The handler of every CynosDB action the stand-in does not model (`modelled`), from the change plans. */
export function changeCall(options: FakeTencentOptions, model: ApiModel, modelled: Set<string>) {
  const plans = options.changes ?? {}
  checkChanges(plans, model, modelled)
  return (action: string): Handler =>
    (standIn) => {
      const plan = Object.hasOwn(plans, action) ? plans[action] : undefined
      // an action the stand-in has no plan for: the request was valid, the answer says nothing more
      if (!plan) return { answer: 'RequestId', response: {} }
      const step = nth(plan, standIn.count(`change ${action}`)) as ChangeStep
      if (typeof step === 'object' && 'answer' in step)
        return { answer: toJson(step.answer), response: { ...step.answer } }
      return faultReply(step)
    }
}
