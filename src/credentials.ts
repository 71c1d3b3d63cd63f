// Where the signing keys come from: static keys (inputs, then the environment names other Tencent tools use),
// or keyless, GitHub's OIDC ID token exchanged at STS (AssumeRoleWithWebIdentity) for temporary credentials.
// Every secret is masked the moment it is read, before anything can log it.
import { InputError, show, type Inputs } from './inputs.ts'
import { callApi, type Credentials } from './tencent/client.ts'

export interface CredentialDeps {
  readonly env: NodeJS.ProcessEnv
  readonly mask: (secret: string) => void
  readonly getIDToken: (audience: string) => Promise<string>
  /** STS: callApi with the network settings of the step already applied. */
  readonly callSts: (
    call: Pick<Parameters<typeof callApi>[0], 'action' | 'payload' | 'timestamp'>,
  ) => Promise<Record<string, unknown>>
  readonly now: () => number
}

export interface CredentialSource {
  /** For the log: where the keys came from, never the keys. */
  readonly description: string
  /** Called before every signed request; temporary credentials are fetched once and refreshed before they expire. */
  readonly get: () => Promise<Credentials>
}

const TOKEN_ENV = ['TENCENTCLOUD_SESSION_TOKEN', 'TENCENTCLOUD_SECURITY_TOKEN', 'TENCENTCLOUD_TOKEN'] as const
/** Header values: printable ASCII without spaces, so no key can smuggle a CR/LF into a request. */
const HEADER_SAFE = /^[\x21-\x7e]+$/

export function resolveCredentials(inputs: Inputs, deps: CredentialDeps): CredentialSource {
  const { env } = deps
  if (inputs.roleArn) {
    if (inputs.secretId || inputs.secretKey || inputs.sessionToken) {
      throw new InputError(
        "Inputs 'role-arn' (keyless OIDC) and 'secret-id'/'secret-key'/'session-token' (static keys) exclude each other: keep one of them",
      )
    }
    return oidcCredentials(inputs, deps)
  }
  const pick = (input: string, names: readonly string[]): [string, string] => {
    if (input) return [input, 'input']
    for (const name of names) {
      const value = env[name]?.trim()
      if (value) return [value, name]
    }
    return ['', '']
  }
  const [secretId, idFrom] = pick(inputs.secretId, ['TENCENTCLOUD_SECRET_ID'])
  const [secretKey, keyFrom] = pick(inputs.secretKey, ['TENCENTCLOUD_SECRET_KEY'])
  const [token, tokenFrom] = pick(inputs.sessionToken, TOKEN_ENV)
  for (const secret of [secretId, secretKey, token]) if (secret) deps.mask(secret)

  if (!secretId && !secretKey) {
    throw new InputError(
      'No Tencent Cloud credentials found. Looked in: the secret-id and secret-key inputs; the TENCENTCLOUD_SECRET_ID and ' +
        'TENCENTCLOUD_SECRET_KEY environment variables; OIDC (the role-arn input, empty). Set one of them (see the README).',
    )
  }
  if (!secretId)
    throw new InputError(
      "Input 'secret-id' is missing (nor is TENCENTCLOUD_SECRET_ID set) while a secret key is given: set both",
    )
  if (!secretKey)
    throw new InputError(
      "Input 'secret-key' is missing (nor is TENCENTCLOUD_SECRET_KEY set) while a secret ID is given: set both",
    )
  if (!HEADER_SAFE.test(secretId))
    throw new InputError(
      "Input 'secret-id' must be a Tencent Cloud SecretId (e.g. AKID…, printable characters without spaces)",
    )
  if (token && !HEADER_SAFE.test(token))
    throw new InputError("Input 'session-token' must be printable characters without spaces")

  const from = idFrom === 'input' ? 'the secret-id/secret-key inputs' : `${idFrom}/${keyFrom}`
  const credentials: Credentials = { secretId, secretKey, token: token || undefined }
  return {
    description: `static keys from ${from}${token ? ` with a session token from ${tokenFrom === 'input' ? 'the session-token input' : tokenFrom}` : ''}`,
    get: () => Promise.resolve(credentials),
  }
}

