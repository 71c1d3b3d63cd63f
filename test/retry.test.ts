import { describe, expect, it } from 'vitest'
import { BACKOFF_CAP_MS, backoffDelayMs, isTransient, NotSentError, refusedForRate, retryDelay } from '../src/retry.ts'
import { HttpStatusError, NetworkError, retryAfterMs, UnexpectedResponseError } from '../src/http.ts'
import { UnreachableError } from '../src/transport.ts'
import { ApiError } from '../src/tencent/errors.ts'

const api = (code: string): ApiError => new ApiError('DescribeFlow', code, 'm', 'r')
const withCode = (code: string): Error => Object.assign(new Error(code), { code })

describe('isTransient', () => {
  it.each([
    { name: 'throttling', error: api('RequestLimitExceeded') },
    { name: 'throttling per UIN', error: api('RequestLimitExceeded.UinLimitExceeded') },
    { name: 'throttling per IP', error: api('RequestLimitExceeded.IPLimitExceeded') },
    { name: 'a code the list says to try later', error: api('FailedOperation.OperationFailedError') },
    { name: 'a CAM check that failed, "please try again later"', error: api('FailedOperation.CamCheckResourceError') },
    { name: 'a new InternalError the list does not have yet', error: api('InternalError.SomethingNew') },
    { name: 'internal error', error: api('InternalError') },
    { name: 'internal DB error', error: api('InternalError.DbOperationFailed') },
    { name: 'DB access error', error: api('FailedOperation.DatabaseAccessError') },
    { name: 'service unavailable', error: api('ServiceUnavailable') },
    { name: 'HTTP 502 / not JSON', error: new UnexpectedResponseError('x') },
    { name: 'connection reset', error: withCode('ECONNRESET') },
    { name: 'connection refused', error: withCode('ECONNREFUSED') },
    { name: 'DNS failure', error: withCode('ENOTFOUND') },
    { name: 'TLS protocol error', error: withCode('ERR_SSL_WRONG_VERSION_NUMBER') },
    { name: 'headers timeout', error: withCode('UND_ERR_HEADERS_TIMEOUT') },
  ])('retries $name', ({ error }) => {
    expect(isTransient(error)).toBe(true)
  })

  it.each([
    { name: 'flow not found', error: api('InvalidParameterValue.FlowNotFound') },
    { name: 'flow not found (other code)', error: api('FailedOperation.FlowNotFoundError') },
    { name: 'bad signature', error: api('AuthFailure.SignatureFailure') },
    { name: 'stale token', error: api('AuthFailure.TokenFailure') },
    { name: 'CAM permission', error: api('UnauthorizedOperation.PermissionDenied') },
    { name: 'bad parameter', error: api('InvalidParameter') },
    { name: 'unsupported region', error: api('UnsupportedRegion') },
    { name: 'a quota (LimitExceeded: "exceeds the limit")', error: api('LimitExceeded') },
    { name: 'a quota of instances', error: api('LimitExceeded.UserInstanceLimit') },
    { name: 'resource unavailable: a refusal', error: api('ResourceUnavailable') },
    {
      name: 'an instance whose status is abnormal: a refusal',
      error: api('ResourceUnavailable.InstanceStatusAbnormal'),
    },
    { name: 'a FailedOperation the list gives no cause for', error: api('FailedOperation.CreateOrder') },
    { name: 'a CAM denial', error: api('OperationDenied.CamDeniedError') },
    { name: 'a self-signed certificate', error: withCode('DEPTH_ZERO_SELF_SIGNED_CERT') },
    { name: 'a certificate of an unknown CA', error: withCode('UNABLE_TO_GET_ISSUER_CERT_LOCALLY') },
    { name: 'an expired certificate', error: withCode('CERT_HAS_EXPIRED') },
    { name: 'a certificate for another host', error: withCode('ERR_TLS_CERT_ALTNAME_INVALID') },
    {
      name: 'an untrusted certificate, wrapped by a proxy tunnel',
      error: new Error('proxy', { cause: withCode('SELF_SIGNED_CERT_IN_CHAIN') }),
    },
    { name: 'a bug', error: new TypeError('undefined is not a function') },
    { name: 'not an error', error: 'oops' },
    {
      name: 'an endpoint that never answered',
      error: new UnreachableError('h', 3, 30_000, new NetworkError('refused', 'ECONNREFUSED', 'h', true)),
    },
  ])('does not retry $name', ({ error }) => {
    expect(isTransient(error)).toBe(false)
  })
})

