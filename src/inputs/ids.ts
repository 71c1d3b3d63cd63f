// What to wait for when an earlier step made the change: flow-id, task-ids and deal-names.
import { DEAL_NAME, decimalId, UUID } from '../shapes.ts'
import { InputError, show } from './input-error.ts'

/** Flow IDs, task IDs and deal names accepted in one step, each. */
export const MAX_IDS = 100

const split = (value: string): string[] => value.split(/[\s,]+/).filter((part) => part !== '')

/** Positive integer IDs (flow IDs, task IDs) as decimal text, deduplicated; empty input is none. */
function parseIds(value: string, name: string, what: string): string[] {
  const ids = split(value).map((part) => {
    if (UUID.test(part) && name === 'flow-id') {
      throw new InputError(
        `Input 'flow-id' got ${show(part)}, which is not a task flow ID but looks like the AsyncRequestId of ModifyClusterParam as the API docs' example shows it (a UUID). ` +
          'No CynosDB API is documented to wait on such an ID. A numeric AsyncRequestId is accepted here, as the Terraform provider waits on it with DescribeFlow; ' +
          "flow-id takes FlowIds, and 'deal-names' and 'task-ids' take DealNames and TaskIds (see the README, \"What to give the action\")",
      )
    }
    const id = decimalId(part)
    if (id === undefined) {
      throw new InputError(
        `Input '${name}' must hold positive integer ${what}s (1 to 2^63-1, e.g. 123456); got ${show(part)}`,
      )
    }
    return id
  })
  return atMostMax([...new Set(ids)], name, `${what}s`)
}

function atMostMax(unique: string[], name: string, what: string): string[] {
  if (unique.length > MAX_IDS) {
    throw new InputError(`Input '${name}' holds ${unique.length} ${what}; at most ${MAX_IDS} are accepted in one step`)
  }
  return unique
}

/** Task flow IDs: the FlowId a CynosDB change answered (or a numeric AsyncRequestId). */
export const parseFlowIds = (value: string, name = 'flow-id'): string[] => parseIds(value, name, 'task flow ID')

/** Task IDs: the TaskId a change answered, or the TaskIds of ModifyClusterReadOnly's ClusterTaskIds. */
export const parseTaskIds = (value: string, name = 'task-ids'): string[] => parseIds(value, name, 'task ID')

/** Deal names as CreateClusters and AddInstances return them (DealNames); empty input is no deal. */
export function parseDealNames(value: string, name = 'deal-names'): string[] {
  const parts = split(value)
  for (const part of parts) {
    if (!DEAL_NAME.test(part)) {
      throw new InputError(
        `Input '${name}' must hold the DealNames a purchase returned (letters, digits, _ and -, separated by commas, spaces or new lines); got ${show(part)}`,
      )
    }
  }
  return atMostMax([...new Set(parts)], name, 'deal names')
}
