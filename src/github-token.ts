// GitHub's OIDC ID token for keyless auth, asked of the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL).
// @actions/core's getIDToken would do it, but takes no deadline and no AbortSignal and retries up to ten times on
// its own: a token endpoint that never answers kept the step alive past its timeout, and past SIGTERM. This is
// the same request (GET with the request token as Bearer, `audience` as a query parameter, `{"value": …}` back)
// through the step's own transport: one deadline, cancellation, the runner's proxy settings, a bounded answer.
import type { Dispatcher } from 'undici'
import { send, UnexpectedResponseError, type RequestTrace } from './http.ts'

export const ID_TOKEN_ACTION = 'GitHub ID token request'
/** An ID token is a JWT of a few kilobytes. */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024

export interface IdTokenRequest {
  readonly url: URL
  readonly requestToken: string
  readonly audience: string
  readonly dispatcher: Dispatcher
  readonly signal: AbortSignal
  readonly timeoutMs: number
}

/** The token, and what the request did. */
export async function fetchIdToken(request: IdTokenRequest): Promise<{ value: string; trace: RequestTrace }> {
  const url = new URL(request.url)
  url.searchParams.set('audience', request.audience)
  const answer = await send({
    action: ID_TOKEN_ACTION,
    url,
    method: 'GET',
    headers: {
      authorization: `Bearer ${request.requestToken}`,
      accept: 'application/json',
      'user-agent': 'cynosdb-wait-flow',
    },
    dispatcher: request.dispatcher,
    signal: request.signal,
    timeoutMs: request.timeoutMs,
    maxBytes: MAX_TOKEN_ANSWER_BYTES,
  })
  let value: unknown
  try {
    value = (JSON.parse(answer.text) as { value?: unknown } | null)?.value
  } catch {
    value = undefined
  }
  if (typeof value !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(value)) {
    const error = new UnexpectedResponseError(`the ${ID_TOKEN_ACTION} to ${url.host} got an answer without a token`)
    error.trace = answer.trace
    throw error
  }
  return { value, trace: answer.trace }
}
