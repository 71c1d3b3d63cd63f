// One Tencent Cloud API 3.0 call over undici: build the headers, sign them (or send the call unsigned, as STS
// AssumeRoleWithWebIdentity wants), and turn the answer into data or a typed error. Retrying is the caller's job.
import type { Dispatcher } from 'undici'
import { formatDuration } from '../duration.ts'
import { quoted } from '../foreign-text.ts'
import {
  ApiError,
  CallError,
  HttpStatusError,
  NetworkError,
  UnexpectedResponseError,
  type RequestTrace,
} from './errors.ts'
import { sign } from './sign.ts'

export interface Credentials {
  readonly secretId: string
  readonly secretKey: string
  /** Temporary credentials only; sent as X-TC-Token. */
  readonly token?: string | undefined
}

export interface ApiCall {
  readonly endpoint: URL
  /** Credential scope service: `cynosdb` for DescribeFlow whatever host it is sent to. */
  readonly service: string
  readonly version: string
  readonly action: string
  readonly region: string
  /** The JSON body, exactly as sent and hashed. */
  readonly payload: string
  /** Absent: the call goes unsigned (`Authorization: SKIP`). */
  readonly credentials?: Credentials | undefined
  /** Integer unix seconds for X-TC-Timestamp and the signature. */
  readonly timestamp: number
  readonly timeoutMs: number
  /** Carries the step's network settings (proxies) and keeps its sockets, so the step can close them. */
  readonly dispatcher: Dispatcher
  readonly signal?: AbortSignal | undefined
}

export const CONTENT_TYPE = 'application/json'
/** X-TC-RequestClient: lets Tencent's side tell this action's calls apart (allowed characters only, no slash). */
export const REQUEST_CLIENT = 'cynosdb-wait-flow v1'

/** A DescribeFlow answer is a few hundred bytes; anything past this is not an API answer. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** Tencent Cloud error codes are dotted words; anything else in `Code` is a garbled answer. */
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/

/** The `Response` object of an answer, and what the request did. */
export interface ApiAnswer {
  readonly fields: Record<string, unknown>
  readonly trace: RequestTrace
}

/**
 * Sends the call and reads the answer within one deadline, `timeoutMs` for connect, headers and body together,
 * reading at most MAX_ANSWER_BYTES. Every failure is a CallError carrying the request's trace.
 */
export async function callApi(call: ApiCall): Promise<ApiAnswer> {
  const signedHeaders = { 'content-type': CONTENT_TYPE, host: call.endpoint.host, 'x-tc-action': call.action }
  const authorization = call.credentials
    ? sign({
        ...call.credentials,
        service: call.service,
        timestamp: call.timestamp,
        headers: signedHeaders,
        payload: call.payload,
      }).authorization
    : 'SKIP'
  const headers: Record<string, string> = {
    ...signedHeaders,
    authorization,
    'x-tc-version': call.version,
    'x-tc-region': call.region,
    'x-tc-timestamp': String(call.timestamp),
    'x-tc-language': 'en-US',
    'x-tc-requestclient': REQUEST_CLIENT,
  }
  if (call.credentials?.token) headers['x-tc-token'] = call.credentials.token

  const host = call.endpoint.host
  const startedAt = performance.now()
  let httpStatus: number | undefined
  let requestId: string | undefined
  const trace = (): RequestTrace => ({
    action: call.action,
    host,
    httpStatus,
    requestId,
    latencyMs: performance.now() - startedAt,
  })
  const timeout = AbortSignal.timeout(Math.max(1, call.timeoutMs))
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout
  try {
    const response = await call.dispatcher.request({
      origin: call.endpoint.origin,
      path: '/', // endpoints are hosts: inputs.ts rejects a path
      method: 'POST',
      headers,
      body: call.payload,
      signal, // one deadline for headers and body; undici's idle timers would restart with every chunk
    })
    httpStatus = response.statusCode
    if (response.statusCode !== 200) {
      discard(response.body) // a web page at best; never read
      throw new HttpStatusError(call.action, host, response.statusCode, retryAfterMs(response.headers['retry-after']))
    }
    const text = await readCapped(response.body, Number(response.headers['content-length'] ?? 0))
    const fields = responseObject(call.action, host, text)
    requestId = typeof fields.RequestId === 'string' ? fields.RequestId.slice(0, 128) : undefined
    if ('Error' in fields) throw apiError(call.action, host, fields, requestId, response.headers.date)
    return { fields, trace: trace() }
  } catch (caught) {
    const error = asCallError(caught, call, timeout)
    if (error instanceof ApiError) requestId = error.requestId
    error.trace = trace()
    throw error
  }
}

/** Closes a body without reading it; the error its closing emits is expected, not a fault. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined)
  body.destroy()
}

async function readCapped(body: Dispatcher.ResponseData['body'], declared: number): Promise<string> {
  const tooLarge = (): UnexpectedResponseError =>
    new UnexpectedResponseError(`the answer is larger than ${MAX_ANSWER_BYTES / 1024} KiB: not an API answer`)
  if (declared > MAX_ANSWER_BYTES) {
    discard(body)
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > MAX_ANSWER_BYTES) throw tooLarge() // leaving the loop closes the stream
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The `Response` object of a 200 answer. */
function responseObject(action: string, host: string, text: string): Record<string, unknown> {
  let answer: unknown
  try {
    answer = JSON.parse(text)
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
): CallError {
  const error = fields.Error as { Code?: unknown; Message?: unknown } | null
  if (typeof error !== 'object' || error === null || typeof error.Code !== 'string' || !ERROR_CODE.test(error.Code)) {
    return new UnexpectedResponseError(
      `${action} got an answer from ${host} whose Error is not an error object with a Code: ${quoted(JSON.stringify(fields.Error) ?? 'undefined', 120)}`,
    )
  }
  const message = typeof error.Message === 'string' ? error.Message.slice(0, 2000) : ''
  return new ApiError(action, error.Code, message, requestId, serverTime(date))
}

/** The server's clock from a Date header, when it is one. */
function serverTime(date: unknown): number | undefined {
  const ms = typeof date === 'string' ? Date.parse(date) : Number.NaN
  return Number.isFinite(ms) ? ms : undefined
}

/** Retry-After as seconds (`120`) or an HTTP date; undefined when absent or unusable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}

/** Any failure of the request as a CallError: ours as they are, the network stack's wrapped with its code. */
function asCallError(caught: unknown, call: ApiCall, timeout: AbortSignal): CallError {
  if (caught instanceof CallError) return caught
  const host = call.endpoint.host
  if (timeout.aborted && !call.signal?.aborted) {
    return new NetworkError(
      `${call.action} to ${host} got no complete answer within ${formatDuration(call.timeoutMs)}`,
      'RequestTimeout',
      caught,
    )
  }
  if (call.signal?.aborted) {
    return new NetworkError(`${call.action} to ${host} was stopped`, 'Aborted', caught)
  }
  const cause = caught instanceof Error ? caught : new Error(String(caught))
  const code = (cause as { code?: unknown }).code
  return new NetworkError(
    `${call.action} to ${host} failed: ${cause.message}`,
    typeof code === 'string' ? code : 'Unknown',
    cause,
  )
}