/** RoleSessionName allows 2 to 128 of these characters. */
const SESSION_NAME = /^[\w=,.@-]{2,128}$/

// The run's context is read from the runner's environment: @actions/github's `context` holds the same two values,
// but importing that package bundles Octokit too, which this action never calls.
export function defaultRoleSessionName(env: NodeJS.ProcessEnv): string {
  const raw = `github-${env.GITHUB_REPOSITORY ?? 'local'}-${env.GITHUB_RUN_ID ?? 'run'}`
  return raw.replace(/[^\w=,.@-]/g, '-').slice(0, 128)
}

function oidcCredentials(inputs: Inputs, deps: CredentialDeps): CredentialSource {
  if (!inputs.oidcProviderId) {
    throw new InputError(
      "Input 'oidc-provider-id' is required with 'role-arn': the name of the CAM OIDC identity provider that trusts GitHub",
    )
  }
  if (!/^qcs::cam::uin\/\d+:role(Name)?\/\S+$/.test(inputs.roleArn)) {
    throw new InputError(
      `Input 'role-arn' must be a CAM role ARN such as qcs::cam::uin/100000000001:roleName/github-deployer; got ${show(inputs.roleArn)}`,
    )
  }
  const sessionName = inputs.roleSessionName || defaultRoleSessionName(deps.env)
  if (!SESSION_NAME.test(sessionName)) {
    throw new InputError("Input 'role-session-name' must be 2 to 128 letters, digits or = , . @ _ -")
  }
  if (!deps.env.ACTIONS_ID_TOKEN_REQUEST_URL || !deps.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new InputError(
      "Input 'role-arn' asks for keyless OIDC, but the job cannot request a GitHub ID token: give the job " +
        "'permissions: id-token: write' (ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)",
    )
  }

  const assumeRole = async (): Promise<{ credentials: Credentials; refreshAt: number }> => {
    let idToken: string
    try {
      idToken = await deps.getIDToken(inputs.oidcAudience)
    } catch (error) {
      throw new Error(
        `failed to get a GitHub OIDC ID token for audience ${inputs.oidcAudience} (does the job have 'permissions: id-token: write'?): ${(error as Error).message}`,
        { cause: error },
      )
    }
    deps.mask(idToken)
    const fetchedAt = deps.now()
    const answer = await deps.callSts({
      action: 'AssumeRoleWithWebIdentity',
      timestamp: Math.floor(fetchedAt / 1000),
      payload: JSON.stringify({
        ProviderId: inputs.oidcProviderId,
        WebIdentityToken: idToken,
        RoleArn: inputs.roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: inputs.roleDurationSeconds,
      }),
    })
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
    const expiresAt =
      typeof answer.ExpiredTime === 'number' ? answer.ExpiredTime * 1000 : fetchedAt + inputs.roleDurationSeconds * 1000
    // Refresh at 80% of the lifetime: early enough for a wait longer than role-duration, never in a loop.
    return { credentials: { secretId, secretKey, token }, refreshAt: fetchedAt + 0.8 * (expiresAt - fetchedAt) }
  }

  let pending: Promise<{ credentials: Credentials; refreshAt: number }> | undefined
  return {
    description: `OIDC: role ${inputs.roleArn} through provider ${inputs.oidcProviderId} (session ${sessionName})`,
    async get() {
      const fetchOnce = (): Promise<{ credentials: Credentials; refreshAt: number }> => {
        pending ??= assumeRole().catch((error: unknown) => {
          pending = undefined // the next call tries again
          throw error
        })
        return pending
      }
      const first = fetchOnce()
      let current = await first
      if (deps.now() >= current.refreshAt) {
        if (pending === first) pending = undefined // only the first caller to notice starts the refresh
        current = await fetchOnce()
      }
      return current.credentials
    },
  }
}
