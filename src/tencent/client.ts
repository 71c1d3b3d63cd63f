// One Tencent Cloud API 3.0 call over undici: build the headers, sign them (or send the call unsigned, as STS
// AssumeRoleWithWebIdentity wants), and turn the answer into data or a typed error. Retrying is the caller's job.
import type { Dispatcher } from 'undici'
import { ApiError, UnexpectedResponseError } from './errors.ts'
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

/** Returns the `Response` object of the answer. */
export async function callApi(call: ApiCall): Promise<Record<string, unknown>> {
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

  const response = await call.dispatcher.request({
    origin: call.endpoint.origin,
    path: '/', // endpoints are hosts: inputs.ts rejects a path
    method: 'POST',
    headers,
    body: call.payload,
    signal: call.signal,
    headersTimeout: call.timeoutMs,
    bodyTimeout: call.timeoutMs,
  })
  const text = await response.body.text()
  if (response.statusCode !== 200) {
    throw new UnexpectedResponseError(`${call.action} got HTTP ${response.statusCode} from ${call.endpoint.host}`)
  }
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    throw new UnexpectedResponseError(`${call.action} got an answer from ${call.endpoint.host} that is not JSON`)
  }
  const inner = (answer as { Response?: unknown } | null)?.Response
  if (typeof inner !== 'object' || inner === null) {
    throw new UnexpectedResponseError(
      `${call.action} got an answer from ${call.endpoint.host} without a Response object`,
    )
  }
  const fields = inner as Record<string, unknown>
  const error = fields.Error as { Code?: unknown; Message?: unknown } | undefined
  if (error !== undefined) {
    const requestId = typeof fields.RequestId === 'string' ? fields.RequestId : undefined
    const date = Date.parse(String(response.headers.date ?? ''))
    throw new ApiError(
      call.action,
      String(error.Code ?? 'UnknownError'),
      String(error.Message ?? ''),
      requestId,
      Number.isNaN(date) ? undefined : date,
    )
  }
  return fields
}
