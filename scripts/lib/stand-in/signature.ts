// The checks a request meets before any handler sees it, as Tencent Cloud makes them: POST / with a JSON content
// type, a known action and version, the region, the TC3-HMAC-SHA256 signature (scope, UTC date, timestamp window,
// signed headers), the token of a temporary key, and the body against the model.
import { checkRequest } from '../../../src/tencent/api-model.ts'
import { sign, utcDate } from '../../../src/tencent/sign.ts'
import { parseBody, type Reply, type StandIn } from './context.ts'

/**
 * The content types a JSON call may carry: Tencent's API pages send `application/json`, its signature docs
 * `application/json; charset=utf-8`. Whichever it is, it is signed as sent.
 */
const JSON_CONTENT_TYPES = new Set(['application/json', 'application/json; charset=utf-8'])

type Headers = Readonly<Record<string, string>>
const refuse = (error: string, message: string): Reply => ({ error, message })

/** POST / with a JSON body, whatever the service. */
export function checkEnvelope(
  method: string | undefined,
  url: string | undefined,
  headers: Headers,
): Reply | undefined {
  if (method !== 'POST' || url !== '/') return refuse('InvalidAction', `expected POST /, got ${method} ${url}`)
  if (!JSON_CONTENT_TYPES.has((headers['content-type'] ?? '').toLowerCase()))
    return refuse('InvalidParameter', `content-type ${headers['content-type']}`)
  return undefined
}

/** The body as JSON checked against `action` in the model: its params, or the API's error. */
export function checkBody(
  model: StandIn['models']['cynosdb'],
  action: string,
  body: string,
): Reply | { params: Record<string, unknown> } {
  const params = parseBody(body)
  // the API's wording for a body that is not JSON is not documented
  if (params === undefined) return refuse('InvalidParameter', 'The request body is not JSON.')
  const [problem] = checkRequest(model, action, params)
  if (problem) return refuse(problem.code, problem.message)
  return { params: params as Record<string, unknown> }
}

/** A signed CynosDB call: its params once every check passed, or the first refusal (the signature before the body). */
export function checkCynosdbCall(
  standIn: StandIn,
  action: string,
  headers: Headers,
  body: string,
): Reply | { params: Record<string, unknown> } {
  const model = standIn.models.cynosdb
  if (!Object.hasOwn(model.actions, action))
    return refuse('InvalidAction', checkRequest(model, action, {})[0]?.message ?? `unknown action ${action}`)
  if (headers['x-tc-version'] !== model.version)
    return refuse('InvalidParameter', `X-TC-Version ${headers['x-tc-version']}`)
  const region = standIn.options.region
  if (region && headers['x-tc-region'] !== region)
    return refuse('InvalidParameterValue.FlowNotFound', `no such flow in region ${headers['x-tc-region']}`)
  return checkSignature(standIn, headers, body) ?? checkBody(model, action, body)
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/

/** TC3-HMAC-SHA256 over exactly these headers and body, with a key the stand-in knows, and its token. */
function checkSignature(standIn: StandIn, headers: Headers, body: string): Reply | undefined {
  const auth = AUTHORIZATION.exec(headers.authorization ?? '')
  if (!auth) return refuse('AuthFailure.InvalidAuthorization', 'Authorization header is malformed')
  const [, secretId = '', date, service, signedHeaders = '', signature] = auth
  const key = standIn.keys.get(secretId)
  if (!key) return refuse('AuthFailure.SecretIdNotFound', 'The SecretId is not found')
  const timestamp = headers['x-tc-timestamp'] ?? ''
  if (!/^\d+$/.test(timestamp)) return refuse('InvalidParameter', 'X-TC-Timestamp must be an integer')
  if (Math.abs(Number(timestamp) * 1000 - standIn.serverNow()) > 300_000)
    return refuse('AuthFailure.SignatureExpire', 'Signature expired: the timestamp is more than 5 minutes off')
  const failure = (message: string): Reply => refuse('AuthFailure.SignatureFailure', message)
  if (service !== 'cynosdb') return failure(`credential scope service ${service} is not cynosdb`)
  if (date !== utcDate(Number(timestamp)))
    return failure(`credential scope date ${date} is not the UTC date of the timestamp`)
  const names = signedHeaders.split(';')
  if (!names.includes('content-type') || !names.includes('host')) return failure('content-type and host must be signed')
  const expected = sign({
    secretId,
    secretKey: key.secretKey,
    service: 'cynosdb',
    timestamp: Number(timestamp),
    headers: Object.fromEntries(names.map((name) => [name, headers[name] ?? ''])),
    payload: body,
  })
  if (expected.signature !== signature) return failure('The provided credentials could not be validated')
  if ((key.token ?? '') !== (headers['x-tc-token'] ?? ''))
    return refuse('AuthFailure.TokenFailure', 'Token verification failed')
  return undefined
}
