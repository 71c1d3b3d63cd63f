// The examples' shell steps, run the way a runner runs them: `${{ }}` replaced, `bash -e` (a step without `shell:`),
// GITHUB_OUTPUT and GITHUB_PATH files. There is no Tencent Cloud here and no tccli: small scripts on PATH stand in
// for tccli, pipx, pip and curl, and answer with what the API documents. Each step that calls tccli must write the
// right output, and must fail itself when tccli fails or its answer lacks the field. Needs bash and jq, which
// GitHub's runners have; without jq these runs are skipped, and the suite says so.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseYamlStrict, ROOT } from '../scripts/lib/action-metadata.ts'

const HAS_JQ = spawnSync('bash', ['-c', 'command -v jq'], { encoding: 'utf8' }).status === 0
if (!HAS_JQ)
  console.warn('test/examples.test.ts: jq is not on PATH, so the examples are not run (GitHub runners have jq)')

interface Step {
  readonly id?: string
  readonly name?: string
  readonly run?: string
  readonly uses?: string
  readonly with?: Record<string, string>
  readonly env?: Record<string, string>
}
interface Job {
  readonly env?: Record<string, string>
  readonly steps: readonly Step[]
  readonly strategy?: { readonly matrix?: { readonly include?: readonly Record<string, string>[] } }
}
interface Workflow {
  readonly env?: Record<string, string>
  readonly jobs: Record<string, Job>
}

const examples = readdirSync(`${ROOT}examples`)
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => ({
    file,
    workflow: parseYamlStrict(readFileSync(`${ROOT}examples/${file}`, 'utf8'), file) as Workflow,
  }))

// ---- what the stand-ins answer ----
const REQUEST_ID = '347698da-03e4-4078-8d96-9a8b219c01a5'
/** As tccli prints them: the API's Response object. Fields as the CynosDB API documents each action's answer. */
const ANSWERS = {
  RestartInstance: { FlowId: 147262, RequestId: REQUEST_ID }, // the values of RestartInstance's own API page
  CreateClusters: {
    TranId: '20260101000001',
    DealNames: ['20260101000001', '20260101000002'],
    ResourceIds: ['cynosdbmysql-aaaaaaaa', 'cynosdbmysql-bbbbbbbb'],
    ClusterIds: ['cynosdbmysql-aaaaaaaa', 'cynosdbmysql-bbbbbbbb'],
    BigDealIds: ['20260101000000'],
    RequestId: REQUEST_ID,
  },
  ModifyClusterParam: { AsyncRequestId: '4217', RequestId: REQUEST_ID },
  OpenWan: [
    { FlowId: 1001, RequestId: REQUEST_ID },
    { FlowId: 1002, RequestId: REQUEST_ID },
  ],
  DescribeInstanceDetail: {
    Detail: { InstanceId: 'cynosdbmysql-ins-aaaaaaaa', InstanceName: 'a', Status: 'running', StatusDesc: 'running' },
    RequestId: REQUEST_ID,
  },
  // STS AssumeRoleWithWebIdentity, as curl gets it: the whole body
  sts: {
    Response: {
      Credentials: { TmpSecretId: 'AKIDstubTmpSecretId', TmpSecretKey: 'stub-tmp-secret-key', Token: 'stub-tmp-token' },
      ExpiredTime: 1_800_000_000,
      Expiration: '2027-01-15T08:00:00Z',
      RequestId: REQUEST_ID,
    },
  },
}
/** The same answers without the field a step reads (and no deal at all): the step must fail there. */
const ANSWERS_WITHOUT_THE_FIELD = {
  ...ANSWERS,
  RestartInstance: { RequestId: REQUEST_ID },
  CreateClusters: { DealNames: [], RequestId: REQUEST_ID },
  ModifyClusterParam: { RequestId: REQUEST_ID },
  OpenWan: { RequestId: REQUEST_ID },
}
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.stub-id-token.signature'

/** What each step that writes $GITHUB_OUTPUT must write, by example and step id. */
const EXPECTED_OUTPUTS: Record<string, Record<string, Record<string, string>>> = {
  'restart-and-wait.yml': { restart: { 'flow-id': '147262' } },
}
/** What this action's steps give later steps. */
const ACTION_OUTPUTS = {
  result: 'succeeded',
  status: '0',
  results: '{"147262":"succeeded"}',
  'request-id': REQUEST_ID,
  elapsed: '42',
  polls: '9',
  'timed-out': 'false',
  'cluster-ids': 'cynosdbmysql-aaaaaaaa,cynosdbmysql-bbbbbbbb',
  'instance-ids': 'cynosdbmysql-ins-aaaaaaaa,cynosdbmysql-ins-bbbbbbbb',
  response: JSON.stringify(ANSWERS.CreateClusters),
}
const INPUTS = { 'instance-id': 'cynosdbmysql-ins-abcdefgh' }

