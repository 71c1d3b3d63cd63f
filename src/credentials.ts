// The signing keys of each request: static keys as given, or keyless: GitHub's OIDC ID token exchanged at STS
// (AssumeRoleWithWebIdentity) for temporary keys, refreshed before they expire. The inputs were checked in
// inputs.ts; this module only fetches and refreshes, each fetch within the budget of the call that needs it.
import type { CallBudget } from './api.ts'
import type { CredentialConfig } from './inputs.ts'
import { HEADER_SAFE } from './inputs.ts'
import type { Credentials } from './tencent/client.ts'

export interface KeyDeps {
  /** GitHub's ID token for the audience, within the call's budget (github-token.ts). */
  readonly idToken: (audience: string, call: CallBudget) => Promise<string>
  /** STS AssumeRoleWithWebIdentity with this JSON body, sent unsigned through the step's limiter. */
  readonly assumeRole: (payload: string, call: CallBudget) => Promise<Record<string, unknown>>
  readonly mask: (secret: string) => void
  /** The monotonic clock the refresh is scheduled on, whatever the wall clocks say. */
  readonly now: () => number
  /** The runner's wall clock (ms since the epoch), to read STS's ExpiredTime against. */
  readonly wallNow: () => number
}

export interface KeySource {
  /** For the log: where the keys came from, never the keys. */
  readonly description: string
  /** Called before every signed request; temporary keys are fetched once and refreshed before they expire. */
  readonly get: (call: CallBudget) => Promise<Credentials>
}

/**
 * Temporary keys are refreshed at 80% of their life, but never sooner than this after they were fetched: keys that
 * arrive expired by the runner's clock (a clock ahead, a server behind) are used, not refreshed in a loop.
 */
export const MIN_REFRESH_MS = 60_000

export function createKeySource(config: CredentialConfig, deps: KeyDeps): KeySource {
  if (config.kind === 'static') {
    const credentials: Credentials = { secretId: config.secretId, secretKey: config.secretKey, token: config.token }
    return { description: `static keys from ${config.from}`, get: () => Promise.resolve(credentials) }
  }

  const assumeRole = async (call: CallBudget): Promise<{ credentials: Credentials; refreshAt: number }> => {
    const idToken = await deps.idToken(config.audience, call)
    const fetchedAt = deps.now()
    const wallAt = deps.wallNow()
    const answer = await deps.assumeRole(
      JSON.stringify({
        ProviderId: config.providerId,
        WebIdentityToken: idToken,
        RoleArn: config.roleArn,
        RoleSessionName: config.sessionName,
        DurationSeconds: config.durationSeconds,
      }),
      call,
    )
    const got = (answer.Credentials ?? {}) as { TmpSecretId?: unknown; TmpSecretKey?: unknown; Token?: unknown }
    const secretId = typeof got.TmpSecretId === 'string' ? got.TmpSecretId : ''
    const secretKey = typeof got.TmpSecretKey === 'string' ? got.TmpSecretKey : ''
    const token = typeof got.Token === 'string' ? got.Token : ''
    for (const secret of [secretId, secretKey, token]) if (secret) deps.mask(secret)
    if (!HEADER_SAFE.test(secretId) || !secretKey || !HEADER_SAFE.test(token)) {
      throw new Error(
        'AssumeRoleWithWebIdentity answered without usable Credentials (TmpSecretId, TmpSecretKey, Token)',
      )
    }
    // Their life as the runner's clock reads ExpiredTime, never longer than asked for: a clock far off either
    // way must neither keep expired keys for hours nor refresh them in a loop.
    const askedMs = config.durationSeconds * 1000
    const lifeMs = typeof answer.ExpiredTime === 'number' ? answer.ExpiredTime * 1000 - wallAt : askedMs
    const refreshInMs = Math.max(MIN_REFRESH_MS, 0.8 * Math.min(lifeMs, askedMs))
    return { credentials: { secretId, secretKey, token }, refreshAt: fetchedAt + refreshInMs }
  }

  let pending: Promise<{ credentials: Credentials; refreshAt: number }> | undefined
  const fetchOnce = (call: CallBudget): Promise<{ credentials: Credentials; refreshAt: number }> => {
    pending ??= assumeRole(call).catch((error: unknown) => {
      pending = undefined // the next call tries again
      throw error
    })
    return pending
  }
  return {
    description: `OIDC: role ${config.roleArn} through provider ${config.providerId} (session ${config.sessionName})`,
    async get(call) {
      const first = fetchOnce(call)
      let current = await first
      if (deps.now() >= current.refreshAt) {
        if (pending === first) pending = undefined // only the first caller to notice starts the refresh
        current = await fetchOnce(call)
      }
      return current.credentials
    },
  }
}
