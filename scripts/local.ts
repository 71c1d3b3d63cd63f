// npm run local [-- path/to/.env]: runs the bundled action on this machine the way a runner would, with inputs
// from a .env file (see .env.example), and prints its log, outputs and job summary.
// Keys named like an input in upper snake case (FLOW_ID, POLL_INTERVAL) become inputs; every other key
// (TENCENTCLOUD_SECRET_ID, HTTPS_PROXY, …) is passed on as an environment variable, over this shell's own.
import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { actionInputs, runAction } from '../test/support/run-action.ts'

const file = process.argv[2] ?? '.env'
if (!existsSync(file)) {
  console.error(`No ${file}: copy .env.example to .env and fill it in (or pass another file: npm run local -- path/to/file).`)
  process.exit(2)
}
const inputNames = new Set(actionInputs().keys())
const inputs: Record<string, string> = {}
const env: Record<string, string> = {}
for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
  const input = key.toLowerCase().replaceAll('_', '-')
  if (inputNames.has(input)) inputs[input] = value ?? ''
  else env[key] = value ?? ''
}
console.log(`Running dist/index.js with inputs: ${Object.keys(inputs).join(', ')}`)
const run = await runAction({ inputs, env, inheritEnv: true, echo: true })
console.log(`\nexit code: ${run.code}\noutputs: ${JSON.stringify(run.outputs, null, 2)}\nsummary:\n${run.summary}`)
process.exitCode = run.code ?? 1