// ---- the stand-ins, bash scripts put first on PATH ----
const STUBS = {
  tccli: `#!/usr/bin/env bash
# tccli's stand-in: checks --cli-input-json as tccli does, then prints the answer for the action (or fails as tccli
# does on an API error: the SDK's exception on stderr, a non-zero status)
set -euo pipefail
service=$1 action=$2
printf '%s\\n' "$*" >> "$STUB_LOG"
printf '%s %s %s\\n' "\${TENCENTCLOUD_SECRET_ID-}" "\${TENCENTCLOUD_SECRET_KEY-}" "\${TENCENTCLOUD_TOKEN-}" >> "$STUB_LOG.keys"
shift 2
while (($#)); do
  if [[ $1 == --cli-input-json ]]; then
    [[ \${2-} == file://* ]] || { echo "--cli-input-json parameter must be followed by a value beginning with 'file://'" >&2; exit 1; }
    [[ -r \${2#file://} ]] || { echo "Unable to load paramfile \${2#file://}" >&2; exit 1; }
  fi
  shift
done
if [[ -n \${TCCLI_FAIL-} ]]; then
  echo '[TencentCloudSDKException] code:AuthFailure.SecretIdNotFound message:The SecretId is not found. requestId:9b1f0c2e' >&2
  exit 255
fi
n=$(grep -c "^$service $action\\b" "$STUB_LOG")
jq --arg a "$action" --argjson n "$n" '.[$a] // error("no answer for \\($a)") | if type == "array" then .[($n - 1) % length] else . end' "$STUB_ANSWERS"
`,
  pipx: `#!/usr/bin/env bash
printf 'pipx %s\\n' "$*" >> "$STUB_LOG"
case "$*" in
  'install tccli') echo '  installed package tccli' ;;
  'environment --value PIPX_BIN_DIR') echo "$STUB_BIN" ;;
  *) echo "pipx stand-in: nothing for: $*" >&2; exit 2 ;;
esac
`,
  // pip as on a self-hosted Ubuntu 24.04 runner, where PEP 668 refuses to install into the system Python
  pip: `#!/usr/bin/env bash
echo 'error: externally-managed-environment' >&2
exit 1
`,
  curl: `#!/usr/bin/env bash
# curl's stand-in for the keyless example: GitHub's ID token endpoint, and STS, which must get that token
set -euo pipefail
printf 'curl %s\\n' "$*" >> "$STUB_LOG"
url='' body=''
while (($#)); do
  case $1 in
    -d) body=$2; shift ;;
    -H) shift ;;
    https://*) url=$1 ;;
  esac
  shift
done
case $url in
  "$ACTIONS_ID_TOKEN_REQUEST_URL"*) printf '{"count":1,"value":"%s"}\\n' "$STUB_ID_TOKEN" ;;
  https://sts.tencentcloudapi.com*)
    jq -e --arg t "$STUB_ID_TOKEN" '.WebIdentityToken == $t and .ProviderId != "" and .RoleArn != ""' <<<"$body" >/dev/null ||
      { echo 'curl: (22) The requested URL returned error: 400' >&2; exit 22; }
    jq '.sts' "$STUB_ANSWERS" ;;
  *) echo "curl stand-in: no URL it knows: $url" >&2; exit 6 ;;
esac
`,
}

let stubBin = ''
beforeAll(() => {
  stubBin = mkdtempSync(join(tmpdir(), 'examples-bin-'))
  for (const [name, text] of Object.entries(STUBS)) {
    writeFileSync(join(stubBin, name), text)
    chmodSync(join(stubBin, name), 0o755)
  }
})
afterAll(() => rmSync(stubBin, { recursive: true, force: true }))

// ---- the runner, as far as these steps need it ----
type Context = Record<string, unknown>

/** `${{ a.b || 'c' }}`: context lookups and string literals joined by `||`, all these examples use. */
function evaluate(expression: string, context: Context): string {
  for (const alternative of expression.split('||').map((a) => a.trim())) {
    const literal = /^'([^']*)'$/.exec(alternative)?.[1]
    const [root = '', ...path] = alternative.split('.')
    if (literal === undefined && !(root in context)) throw new Error(`no context for \${{ ${alternative} }}`)
    let value: unknown = literal ?? context[root]
    for (const key of literal === undefined ? path : []) value = (value as Record<string, unknown> | undefined)?.[key]
    if (value !== undefined && value !== '') return String(value)
  }
  return ''
}
const substitute = (text: string, context: Context): string =>
  text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expression: string) => evaluate(expression, context))

