// Where the signing keys come from: static keys (inputs, then the environment names other Tencent tools use), or
// keyless: role-arn asks for GitHub's OIDC ID token to be exchanged at STS. Checked here; credentials.ts fetches
// and refreshes. Every secret is masked as it is read.
import { HEADER_SAFE, SESSION_NAME } from '../shapes.ts'
import { InputError, show } from './input-error.ts'
import { parseDuration, parseEndpoint } from './values.ts'

export type CredentialConfig = (
  | {
      readonly kind: 'static'
      readonly secretId: string
      readonly secretKey: string
      readonly token: string | undefined
      /** For the log: which inputs or variables they came from (never the keys). */
      readonly from: string
    }
  | {
      readonly kind: 'oidc'
      readonly roleArn: string
      readonly providerId: string
      readonly audience: string
      readonly sessionName: string
      readonly durationSeconds: number
      readonly stsEndpoint: URL
      /** Where the runner hands out GitHub ID tokens (ACTIONS_ID_TOKEN_REQUEST_URL, _TOKEN). */
      readonly idTokenUrl: URL
      readonly idTokenRequestToken: string
    }
) & {
  /** Other credentials that were present and are not used, for a notice: which wins is no surprise. */
  readonly unused?: string | undefined
}

const TOKEN_ENV = ['TENCENTCLOUD_SESSION_TOKEN', 'TENCENTCLOUD_SECURITY_TOKEN', 'TENCENTCLOUD_TOKEN'] as const

export function parseCredentials(
  read: (name: string) => string,
  env: NodeJS.ProcessEnv,
  mask: (secret: string) => void,
): CredentialConfig {
  const input = (name: string): string => {
    const value = read(name).trim()
    if (value && /^(secret-id|secret-key|session-token)$/.test(name)) mask(value)
    return value
  }
  const secretIdInput = input('secret-id')
  const secretKeyInput = input('secret-key')
  const tokenInput = input('session-token')
  const roleArn = input('role-arn')
  if (roleArn) {
    if (secretIdInput || secretKeyInput || tokenInput) {
      throw new InputError(
        "Inputs 'role-arn' (keyless OIDC) and 'secret-id'/'secret-key'/'session-token' (static keys) exclude each other: keep one of them",
      )
    }
    return { ...oidcConfig(roleArn, input, env, mask), unused: envKeys(env) }
  }
  const pick = (value: string, names: readonly string[]): [string, string] => {
    if (value) return [value, 'input']
    for (const name of names) {
      const found = env[name]?.trim()
      if (found) {
        mask(found)
        return [found, name]
      }
    }
    return ['', '']
  }
  const [secretId, idFrom] = pick(secretIdInput, ['TENCENTCLOUD_SECRET_ID'])
  const [secretKey, keyFrom] = pick(secretKeyInput, ['TENCENTCLOUD_SECRET_KEY'])
  const [token, tokenFrom] = pick(tokenInput, TOKEN_ENV)
  if (!secretId && !secretKey) {
    throw new InputError(
      'No Tencent Cloud credentials found. Looked in: the secret-id and secret-key inputs; the TENCENTCLOUD_SECRET_ID and ' +
        'TENCENTCLOUD_SECRET_KEY environment variables; OIDC (the role-arn input, empty). Set one of them (see the README).',
    )
  }
  if (!secretId) {
    throw new InputError(
      "Input 'secret-id' is missing (nor is TENCENTCLOUD_SECRET_ID set) while a secret key is given: set both",
    )
  }
  if (!secretKey) {
    throw new InputError(
      "Input 'secret-key' is missing (nor is TENCENTCLOUD_SECRET_KEY set) while a secret ID is given: set both",
    )
  }
  if (!HEADER_SAFE.test(secretId)) {
    throw new InputError(
      "Input 'secret-id' must be a Tencent Cloud SecretId (e.g. AKID…, printable characters without spaces)",
    )
  }
  if (token && !HEADER_SAFE.test(token)) {
    throw new InputError("Input 'session-token' must be printable characters without spaces")
  }
  const keysFrom = idFrom === 'input' ? 'the secret-id/secret-key inputs' : `${idFrom}/${keyFrom}`
  const tokenSource = tokenFrom === 'input' ? 'the session-token input' : tokenFrom
  return {
    kind: 'static',
    secretId,
    secretKey,
    token: token || undefined,
    from: `${keysFrom}${token ? ` with a session token from ${tokenSource}` : ''}`,
    unused: idFrom === 'input' ? envKeys(env) : undefined,
  }
}

/** The keys of the environment, named, when they are there (never their values). */
const envKeys = (env: NodeJS.ProcessEnv): string | undefined =>
  env.TENCENTCLOUD_SECRET_ID?.trim() ? 'TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY in the environment' : undefined

// The run's context is read from the runner's environment: @actions/github's `context` holds the same two values,
// but importing that package bundles Octokit too, which this action never calls.
export function defaultRoleSessionName(env: NodeJS.ProcessEnv): string {
  const raw = `github-${env.GITHUB_REPOSITORY ?? 'local'}-${env.GITHUB_RUN_ID ?? 'run'}`
  return raw.replace(/[^\w=,.@-]/g, '-').slice(0, 128)
}

function oidcConfig(
  roleArn: string,
  input: (name: string) => string,
  env: NodeJS.ProcessEnv,
  mask: (secret: string) => void,
): CredentialConfig {
  const providerId = input('oidc-provider-id')
  if (!providerId) {
    throw new InputError(
      "Input 'oidc-provider-id' is required with 'role-arn': the name of the CAM OIDC identity provider that trusts GitHub",
    )
  }
  if (!/^qcs::cam::uin\/\d+:role(Name)?\/\S+$/.test(roleArn)) {
    throw new InputError(
      `Input 'role-arn' must be a CAM role ARN such as qcs::cam::uin/100000000001:roleName/github-deployer; got ${show(roleArn)}`,
    )
  }
  const sessionName = input('role-session-name') || defaultRoleSessionName(env)
  if (!SESSION_NAME.test(sessionName)) {
    throw new InputError("Input 'role-session-name' must be 2 to 128 letters, digits or = , . @ _ -")
  }
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  if (!url || !requestToken) {
    throw new InputError(
      "Input 'role-arn' asks for keyless OIDC, but the job cannot request a GitHub ID token: give the job " +
        "'permissions: id-token: write' (ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)",
    )
  }
  mask(requestToken) // the runner's token for asking for ID tokens: as secret as they are
  let idTokenUrl: URL
  try {
    idTokenUrl = new URL(url)
  } catch {
    throw new InputError('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: the runner sets it; is this a GitHub Actions job?')
  }
  return {
    kind: 'oidc',
    roleArn,
    providerId,
    audience: input('oidc-audience') || 'sts.tencentcloudapi.com',
    sessionName,
    durationSeconds: Math.ceil(parseDuration(input('role-duration') || '1h', 'role-duration', 43200_000) / 1000),
    stsEndpoint: parseEndpoint(input('sts-endpoint') || 'sts.tencentcloudapi.com', 'sts-endpoint'),
    idTokenUrl,
    idTokenRequestToken: requestToken,
  }
}
