// Keyless auth: GitHub's OIDC token endpoint, and STS AssumeRoleWithWebIdentity, which takes that token unsigned
// and hands out temporary keys the CynosDB checks then accept with their token.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { faultReply, type Reply, type StandIn } from './context.ts'
import { checkBody } from './signature.ts'

const base64url = (text: string): string => Buffer.from(text).toString('base64url')

/**
 * The ID token the stand-in's GitHub token endpoint hands out: a JWT's shape (header, claims with the audience, and
 * `idToken` as its signature), as GitHub's is. STS accepts the one for audience sts.tencentcloudapi.com.
 */
export function githubIdToken(idToken: string, audience: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const claims = base64url(
    JSON.stringify({
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      sub: 'repo:octo-org/octo-repo',
    }),
  )
  return `${header}.${claims}.${base64url(idToken)}`
}

/** GET /oidc…?audience=…: the ID token, for the runner's request token only. */
export function oidcToken(standIn: StandIn, req: IncomingMessage, res: ServerResponse): void {
  const { oidc } = standIn.options
  if (!oidc || req.headers.authorization !== `Bearer ${oidc.requestToken}`) {
    res.writeHead(401).end('{"message":"bad request token"}')
    return
  }
  const audience = new URL(req.url ?? '', 'http://x').searchParams.get('audience') ?? ''
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ value: githubIdToken(oidc.idToken, audience) }))
}

/** AssumeRoleWithWebIdentity: unsigned, checked against the STS model, for the configured token, role and provider. */
export function assumeRole(standIn: StandIn, headers: Readonly<Record<string, string>>, body: string): Reply {
  const { oidc } = standIn.options
  if (!oidc) return { error: 'InvalidAction', message: 'STS is not set up in this test' }
  const fault = oidc.faults?.[standIn.count('sts')]
  if (fault) return faultReply(fault)
  if (headers.authorization !== 'SKIP' || 'x-tc-token' in headers)
    return { error: 'InvalidParameter', message: 'AssumeRoleWithWebIdentity is sent unsigned' }
  if (headers['x-tc-version'] !== standIn.models.sts.version)
    return { error: 'InvalidParameter', message: `X-TC-Version ${headers['x-tc-version']}` }
  const checked = checkBody(standIn.models.sts, 'AssumeRoleWithWebIdentity', body)
  if (!('params' in checked)) return checked
  const p = checked.params
  if (p.WebIdentityToken !== githubIdToken(oidc.idToken, 'sts.tencentcloudapi.com'))
    return { error: 'InvalidParameter.WebIdentityTokenError', message: 'token' }
  if (p.RoleArn !== oidc.roleArn || p.ProviderId !== oidc.providerId)
    return { error: 'InvalidParameter.ParamError', message: 'role or provider' }
  const n = standIn.keys.size
  const tmp = {
    TmpSecretId: `AKIDtmp${n}x${Date.now()}`,
    TmpSecretKey: `tmpkey${n}-${Math.random()}`,
    Token: `tmptoken${n}-${Math.random().toString(36).slice(2)}`,
  }
  standIn.keys.set(tmp.TmpSecretId, { secretKey: tmp.TmpSecretKey, token: tmp.Token })
  const expiredTime = Math.floor(Date.now() / 1000) + Number(p.DurationSeconds ?? 7200)
  return {
    answer: 'credentials',
    response: { Credentials: tmp, ExpiredTime: expiredTime, Expiration: new Date(expiredTime * 1000).toISOString() },
  }
}
