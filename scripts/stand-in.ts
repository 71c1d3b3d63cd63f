// The stand-in API as a process, for trying the action by hand and for the CI job that runs it with `uses: ./`.
//   node test/support/serve.ts --port 8080 --key AKIDexample:secret --flows '{"123":[2,2,0],"456":[2,1]}'
// Node 24 runs this file as it is (type stripping); it needs no npm install.
import { parseArgs } from 'node:util'
import { startFakeTencent, type Key, type Step } from './fake-tencent.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    key: { type: 'string', multiple: true, default: [] },
    flows: { type: 'string', default: '{}' },
    region: { type: 'string' },
  },
})
const keys: Record<string, Key> = {}
for (const pair of values.key) {
  const [id = '', secretKey = '', token] = pair.split(':')
  keys[id] = token ? { secretKey, token } : { secretKey }
}
const server = await startFakeTencent({
  port: Number(values.port),
  keys,
  flows: JSON.parse(values.flows) as Record<string, Step[]>,
  region: values.region,
})
console.log(`stand-in Tencent Cloud API listening on ${server.url}`)
