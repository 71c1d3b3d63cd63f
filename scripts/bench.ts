// npm run bench: cost and speed of the action, side by side with its peers, against the stand-in API.
//   1. cold start: process start -> first request on the wire; the action vs bare `node -e fetch()` (target: within
//      2x), with a one-call script on Tencent's official SDK for reference (median of RUNS each); peak RSS
//   2. detection: how late a flow's end is seen, and how many calls it took, for flows ending 7 s and 40 s
//      after the step starts: the default schedule vs fixed 1 s and 5 s polling (the real action, real time)
//   3. simulated, on a fake clock with the real engine and schedule: how late flows of 1 s to 6 h are seen at worst
//      and the calls they cost, against the goal (lateness <= max(1.5 s, 10% of the flow), <= 6 calls a minute
//      in steady state); a long flow's calls per minute for each schedule
//   4. how soon the process is gone after SIGINT (a cancelled workflow)
//   5. the size of dist/
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { adaptiveSchedule, fixedSchedule } from '../src/wait/schedule.ts'
import { startFakeTencent } from './lib/stand-in.ts'
import { callsPerMinute, lateness, simulateFlow } from './lib/simulate.ts'
import { runAction } from './lib/run-action.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 9)
const root = new URL('..', import.meta.url).pathname
const KEY = { id: 'AKIDbench', secret: 'bench-key' }
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}
/** A Markdown table: the first row is the header, followed by the separator row that makes it render as one. */
const table = (rows: (string | number)[][]): string => {
  const widths = rows[0]?.map((_, i) => Math.max(3, ...rows.map((r) => String(r[i]).length))) ?? []
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`
  const [header = [], ...body] = rows.map((r) => r.map(String))
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

const endsAt = new Map<string, number>()
const server = await startFakeTencent({ keys: { [KEY.id]: { secretKey: KEY.secret } }, flows: { '1': [0] }, endsAt })
const inputs = { region: 'ap-guangzhou', 'secret-id': KEY.id, 'secret-key': KEY.secret, endpoint: server.url }

/** Spawns a command and returns ms from spawn to its first request at the stand-in. */
async function firstRequestAfterSpawn(args: string[]): Promise<number> {
  const before = server.requests.length
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } })
  await new Promise((resolve) => child.on('close', resolve))
  const first = server.requests[before]
  if (!first) throw new Error(`no request from: node ${args.join(' ')}`)
  return first.at - spawnedAt
}

// 1. cold start
const bare = `fetch(${JSON.stringify(server.url)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.text(), () => undefined)`
const cold = { action: [] as number[], bare: [] as number[], sdk: [] as number[], rssKb: [] as number[] }
for (let i = 0; i < RUNS; i++) {
  // interleaved, so a noisy moment hurts all three alike
  const before = server.requests.length
  const run = await runAction({
    inputs: { ...inputs, 'flow-id': '1' },
    nodeArgs: ['--import', join(root, 'scripts/bench/max-rss.mjs')],
  })
  const first = server.requests[before]
  if (run.code !== 0 || !first) throw new Error(`the action failed: ${run.stdout}${run.stderr}`)
  cold.action.push(first.at - run.spawnedAt)
  cold.rssKb.push(Number(/bench:max-rss-kb=(\d+)/.exec(run.stderr)?.[1]))
  cold.bare.push(await firstRequestAfterSpawn(['-e', bare]))
  cold.sdk.push(await firstRequestAfterSpawn([join(root, 'scripts/bench/sdk-one-call.mjs'), server.host]))
}
const [action, bareMs, sdkMs] = [median(cold.action), median(cold.bare), median(cold.sdk)]
console.log(
  `\n## Cold start: process start -> first request on the wire (median of ${RUNS}, Node ${process.versions.node})\n`,
)
console.log(
  table([
    ['', 'median ms', 'vs bare node'],
    ['bare node -e "fetch(...)"', bareMs, '1.00x'],
    ['this action (dist/index.js)', action, `${(action / bareMs).toFixed(2)}x`],
    ['official SDK, one DescribeFlow', sdkMs, `${(sdkMs / bareMs).toFixed(2)}x`],
  ]),
)
console.log(
  `\ntarget: the action within 2x of bare node (the SDK script is shown for reference); the action's peak RSS: ${(median(cold.rssKb) / 1024).toFixed(1)} MB (median; max ${(Math.max(...cold.rssKb) / 1024).toFixed(1)} MB)`,
)

// 2. detection, for real: all six runs at once, each its own flow ending at its own time
const schedules = [
  ['default (adaptive)', ''],
  ['fixed 1 s', '1s'],
  ['fixed 5 s', '5s'],
] as const
const flows = [7000, 40_000]
let nextId = 100
const detection = await Promise.all(
  flows.flatMap((endsAfter) =>
    schedules.map(async ([name, interval]) => {
      const id = String(nextId++)
      endsAt.set(id, Date.now() + endsAfter)
      const run = await runAction({ inputs: { ...inputs, 'flow-id': id, 'poll-interval': interval } })
      const calls = server.requests.filter((r) => r.body === `{"FlowId":${id}}`)
      const seen = calls.find((r) => r.answer === '0')
      if (run.code !== 0 || !seen) throw new Error(`detection run ${name}/${endsAfter} failed: ${run.stdout}`)
      return { name, endsAfter, lateMs: seen.at - (endsAt.get(id) ?? 0), requests: calls.length }
    }),
  ),
)
console.log('\n## Detection: flows ending 7 s and 40 s after the step starts (one real run each)\n')
console.log(
  table([
    ['schedule', 'flow', 'seen late by', 'calls'],
    ...detection.map((d) => [d.name, `${d.endsAfter / 1000} s`, `${(d.lateMs / 1000).toFixed(2)} s`, d.requests]),
  ]),
)
console.log(
  '\ngoal for the default: an end seen at most max(1.5 s, 10% of the flow) late (1.5 s for 7 s, 4 s for 40 s), at most 6 calls a minute once the gaps reach 10 s',
)

// 3. simulated: the real engine and schedule on a fake clock, answers instant
const lengths: [string, number][] = [
  ['1 s', 1000],
  ['10 s', 10_000],
  ['1 min', 60_000],
  ['10 min', 600_000],
  ['1 h', 3_600_000],
  ['6 h', 21_600_000],
]
const simulated = await Promise.all(
  lengths.map(async ([name, ms]) => {
    // 50 flows ending across the 10% after the length: wherever between two polls the end falls
    const { worstMs, goalMs, metGoal } = await lateness(ms, ms * 1.1, adaptiveSchedule)
    const { requests: calls } = await simulateFlow(ms, adaptiveSchedule)
    return [name, `${(worstMs / 1000).toFixed(2)} s`, `${(goalMs / 1000).toFixed(2)} s`, metGoal ? 'yes' : 'NO', calls]
  }),
)
console.log('\n## Simulated: the default schedule on the real engine, fake clock, instant answers\n')
console.log(
  table([
    [
      'flow (ending within 10% after)',
      'seen late by, at worst',
      'that flow’s goal: max(1.5 s, 10%)',
      'every flow within its goal',
      'DescribeFlow calls',
    ],
    ...simulated,
  ]),
)
console.log(
  `\nsteady state: ${await callsPerMinute(adaptiveSchedule)} DescribeFlow calls a minute (goal: at most 6); fixed 1 s: ${await callsPerMinute(fixedSchedule(1000))}, fixed 5 s: ${await callsPerMinute(fixedSchedule(5000))}`,
)

// 4. cancellation: SIGINT while a flow is processing -> the process has exited
const cancelMs: number[] = []
for (let i = 0; i < 5; i++) {
  const id = String(nextId++)
  endsAt.set(id, Date.now() + 3600_000)
  let signalledAt = 0
  const run = await runAction({
    inputs: { ...inputs, 'flow-id': id },
    signal: { name: 'SIGINT', when: /processing after/ },
    onSignal: () => (signalledAt = Date.now()),
  })
  if (run.code !== 1 || !signalledAt) throw new Error(`cancel run failed: ${run.stdout}`)
  cancelMs.push(run.exitedAt - signalledAt)
}
console.log(
  `\n## Cancellation: SIGINT while waiting -> process gone: median ${median(cancelMs)} ms (max ${Math.max(...cancelMs)} ms, ${cancelMs.length} runs)`,
)

// 5. size
const distBytes = readdirSync(join(root, 'dist')).reduce((sum, f) => sum + statSync(join(root, 'dist', f)).size, 0)
console.log(
  `\n## dist/: ${(distBytes / 1024).toFixed(0)} kB (index.js ${(statSync(join(root, 'dist/index.js')).size / 1024).toFixed(0)} kB)\n`,
)
await server.close()
