// What to fix, for the errors that end a wait at once: the action's inputs and README sections by name. The API
// client (tencent/) only reports what happened; the advice belongs here, where the inputs are known.
import { UnreachableError } from './transport.ts'
import { ID_TOKEN_ACTION } from './github-token.ts'
import { HttpStatusError, isUntrustedCertificate } from './http.ts'
import type { WaitEnd } from './wait/probe.ts'
import { NotSentError, provesNotCarriedOut } from './retry.ts'
import { ApiError, classOf, isDenied } from './tencent/errors.ts'

export interface HintContext {
  readonly region: string
}

export function hintFor(error: Error, context: HintContext): string {
  if (isUntrustedCertificate(error)) {
    return "The endpoint's TLS certificate is not trusted. Behind a TLS-inspecting proxy, point NODE_EXTRA_CA_CERTS at the proxy's CA certificate (PEM) in the job's env (on a self-hosted runner, in its .env file)."
  }
  if (error instanceof UnreachableError) {
    return `Check the host name in 'endpoint' (or 'sts-endpoint') for a typo, and that the runner can reach ${error.host}: behind a proxy, set HTTPS_PROXY (see the README, "Networks and proxies").`
  }
  if (error instanceof HttpStatusError && error.action === ID_TOKEN_ACTION) {
    return error.status === 401 || error.status === 403
      ? "GitHub refused the ID token request: give the job 'permissions: id-token: write'."
      : ''
  }
  if (error instanceof HttpStatusError) {
    return `An HTTP ${error.status} comes from a web server, not the Tencent Cloud API: check that 'endpoint' is a Tencent Cloud API host such as cynosdb.tencentcloudapi.com, and, behind a proxy, that the proxy lets ${error.host} through.`
  }
  if (!(error instanceof ApiError)) return ''
  const { code } = error
  if (error.action === 'AssumeRoleWithWebIdentity') {
    return code.startsWith('RequestLimitExceeded') || code.startsWith('InternalError')
      ? ''
      : 'Check role-arn and oidc-provider-id, and that the role\'s trust policy trusts the OIDC provider with this repository\'s token (audience, subject); see the README, "Keyless auth with GitHub OIDC".'
  }
  if (code === 'InvalidParameterValue.FlowNotFound' || code === 'FailedOperation.FlowNotFoundError') {
    return `Check the flow ID, and that region '${context.region}' is the region of the cluster whose call returned it.`
  }
  if (code === 'AuthFailure.SignatureExpire') {
    return "The runner's clock is off by more than 5 minutes and could not be corrected from the server's Date header."
  }
  if (code === 'AuthFailure.TokenFailure') {
    return 'The session token is expired or does not belong to this secret ID: fetch fresh temporary credentials.'
  }
  if (classOf(error) === 'busy') {
    return 'The resource is busy with another task. A purchase is not sent again by itself, since that task may be this same purchase from an earlier run: check, then run the step again once it has ended.'
  }
  if (isDenied(error)) {
    return `The key or role lacks permission: grant it the CAM action cynosdb:${error.action} (see the README, "Permissions").`
  }
  if (code.startsWith('AuthFailure')) {
    return 'Check secret-id and secret-key: they must be a current, enabled key pair of the same account (and no stray whitespace).'
  }
  if (code === 'UnsupportedRegion') return `Check region '${context.region}'.`
  if (code.startsWith('InvalidParameter') || code === 'MissingParameter' || code === 'UnknownParameter') {
    return `Check region '${context.region}' and the IDs or parameters given.`
  }
  return ''
}

const MAY_HAVE_BEEN_APPLIED =
  'The change was sent and may have been applied: check the cluster before running this step again (it is never sent twice)'

/**
 * What to do after the change the step sent failed. An error code the official list describes as a refusal means
 * nothing changed; a fault of the service, a code the list gives no cause for, or anything else after the request
 * left (no answer in time, an HTTP 5xx, a garbled answer) leaves it open whether the change was applied.
 */
export function changeHint(error: Error, context: HintContext): string {
  if (error instanceof NotSentError) {
    const hint = error.cause instanceof Error ? hintFor(error.cause, context) : ''
    return `The change was not sent: the credentials it needs could not be had, so nothing was changed${hint ? `. ${hint}` : ''}`
  }
  const errorClass = classOf(error)
  const refused = errorClass !== undefined && errorClass !== 'server-fault' && errorClass !== 'unknown'
  const hint = hintFor(error, context)
  if (refused) return `The API refused the call, so nothing was changed${hint ? `. ${hint}` : ''}`
  if (error instanceof UnreachableError || isUntrustedCertificate(error))
    return `The call never reached the API, so nothing was changed${hint ? `. ${hint}` : ''}`
  return MAY_HAVE_BEEN_APPLIED
}

/**
 * What a change the step sent came to when the wait for its answer ended without one: cancelled with the request
 * under way, it may have been carried out; at the timeout, only a last failure that proves the call was not carried
 * out (throttled, never connected) says nothing was changed.
 */
export function unansweredChangeHint(end: WaitEnd, lastError: Error | undefined): string {
  if (lastError instanceof NotSentError) {
    return `The change was not sent (${end === 'timeout' ? 'the credentials could not be had within the timeout' : 'the step ended while it got the credentials'}), so nothing was changed`
  }
  if (end === 'timeout' && classOf(lastError) === 'busy') {
    return 'The resource stayed busy with another task until the timeout and the API refused the change each time, so it was never carried out: run the step again once that task has ended, or give it a longer timeout'
  }
  if (end === 'timeout' && lastError && provesNotCarriedOut(lastError)) {
    return 'The API never carried the change out (the last try was refused before it ran), so nothing was changed'
  }
  return MAY_HAVE_BEEN_APPLIED
}
