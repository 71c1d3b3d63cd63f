// The dry run's pure parts: how the keys are proven, and what the plan says it would wait for.
import { describe, expect, it } from 'vitest'
import type { StepApi } from '../src/api.ts'
import { proveKeys, wouldWaitFor } from '../src/dry-run.ts'
import { getInputs } from '../src/inputs/index.ts'
import { ApiError } from '../src/tencent/errors.ts'

const inputs = getInputs(
  (name) => ({ 'secret-id': 'AKIDx', 'secret-key': 'k', region: 'ap-guangzhou', 'flow-id': '1' })[name] ?? '',
  {},
  () => undefined,
)
const budget = { signal: new AbortController().signal, notAfter: Number.POSITIVE_INFINITY }
const answering = (error?: Error): StepApi =>
  ({
    credentials: 'static keys',
    ready: async () => undefined,
    describeFlow: async () => {
      if (error) throw error
      return { value: 2, requestId: 'r', trace: { action: 'DescribeFlow', host: 'h', latencyMs: 1 } }
    },
  }) as unknown as StepApi

describe('proveKeys with static keys: one DescribeFlow', () => {
  it.each([
    { name: 'a flow answered', error: undefined, says: /sign for region ap-guangzhou \(DescribeFlow answered\)/ },
    {
      name: 'FlowNotFound: the key signed, the flow is made up',
      error: new ApiError('DescribeFlow', 'InvalidParameterValue.FlowNotFound', 'x', 'r'),
      says: /sign for region ap-guangzhou/,
    },
    {
      name: 'a denial: the key signed, and lacks the action the wait needs',
      error: new ApiError('DescribeFlow', 'UnauthorizedOperation.PermissionDenied', 'x', 'r'),
      says: /lack cynosdb:DescribeFlow, which waiting for a FlowId needs/,
    },
  ])('$name', async ({ error, says }) => {
    expect(await proveKeys(inputs, answering(error), budget)).toMatch(says)
  })

  it('a key that does not sign fails, as a real run would', async () => {
    const error = new ApiError('DescribeFlow', 'AuthFailure.SecretIdNotFound', 'x', 'r')
    await expect(proveKeys(inputs, answering(error), budget)).rejects.toBe(error)
  })
})

describe('wouldWaitFor: from the table of meaning', () => {
  it.each([
    { action: 'RestartInstance', says: /^its FlowId, with DescribeFlow until Status 0/ },
    { action: 'CreateClusters', says: /^its DealNames, with DescribeResourcesByDealName/ },
    { action: 'OpenAuditService', says: /^the status its end shows/ },
    { action: 'ModifyClusterName', says: /^nothing: the change is done when it is answered$/ },
  ])('$action', ({ action, says }) => {
    expect(wouldWaitFor(action)).toMatch(says)
  })
})
