// The signing keys of each request: static keys as given, or keyless: GitHub's OIDC ID token exchanged at STS
// (AssumeRoleWithWebIdentity) for temporary keys, refreshed before they expire. The inputs were checked in
// inputs/credentials.ts; this module fetches and refreshes, each fetch within the budget of the request that needs
// it, over the step's transport (STS passes the rate limiter and counts like every Tencent Cloud request).
import type { RequestBudget } from './budget.ts'
import { fetchIdToken } from './github-token.ts'
import type { CredentialConfig } from './inputs/credentials.ts'
import { HEADER_SAFE } from './shapes.ts'
import { requestApi, type Credentials } from './tencent/client.ts'
import type { Transport } from './transport.ts'

/** How temporary keys are had: the two requests of keyless auth, and the clocks of their refresh. */
export interface KeyDeps {
  /** GitHub's ID token for the audience, within the budget (github-token.ts). */
  readonly idToken: (audience: string, budget: RequestBudget) => Promise<string>
  /** STS AssumeRoleWithWebIdentity with this JSON body, sent unsigned. */
  readonly assumeRole: (payload: string, budget: RequestBudget) => Promise<Record<string, unknown>>
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
  readonly get: (budget: RequestBudget) => Promise<Credentials>
}

/**
 * Temporary keys are refreshed at 80% of their life, but never sooner than this after they were fetched: keys that
 * arrive expired by the runner's clock (a clock ahead, a server behind) are used, not refreshed in a loop.
 */
export const MIN_REFRESH_MS = 60_000

/** The key source of the step: keyless auth's two requests go out over its transport. */
export function stepKeys(
  config: CredentialConfig,
  step: Pick<KeyDeps, 'mask' | 'now' | 'wallNow'> & { readonly transport: Transport; readonly region: string },
): KeySource {
  if (config.kind === 'static') return staticKeys(config)
  const { transport } = step
  return temporaryKeys(config, {
    ...step,
    idToken: async (audience, budget) => {
      const url = config.idTokenUrl
      const token = await transport.request(url.host, budget, (signal, timeoutMs) =>
        fetchIdToken({
          url,
          requestToken: config.idTokenRequestToken,
          audience,
          dispatcher: transport.dispatcher,
          signal,
          timeoutMs,
        }),
      )
      step.mask(token.value)
      return token.value
    },
    assumeRole: async (payload, budget) => {
      const endpoint = config.stsEndpoint
      const answer = await transport.tencent(endpoint.host, budget, (signal, timeoutMs) =>
        requestApi({
          endpoint,
          service: 'sts',
          version: '2018-08-13',
          action: 'AssumeRoleWithWebIdentity',
          region: step.region,
          payload,
          timestamp: Math.floor(step.wallNow() / 1000),
          timeoutMs,
          dispatcher: transport.dispatcher,
          signal,
        }),
      )
      return answer.fields
    },
  })
}

type Config<K extends CredentialConfig['kind']> = Extract<CredentialConfig, { kind: K }>

export function staticKeys(config: Config<'static'>): KeySource {
  const credentials: Credentials = { secretId: config.secretId, secretKey: config.secretKey, token: config.token }
  return { description: `static keys from ${config.from}`, get: () => Promise.resolve(credentials) }
}

/** Keyless: fetched once, refreshed before they expire, each fetch by whichever request needs the keys first. */
export function temporaryKeys(config: Config<'oidc'>, deps: KeyDeps): KeySource {
  const assumeRole = async (budget: RequestBudget): Promise<{ credentials: Credentials; refreshAt: number }> => {
    const idToken = await deps.idToken(config.audience, budget)
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
      budget,
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
  const fetchOnce = (budget: RequestBudget): Promise<{ credentials: Credentials; refreshAt: number }> => {
    pending ??= assumeRole(budget).catch((error: unknown) => {
      pending = undefined // the next request tries again
      throw error
    })
    return pending
  }
  return {
    description: `OIDC: role ${config.roleArn} through provider ${config.providerId} (session ${config.sessionName})`,
    async get(budget) {
      const first = fetchOnce(budget)
      let current = await first
      if (deps.now() >= current.refreshAt) {
        if (pending === first) pending = undefined // only the first caller to notice starts the refresh
        current = await fetchOnce(budget)
      }
      return current.credentials
    },
  }
}
