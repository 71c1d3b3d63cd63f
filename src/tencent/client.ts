// One Tencent Cloud API 3.0 request: build the headers, sign them (or send it unsigned, as STS
// AssumeRoleWithWebIdentity wants), send it (http.ts), and turn the answer into data or a typed error.
import type { Dispatcher } from 'undici'
import { cut, quoted } from '../foreign-text.ts'
import { send, UnexpectedResponseError, type RequestError, type RequestTrace } from '../http.ts'
import { parseJson, toJson } from '../json.ts'
import { ApiError } from './errors.ts'
import { sign } from './sign.ts'

export interface Credentials {
  readonly secretId: string
  readonly secretKey: string
  /** Temporary credentials only; sent as X-TC-Token. */
  readonly token?: string | undefined
}

export interface ApiRequest {
  readonly endpoint: URL
  /** Credential scope service: `cynosdb` for CynosDB whatever host it is sent to. */
  readonly service: string
  readonly version: string
  readonly action: string
  readonly region: string
  /** The JSON body, exactly as sent and hashed. */
  readonly payload: string
  /** Absent: the request goes unsigned (`Authorization: SKIP`). */
  readonly credentials?: Credentials | undefined
  /** Integer unix seconds for X-TC-Timestamp and the signature. */
  readonly timestamp: number
  readonly timeoutMs: number
  readonly dispatcher: Dispatcher
  readonly signal?: AbortSignal | undefined
}

export const CONTENT_TYPE = 'application/json'
/** X-TC-RequestClient: lets Tencent's side tell this action's calls apart (allowed characters only, no slash). */
export const REQUEST_CLIENT = 'cynosdb-wait-flow v1'

/** An API answer is a few kilobytes at most; anything past this is not an API answer. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** Tencent Cloud error codes are dotted words; anything else in `Code` is a garbled answer. */
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/

/** The `Response` object of an answer (integers beyond 2^53 as BigInt), and what the request did. */
export interface ApiAnswer {
  readonly fields: Record<string, unknown>
  readonly requestId: string | undefined
  readonly trace: RequestTrace
}

/** Sends the request and reads the answer (http.ts: one deadline, bounded size). Every failure is a RequestError. */
export async function requestApi(request: ApiRequest): Promise<ApiAnswer> {
  const signedHeaders = { 'content-type': CONTENT_TYPE, host: request.endpoint.host, 'x-tc-action': request.action }
  const authorization = request.credentials
    ? sign({
        ...request.credentials,
        service: request.service,
        timestamp: request.timestamp,
        headers: signedHeaders,
        payload: request.payload,
      }).authorization
    : 'SKIP'
  const headers: Record<string, string> = {
    ...signedHeaders,
    authorization,
    'x-tc-version': request.version,
    'x-tc-region': request.region,
    'x-tc-timestamp': String(request.timestamp),
    'x-tc-language': 'en-US',
    'x-tc-requestclient': REQUEST_CLIENT,
  }
  if (request.credentials?.token) headers['x-tc-token'] = request.credentials.token

  const answer = await send({
    action: request.action,
    url: new URL('/', request.endpoint), // endpoints are hosts: inputs.ts rejects a path
    method: 'POST',
    headers,
    body: request.payload,
    dispatcher: request.dispatcher,
    signal: request.signal,
    timeoutMs: request.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
  })
  const host = request.endpoint.host
  let requestId: string | undefined
  try {
    const fields = responseObject(request.action, host, answer.text)
    requestId = typeof fields.RequestId === 'string' ? fields.RequestId.slice(0, 128) : undefined
    if ('Error' in fields) throw apiError(request.action, host, fields, requestId, answer.headers.date)
    return { fields, requestId, trace: { ...answer.trace, requestId } }
  } catch (error) {
    ;(error as RequestError).trace = { ...answer.trace, requestId }
    throw error
  }
}

/** The `Response` object of a 200 answer. */
function responseObject(action: string, host: string, text: string): Record<string, unknown> {
  let answer: unknown
  try {
    answer = parseJson(text)
  } catch {
    throw new UnexpectedResponseError(`${action} got an answer from ${host} that is not JSON`)
  }
  const inner = (answer as { Response?: unknown } | null)?.Response
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    throw new UnexpectedResponseError(`${action} got an answer from ${host} without a Response object`)
  }
  return inner as Record<string, unknown>
}

/** The ApiError an answer's `Error` reports, or a garbled-answer error when it is not a Tencent error. */
function apiError(
  action: string,
  host: string,
  fields: Record<string, unknown>,
  requestId: string | undefined,
  date: unknown,
): RequestError {
  const error = fields.Error as { Code?: unknown; Message?: unknown } | null
  if (typeof error !== 'object' || error === null || typeof error.Code !== 'string' || !ERROR_CODE.test(error.Code)) {
    return new UnexpectedResponseError(
      `${action} got an answer from ${host} whose Error is not an error object with a Code: ${quoted(toJson(fields.Error) ?? 'undefined', 120)}`,
    )
  }
  const message = typeof error.Message === 'string' ? cut(error.Message, 2000) : ''
  return new ApiError(action, error.Code, message, requestId, serverTime(date))
}

/** The server's clock from a Date header, when it is one. */
function serverTime(date: unknown): number | undefined {
  const ms = typeof date === 'string' ? Date.parse(date) : Number.NaN
  return Number.isFinite(ms) ? ms : undefined
}
