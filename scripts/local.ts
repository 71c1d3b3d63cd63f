// npm run local [-- path/to/.env]: runs the bundled dist/index.js on this machine the way a runner would (inputs
// as INPUT_* variables with action.yml's defaults, output and summary files) and prints its log, outputs and job
// summary. What it adds to `npx @github/local-action . src/main.ts .env`: it runs the bundle that ships, with the
// real @actions/core, where local-action runs src/ with stand-ins for the toolkit.
// The .env file is local-action's format (see .env.example): INPUT_<NAME>=… are inputs, anything else is
// environment over this shell's own; ACTIONS_STEP_DEBUG=true turns on step debug logging, as on a runner.
import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { readActionMetadata } from './lib/action-metadata.ts'
import { runAction } from './lib/run-action.ts'

const file = process.argv[2] ?? '.env'
if (!existsSync(file)) {
  console.error(
    `No ${file}: copy .env.example to .env and fill it in (or pass another file: npm run local -- path/to/file).`,
  )
  process.exit(2)
}
const declared = Object.keys(readActionMetadata().inputs)
const inputs: Record<string, string> = {}
const env: Record<string, string> = {}
for (const [key, value = ''] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
  if (!key.startsWith('INPUT_')) {
    env[key] = value
    continue
  }
  const input = key.slice('INPUT_'.length).toLowerCase()
  if (!declared.includes(input)) {
    console.error(
      `${file}: ${key} is not an input of action.yml (inputs: ${declared.map((name) => `INPUT_${name.toUpperCase()}`).join(', ')})`,
    )
    process.exit(2)
  }
  inputs[input] = value
}
if (env.ACTIONS_STEP_DEBUG === 'true') env.RUNNER_DEBUG = '1'
console.log(`Running dist/index.js with inputs: ${Object.keys(inputs).join(', ')}`)
const run = await runAction({ inputs, env, inheritEnv: true, echo: true })
const masked = run.stdout.split('\n').filter((line) => line.startsWith('::add-mask::')).length
console.log(
  `\nexit code: ${run.code}\nmasked: ${masked} values, which a runner hides wherever they appear (their ::add-mask:: lines are not shown)\noutputs: ${JSON.stringify(run.outputs, null, 2)}\nsummary:\n${run.summary}`,
)
process.exitCode = run.code ?? 1