interface StepRun {
  readonly step: Step
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly path: string
}

interface JobRun {
  readonly steps: StepRun[]
  /** Every stand-in call, one a line: `cynosdb RestartInstance --InstanceId …`, `pipx install tccli`, `curl …`. */
  readonly calls: string[]
  /** The keys tccli saw, one line a call: secret ID, secret key, token. */
  readonly keys: string[]
}

interface RunOptions {
  readonly answers?: object
  readonly tccliFails?: boolean
  readonly matrix?: Record<string, string>
  /** Changes a step's script before it runs (to show what the examples' habits prevent). */
  readonly edit?: (script: string) => string
}

/** Runs a job's steps in order, as a runner does, up to the first that fails; steps with `uses:` give ACTION_OUTPUTS. */
function runJob(workflow: Workflow, job: Job, options: RunOptions = {}): JobRun {
  const dir = mkdtempSync(join(tmpdir(), 'examples-run-'))
  try {
    const work = join(dir, 'work')
    mkdirSync(work)
    writeFileSync(join(work, 'cluster.json'), '{"Zone": "ap-guangzhou-4", "DbType": "MYSQL", "DbVersion": "8.0"}\n')
    writeFileSync(join(dir, 'answers.json'), JSON.stringify(options.answers ?? ANSWERS))
    const log = join(dir, 'calls.log')
    writeFileSync(log, '')
    writeFileSync(`${log}.keys`, '')
    const env = { ...workflow.env, ...job.env }
    const steps: Record<string, { outputs: Record<string, string> }> = {}
    const context: Context = {
      env,
      matrix: options.matrix ?? {},
      inputs: INPUTS,
      secrets: new Proxy({}, { get: (_, name) => `stub-${String(name)}` }),
      steps,
    }
    const runs: StepRun[] = []
    for (const [i, step] of job.steps.entries()) {
      if (step.run === undefined) {
        if (step.id && step.uses?.includes('cynosdb-wait-flow@')) steps[step.id] = { outputs: ACTION_OUTPUTS }
        continue
      }
      const files = {
        output: join(dir, `output-${i}`),
        path: join(dir, `path-${i}`),
        script: join(dir, `step-${i}.sh`),
      }
      writeFileSync(files.output, '')
      writeFileSync(files.path, '')
      const script = substitute(step.run, context)
      writeFileSync(files.script, options.edit ? options.edit(script) : script)
      const stepEnv = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), context)]),
      )
      const result = spawnSync('bash', ['--noprofile', '--norc', '-e', files.script], {
        cwd: work,
        encoding: 'utf8',
        timeout: 10_000,
        env: {
          PATH: `${stubBin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
          HOME: dir,
          ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(String(v), context)])),
          ...stepEnv,
          GITHUB_OUTPUT: files.output,
          GITHUB_PATH: files.path,
          ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/request?api-version=2.0',
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'stub-request-token',
          STUB_LOG: log,
          STUB_ANSWERS: join(dir, 'answers.json'),
          STUB_BIN: stubBin,
          STUB_ID_TOKEN: ID_TOKEN,
          ...(options.tccliFails ? { TCCLI_FAIL: '1' } : {}),
        },
      })
      const outputs = Object.fromEntries(
        readFileSync(files.output, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      )
      if (step.id) steps[step.id] = { outputs }
      const run = {
        step,
        code: result.status,
        stdout: result.stdout,
        stderr: result.stderr,
        outputs,
        path: readFileSync(files.path, 'utf8'),
      }
      runs.push(run)
      if (run.code !== 0) break
    }
    const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean)
    return { steps: runs, calls: lines(log), keys: lines(`${log}.keys`) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Every job of every example, once per matrix entry. */
const jobs = examples.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).flatMap(([name, job]) =>
    (job.strategy?.matrix?.include ?? [undefined]).map((matrix) => ({
      name: `${file} › ${name}${matrix ? ` (${Object.values(matrix).join(', ')})` : ''}`,
      file,
      workflow,
      job,
      matrix,
    })),
  ),
)
const label = (step: Step): string => step.name ?? step.id ?? step.run?.split('\n')[0] ?? '?'
const callsTccli = (step: Step): boolean => /\btccli\s+cynosdb\b/.test(step.run ?? '')
/** The jobs that chain this action after a tccli step (the others let the action send the change: `call`). */
const tccliJobs = jobs.filter(({ job }) => job.steps.some(callsTccli))

describe.skipIf(!HAS_JQ)('the examples, run with tccli, pipx, pip and curl standing in (needs bash and jq)', () => {
  it('are found: every example either lets the action send the change (call) or chains it after tccli', () => {
    expect(tccliJobs.map((j) => j.file).sort()).toEqual(Object.keys(EXPECTED_OUTPUTS).sort())
    for (const { job } of tccliJobs) {
      expect(job.steps.some((step) => callsTccli(step) && /GITHUB_OUTPUT/.test(step.run ?? ''))).toBe(true)
    }
    for (const { job } of jobs.filter((j) => !tccliJobs.includes(j))) {
      expect(job.steps.some((step) => step.uses?.includes('cynosdb-wait-flow@') && step.with?.call)).toBe(true)
    }
  })

  describe('run to the end, and each step that writes $GITHUB_OUTPUT writes the right value', () => {
    it.each(tccliJobs)('$name', ({ file, workflow, job, matrix }) => {
      const run = runJob(workflow, job, { matrix })
      const failed = run.steps.filter((s) => s.code !== 0)
      expect(failed.map((s) => ({ step: label(s.step), code: s.code, stderr: s.stderr }))).toEqual([])
      expect(run.steps.length).toBe(job.steps.filter((step) => step.run !== undefined).length)
      for (const { step, outputs } of run.steps) {
        expect([label(step), outputs]).toEqual([label(step), (step.id && EXPECTED_OUTPUTS[file]?.[step.id]) || {}])
      }
      // tccli comes from pipx, and the step that installs it puts pipx's bin directory on the job's PATH
      expect(run.calls).toContain('pipx install tccli')
      expect(run.steps.map((s) => s.path).join('')).toBe(`${stubBin}\n`)
    })
  })

  describe('fail at the step that called tccli, when tccli fails', () => {
    it.each(tccliJobs)('$name', ({ workflow, job, matrix }) => {
      const run = runJob(workflow, job, { matrix, tccliFails: true })
      const last = run.steps.at(-1)
      expect(last && callsTccli(last.step)).toBe(true)
      expect(last?.code).not.toBe(0)
      expect(last?.stderr).toContain('AuthFailure.SecretIdNotFound')
      expect(last?.outputs).toEqual({})
    })
  })

  describe('fail at the step that called tccli, when its answer lacks the field', () => {
    it.each(tccliJobs)('$name', ({ workflow, job, matrix }) => {
      const run = runJob(workflow, job, { matrix, answers: ANSWERS_WITHOUT_THE_FIELD })
      const last = run.steps.at(-1)
      expect(last && callsTccli(last.step)).toBe(true)
      expect(last?.code).not.toBe(0)
      expect(last?.outputs).toEqual({})
    })
  })

  it('without set -euo pipefail and jq -e, the same step passes a failing tccli on as an empty flow-id', () => {
    // what the habits above prevent: the runner's bash -e alone does not see a failure left of a pipe
    const restart = examples.find((e) => e.file === 'restart-and-wait.yml')?.workflow
    const job = restart?.jobs.restart
    if (!restart || !job) throw new Error('examples/restart-and-wait.yml has no job restart')
    const careless = (script: string): string =>
      script.replace(/^set -euo pipefail\n/m, '').replaceAll('jq -er', 'jq -r')
    const run = runJob(restart, job, { tccliFails: true, edit: careless })
    expect(run.steps.map((s) => s.code)).toEqual([0, 0, 0])
    expect(run.steps[1]?.outputs).toEqual({ 'flow-id': '' })
  })

  it('the steps after a call run on its outputs, and fail where an output they read is missing', () => {
    for (const { workflow, job, matrix } of jobs.filter((j) => !tccliJobs.includes(j))) {
      const run = runJob(workflow, job, { matrix })
      expect(run.steps.filter((s) => s.code !== 0).map((s) => [label(s.step), s.stderr])).toEqual([])
    }
    const create = jobs.find((j) => j.file === 'create-cluster.yml')
    if (!create) throw new Error('examples/create-cluster.yml has no job')
    const run = runJob(create.workflow, create.job)
    expect(run.steps.at(-1)?.stdout).toContain(`CreateClusters answered RequestId ${REQUEST_ID}`)
  })
})
