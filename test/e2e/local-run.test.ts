// The README's "Running it locally" recipes, run as written: the stand-in from its npm script, then the action
// under GitHub's @github/local-action and under `npm run local`, with the committed .env.stand-in. The only
// change is the port (a free one instead of 8080), so a test run never depends on what else this machine runs.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/lib/action-metadata.ts'

const readme = readFileSync(`${ROOT}README.md`, 'utf8')
const section = readme.slice(
  readme.indexOf('## Running it locally'),
  readme.indexOf('\n## ', readme.indexOf('## Running it locally') + 1),
)
const commands = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
  .flatMap((m) => (m[1] ?? '').split('\n'))
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line !== '')
const standIn = commands.find((c) => c.startsWith('npm run stand-in'))
const withStandInEnv = commands.filter((c) => c.endsWith('.env.stand-in'))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function sh(command: string): { child: ChildProcess; output: () => string; done: Promise<number | null> } {
  // its own process group, so that stopping it stops npm's children too
  const child = spawn('sh', ['-c', command], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, output: () => output, done: new Promise((resolve) => child.on('close', resolve)) }
}

let cleanup: (() => void)[] = []
afterEach(() => {
  for (const step of cleanup) step()
  cleanup = []
})

describe("the README's local recipes, as written", () => {
  it('are there: the stand-in, local-action and npm run local, both with .env.stand-in', () => {
    expect(standIn).toMatch(/^npm run stand-in -- --flows '\{"123":\[2,2,0\]\}'$/)
    expect(withStandInEnv).toEqual([
      'npx @github/local-action . src/main.ts .env.stand-in',
      'npm run local -- .env.stand-in',
    ])
  })

  it('`npm run stand-in -- --help` explains the plans and the region, without a stack trace', async () => {
    const help = sh('npm run -s stand-in -- --help')
    expect(await help.done).toBe(0)
    expect(help.output()).toMatch(/--flows JSON/)
    expect(help.output()).toMatch(/"reset"/)
    expect(help.output()).toMatch(/--region/)
    const bad = sh('npm run -s stand-in -- --flows nope')
    expect(await bad.done).toBe(2)
    expect(bad.output()).toMatch(/^stand-in: --flows must be JSON/)
    expect(bad.output()).not.toMatch(/\n\s+at /)
  })

  it.each(withStandInEnv)(
    '%s: runs to success against the stand-in',
    async (command) => {
      const port = await freePort()
      const server = sh(`${standIn} --port ${port}`)
      cleanup.push(() => process.kill(-(server.child.pid ?? 0), 'SIGTERM'))
      await expect.poll(server.output, { timeout: 15_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)

      const dir = mkdtempSync(join(tmpdir(), 'local-run-'))
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
      const envFile = join(dir, '.env.stand-in')
      writeFileSync(
        envFile,
        readFileSync(`${ROOT}.env.stand-in`, 'utf8').replace('127.0.0.1:8080', `127.0.0.1:${port}`),
      )
      const run = sh(command.replace(/\.env\.stand-in$/, envFile))
      const code = await run.done
      expect(run.output()).toMatch(/Flow 123: succeeded after/)
      expect(run.output()).toMatch(/result.{0,20}succeeded/)
      expect(code).toBe(0)
      expect(server.output().match(/DescribeFlow 123 -> \d/g)).toEqual([
        'DescribeFlow 123 -> 2',
        'DescribeFlow 123 -> 2',
        'DescribeFlow 123 -> 0',
      ])
    },
    60_000,
  )
})
