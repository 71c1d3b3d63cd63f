// What every end-to-end suite starts from: one key the stand-in knows, the stand-in closed when its test ends, the
// inputs of a step against it (static keys or keyless), and the step's first error annotation.
import { onTestFinished, type TestContext } from 'vitest'
import type { ActionRun } from '../../scripts/lib/run-action.ts'
import {
  startFakeTencent,
  type FakeTencent,
  type FakeTencentOptions,
  type HeldStep,
} from '../../scripts/lib/stand-in.ts'

export const KEY = { id: 'AKIDe2eTest000000000000000000000000000', secret: 'e2e-test-secret-key-00000000000000' }
export const OIDC = {
  // distinctive, so that a test can look for them in what the step printed
  idToken: 'e2eGithubIdTokenDDDDDDDDDDDDDD',
  requestToken: 'e2eRequestTokenEEEEEEEEEEEE',
  roleArn: 'qcs::cam::uin/100000000001:roleName/github-ci',
  providerId: 'github',
}

/**
 * Closes `thing` when the test ends. Tests that run at once must pass their context: vitest cannot tell which of
 * them a global hook belongs to.
 */
export function closeAfter<T extends { close(): Promise<void> }>(thing: T, test?: TestContext): T {
  ;(test?.onTestFinished ?? onTestFinished)(() => thing.close())
  return thing
}

/** The stand-in knowing KEY and OIDC, for region ap-guangzhou, closed when the test ends. */
export async function standIn(options: FakeTencentOptions = {}, test?: TestContext): Promise<FakeTencent> {
  const keys = { [KEY.id]: { secretKey: KEY.secret } }
  return closeAfter(await startFakeTencent({ keys, oidc: OIDC, region: 'ap-guangzhou', ...options }), test)
}

/** A step waiting for flow 123 against `endpoint` with KEY, polling every 100 ms; `extra` wins. */
export const inputs = (endpoint: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'flow-id': '123',
  region: 'ap-guangzhou',
  'secret-id': KEY.id,
  'secret-key': KEY.secret,
  endpoint,
  'poll-interval': '100ms',
  ...extra,
})

/** The same step, keyless: OIDC's role through STS at `endpoint`, and the runner's ID token endpoint there too. */
export const keyless = (endpoint: string, extra: Record<string, string> = {}) => ({
  inputs: {
    ...inputs(endpoint, { 'secret-id': '', 'secret-key': '' }),
    'sts-endpoint': endpoint,
    'role-arn': OIDC.roleArn,
    'oidc-provider-id': OIDC.providerId,
    ...extra,
  },
  env: {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/oidc?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC.requestToken,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '4242',
  },
})

/** The step's first error annotation, or ''. */
export const errorLine = (run: Pick<ActionRun, 'stdout'>): string =>
  run.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? ''

/**
 * A DescribeFlow step answered only once DescribeTasks has been answered `times` times: the task lookups run beside
 * the wait, so a test that needs them seen before the flow's next status orders them so.
 */
export const afterTasks = (times: number, step: HeldStep['step']): HeldStep => ({
  step,
  heldUntil: { action: 'DescribeTasks', answered: times },
})
