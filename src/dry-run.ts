// `dry-run: true`: everything a real run checks before it sends, then what it would send and wait for, sent never.
// The keys are proven with the fewest reads: keyless, the ID token and STS (the trust policy and role); static,
// one DescribeFlow, whose answer (even FlowNotFound, or a denial) shows the key signs for this account and region.
import type { StepApi } from './api.ts'
import type { RequestBudget } from './budget.ts'
import { forSummary } from './foreign-text.ts'
import type { ChangeCall, Inputs } from './inputs/index.ts'
import { classOf } from './tencent/errors.ts'
import { handlesOf, STATUS_ENDS } from './tencent/meaning.ts'
import { rowName, type ProbeOutcome } from './wait/probe.ts'
import { rowOutcomes } from './wait/verdict.ts'

/** How each handle is waited for, as the README's table says it. */
const HOW: Readonly<Record<string, string>> = {
  flow: 'its FlowId, with DescribeFlow until Status 0 (succeeded) or 1 (failed)',
  task: 'its TaskId, with DescribeTasks (a task that names a flow by DescribeFlow)',
  deal: 'its DealNames, with DescribeResourcesByDealName until delivered, then DescribeInstances until every instance runs',
  'async-request': 'a numeric AsyncRequestId, with DescribeFlow',
}

/** What the step would wait for after sending `action`, from the table of meaning. */
export function wouldWaitFor(action: string): string {
  const ways = [...new Set(handlesOf(action).flatMap((handle) => HOW[handle.names] ?? []))]
  if (Object.hasOwn(STATUS_ENDS, action)) ways.push('the status its end shows (README, "Changes that end in a status")')
  return ways.length > 0 ? ways.join('; or ') : 'nothing: the change is done when it is answered'
}

/**
 * Proves the keys as a real run would need them, or throws as a real run would before sending. A static key that
 * signs correctly but lacks DescribeFlow is said, not failed: the change may not need it.
 */
export async function proveKeys(inputs: Inputs, api: StepApi, budget: RequestBudget): Promise<string> {
  await api.ready(budget)
  if (inputs.credentials.kind === 'oidc') return `${api.credentials}: the ID token was exchanged at STS`
  try {
    await api.describeFlow('1', budget)
  } catch (error) {
    const errorClass = classOf(error)
    if (errorClass === 'permission') {
      return `${api.credentials}: they sign for region ${inputs.region}, but lack cynosdb:DescribeFlow, which waiting for a FlowId needs`
    }
    if (errorClass !== 'not-found') throw error
  }
  return `${api.credentials}: they sign for region ${inputs.region} (DescribeFlow answered)`
}

/** The plan, as a Markdown table for the summary and the `plan` output; every value escaped. */
export function planMarkdown(inputs: Inputs, call: ChangeCall, keys: string): string {
  const rows: [string, string][] = [
    ['action', `<code>${forSummary(call.action)}</code>`],
    ['region', `<code>${forSummary(inputs.region)}</code>`],
    ['endpoint', `<code>${forSummary(inputs.endpoint.host)}</code>`],
    [
      'parameters',
      call.parameterNames.length > 0
        ? call.parameterNames.map((name) => `<code>${forSummary(name)}</code>`).join(', ')
        : 'none',
    ],
    ['credentials', forSummary(keys)],
    ['would wait for', forSummary(wouldWaitFor(call.action))],
  ]
  return [
    `### Dry run: CynosDB ${forSummary(call.action)} was checked, not sent`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
  ].join('\n')
}

/** With IDs: what one round read of each, as a Markdown table. */
export function statesMarkdown(outcomes: readonly ProbeOutcome[]): string {
  const rows = rowOutcomes(outcomes)
  return [
    '### Dry run: read once, not waited for',
    '',
    '| what | state | result |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${forSummary(rowName(row))} | ${forSummary(row.state)} | ${row.result} |`),
    '',
  ].join('\n')
}
