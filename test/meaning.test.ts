// The table of meaning (src/tencent/meaning.ts): what each error code says of the request it answers, and how the
// step acts on it; what an answer's handles hold.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { changeHint, unansweredChangeHint } from '../src/hints.ts'
import { provesNotCarriedOut } from '../src/retry.ts'
import { ApiError } from '../src/tencent/errors.ts'
import { errorClass, errorCodes, valuesAt } from '../src/tencent/meaning.ts'

const refusal = (code: string) => new ApiError('RestartInstance', code, 'the API says why', 'r')

describe('error classes, from the official error list', () => {
  it.each([
    { code: 'RequestLimitExceeded', is: 'throttled' },
    { code: 'RequestLimitExceeded.UinLimitExceeded', is: 'throttled' },
    { code: 'OperationDenied.ClusterTaskConflictError', is: 'busy' },
    { code: 'OperationDenied.InstanceTaskConflictError', is: 'busy' },
    { code: 'OperationDenied.InstanceGrpTaskConflictError', is: 'busy' },
    { code: 'OperationDenied.BackupVaultTaskConflictError', is: 'busy' },
    { code: 'ResourceUnavailable.InstanceLockFail', is: 'busy' },
    { code: 'LimitExceeded', is: 'quota' },
    { code: 'LimitExceeded.UserInstanceLimit', is: 'quota' },
    { code: 'ResourceUnavailable.InstanceStatusAbnormal', is: 'refused' },
    { code: 'OperationDenied.CamDeniedError', is: 'permission' },
    { code: 'UnauthorizedOperation.PermissionDenied', is: 'permission' },
    { code: 'AuthFailure.SignatureFailure', is: 'auth' },
    { code: 'FailedOperation.OperationFailedError', is: 'server-fault' },
    { code: 'FailedOperation.CamSigAndAuthError', is: 'server-fault' },
    { code: 'InternalError', is: 'server-fault' },
    { code: 'InvalidParameterValue.DealNameNotFound', is: 'not-yet-visible' },
    { code: 'InvalidParameterValue.FlowNotFound', is: 'not-found' },
    { code: 'FailedOperation.CreateOrder', is: 'unknown' },
    // codes the list does not have take their family's class, or none
    { code: 'InternalError.NewFault', is: 'server-fault' },
    { code: 'RequestLimitExceeded.NewLimit', is: 'throttled' },
    { code: 'Made.Up', is: 'unknown' },
  ])('$code is $is', ({ code, is }) => {
    expect(errorClass(code)).toBe(is)
  })

  it('places every code of the list, each with what it says', () => {
    const codes = errorCodes()
    expect(codes.length).toBeGreaterThan(150)
    for (const { code, says } of codes) {
      expect(code).toMatch(/^[A-Z][A-Za-z]+(\.[A-Za-z0-9]+)?$/)
      expect(says.length).toBeGreaterThan(3)
    }
  })
})

describe('what a refused change came to', () => {
  it.each([
    { name: 'busy: sent again', code: 'OperationDenied.ClusterTaskConflictError', again: true },
    { name: 'throttled: sent again', code: 'RequestLimitExceeded', again: true },
    { name: 'a quota: final', code: 'LimitExceeded.ClusterInstanceLimit', again: false },
    { name: 'a fault of the service: never sent twice', code: 'InternalError', again: false },
  ])('$name', ({ code, again }) => {
    expect(provesNotCarriedOut(refusal(code))).toBe(again)
  })

  it.each([
    { code: 'ResourceUnavailable.InstanceStatusAbnormal', says: /^The API refused the call, so nothing was changed/ },
    { code: 'LimitExceeded.UserInstanceLimit', says: /^The API refused the call, so nothing was changed/ },
    {
      code: 'OperationDenied.CamDeniedError',
      says: /nothing was changed\. The key or role lacks permission: grant it the CAM action cynosdb:RestartInstance/,
    },
    { code: 'InternalError.DbOperationFailed', says: /^The change was sent and may have been applied/ },
    { code: 'FailedOperation.CreateOrder', says: /^The change was sent and may have been applied/ },
  ])('$code: $says', ({ code, says }) => {
    expect(changeHint(refusal(code), { region: 'ap-guangzhou' })).toMatch(says)
  })

  it('busy until the timeout: never carried out, and says what to do', () => {
    expect(unansweredChangeHint('timeout', refusal('OperationDenied.InstanceTaskConflictError'))).toMatch(
      /stayed busy with another task until the timeout .* never carried out: run the step again once that task has ended/,
    )
  })
})

describe('valuesAt: the values at a handle, null as absent', () => {
  it.each([
    { name: 'a top-level field', answer: { FlowId: 7 }, path: 'FlowId', values: [7], malformed: false },
    { name: 'null', answer: { FlowId: null }, path: 'FlowId', values: [], malformed: false },
    { name: 'absent', answer: {}, path: 'FlowId', values: [], malformed: false },
    {
      name: 'a list',
      answer: { DealNames: ['a', null, 'b'] },
      path: 'DealNames[]',
      values: ['a', 'b'],
      malformed: false,
    },
    {
      name: 'deep in a list of objects',
      answer: { VaultTask: [{ TaskId: 1 }, null, { TaskId: null }, { TaskId: 2 }] },
      path: 'VaultTask[].TaskId',
      values: [1, 2],
      malformed: false,
    },
    {
      name: 'a string where a list belongs',
      answer: { DealNames: 'a' },
      path: 'DealNames[]',
      values: [],
      malformed: true,
    },
    {
      name: 'a list of lists where objects belong',
      answer: { VaultTask: [[{ TaskId: 1 }]] },
      path: 'VaultTask[].TaskId',
      values: [],
      malformed: true,
    },
  ])('$name', ({ answer, path, values, malformed }) => {
    expect(valuesAt(answer, path)).toEqual({ values, malformed })
  })
})

describe("the README's error classes", () => {
  it('list every code of the table under its class, and nothing else', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.split('### What each error code means')[1]?.split('\n## ')[0] ?? ''
    const listed = new Map<string, string>()
    for (const line of section.split('\n')) {
      const bullet = /^- \*\*([a-z-]+)\*\* \((\d+)\): /.exec(line)
      if (!bullet) continue
      const codes = [...line.matchAll(/`([A-Za-z0-9.]+)`/g)].map((m) => m[1] ?? '')
      expect(codes).toHaveLength(Number(bullet[2]))
      for (const code of codes) listed.set(code, bullet[1] ?? '')
    }
    expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(errorCodes().map((c) => [c.code, c.class])))
  })
})
