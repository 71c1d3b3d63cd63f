// The step's own words for what it does: the first log line, and the line of the summary about a sent change.
import { formatDuration } from '../duration.ts'
import { forLog, forSummary } from '../foreign-text.ts'
import type { ChangeCall, Inputs } from '../inputs/index.ts'
import { plural } from '../words.ts'

export interface WaitedFor {
  readonly flowIds: readonly string[]
  readonly dealNames: readonly string[]
  readonly taskIds: readonly string[]
  readonly statuses?: readonly { readonly kind: string; readonly id: string; readonly read: { action: string } }[]
}

/**
 * What the step waits for, in words: `CynosDB task flow 123 and the instances of CynosDB deal d1`, or the change it
 * sends: `CynosDB ModifyInstanceParam (sent by this step)`.
 */
export function waitingFor(waits: WaitedFor, call?: ChangeCall): string {
  if (call) return `CynosDB ${call.action} (sent by this step)`
  const { flowIds, dealNames, taskIds, statuses = [] } = waits
  return [
    ...(flowIds.length > 0 ? [`CynosDB ${plural(flowIds.length, 'task flow')} ${flowIds.join(', ')}`] : []),
    ...(taskIds.length > 0 ? [`CynosDB ${plural(taskIds.length, 'task')} ${taskIds.join(', ')}`] : []),
    ...(dealNames.length > 0
      ? [`the instances of CynosDB ${plural(dealNames.length, 'deal')} ${dealNames.join(', ')}`]
      : []),
    ...statuses.map((end) => `${end.kind} ${forLog(end.id)} (read with ${end.read.action})`),
  ].join(' and ')
}

/** Where and how: `in ap-guangzhou via cynosdb.tencentcloudapi.com: timeout 30m, polling adaptively …`. */
export function where(inputs: Inputs): string {
  const polling =
    inputs.pollIntervalMs === undefined
      ? 'adaptively (1.25s growing to 10s)'
      : `every ${formatDuration(inputs.pollIntervalMs)}`
  return `in ${inputs.region} via ${inputs.endpoint.host}: timeout ${formatDuration(inputs.timeoutMs)}, polling ${polling}`
}

/** For the summary: the change the step sent, with the names of its parameters (never their values). */
export function sentLines(call: ChangeCall | undefined): string[] {
  if (!call) return []
  const names = call.parameterNames.map((name) => `<code>${forSummary(name)}</code>`).join(', ')
  return [`Sent <code>${forSummary(call.action)}</code>${names ? ` with parameters ${names}` : ' without parameters'}.`]
}