describe("refusedForRate: the step's pace, not the backoff, says when to try again", () => {
  it.each([
    { name: 'RequestLimitExceeded', error: api('RequestLimitExceeded'), refused: true },
    { name: 'a sub-code of it', error: api('RequestLimitExceeded.UinLimitExceeded'), refused: true },
    {
      name: 'the STS call before a change, refused',
      error: new NotSentError(api('RequestLimitExceeded')),
      refused: true,
    },
    {
      name: 'HTTP 429 (not an answer of the API)',
      error: new HttpStatusError('DescribeFlow', 'h', 429, undefined),
      refused: false,
    },
    { name: 'a fault of the service', error: api('InternalError'), refused: false },
    { name: 'a quota, LimitExceeded', error: api('LimitExceeded'), refused: false },
    { name: 'the STS call failing otherwise', error: new NotSentError(withCode('ECONNRESET')), refused: false },
  ])('$name: $refused', ({ error, refused }) => {
    expect(refusedForRate(error)).toBe(refused)
  })
})

describe('backoffDelayMs: full jitter', () => {
  it.each([
    { attempt: 1, ceiling: 1000 },
    { attempt: 2, ceiling: 2000 },
    { attempt: 3, ceiling: 4000 },
    { attempt: 4, ceiling: 8000 },
    { attempt: 5, ceiling: BACKOFF_CAP_MS },
    { attempt: 50, ceiling: BACKOFF_CAP_MS },
  ])('attempt $attempt draws from [0, $ceiling)', ({ attempt, ceiling }) => {
    expect(backoffDelayMs(attempt, () => 0)).toBe(0)
    expect(backoffDelayMs(attempt, () => 0.5)).toBe(ceiling / 2)
    expect(backoffDelayMs(attempt, () => 0.999999)).toBe(ceiling - 1)
  })
})

describe('HTTP statuses and Retry-After', () => {
  it.each([
    { status: 408, transient: true },
    { status: 429, transient: true },
    { status: 500, transient: true },
    { status: 503, transient: true },
    { status: 301, transient: false },
    { status: 400, transient: false },
    { status: 403, transient: false },
    { status: 404, transient: false },
  ])('HTTP $status is transient: $transient', ({ status, transient }) => {
    expect(isTransient(new HttpStatusError('DescribeFlow', 'h', status, undefined))).toBe(transient)
  })

  it.each([
    { name: 'seconds', value: '120', ms: 120_000 },
    { name: 'an HTTP date', value: 'Wed, 21 Oct 2015 07:28:10 GMT', ms: 10_000 },
    { name: 'a date in the past', value: 'Wed, 21 Oct 2015 07:27:00 GMT', ms: 0 },
    { name: 'junk', value: 'soon', ms: undefined },
    { name: 'absent', value: undefined, ms: undefined },
  ])('reads Retry-After as $name', ({ value, ms }) => {
    expect(retryAfterMs(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(ms)
  })

  it('waits the server’s Retry-After when it is longer than the backoff, and says it must', () => {
    const error = new HttpStatusError('DescribeFlow', 'h', 429, 5000)
    expect(retryDelay(error, 1, () => 0.5)).toEqual({ ms: 5000, required: true })
    expect(retryDelay(new HttpStatusError('DescribeFlow', 'h', 429, 100), 1, () => 0.5)).toEqual({
      ms: 500,
      required: false,
    })
  })

  it('retries at once after a clock correction', () => {
    const error = new ApiError('DescribeFlow', 'AuthFailure.SignatureExpire', 'expired', 'r')
    expect(isTransient(error)).toBe(false)
    error.clockCorrected = true
    expect(isTransient(error)).toBe(true)
    expect(retryDelay(error, 3, () => 0.9)).toEqual({ ms: 0, required: false })
  })
})
