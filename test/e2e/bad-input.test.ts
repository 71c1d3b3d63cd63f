// Bad input through the bundled action, the way the runner runs it: exit 1, one error annotation, not one request
// sent, and no output. The endpoint, STS and the GitHub token endpoint are one server that records whatever reaches
// it. Which message each bad input gets is test/refused-inputs.test.ts's, on getInputs itself.
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/lib/run-action.ts'
import { inputs, keyless } from '../support/e2e.ts'
import { startHostileServer } from '../support/hostile-server.ts'

describe('bad input is refused before any request', () => {
  it.for([
    { name: 'a flow-id that is no flow ID', step: (url: string) => ({ inputs: inputs(url, { 'flow-id': 'abc' }) }) },
    {
      name: 'a change whose parameters the API model refuses: it is never sent',
      step: (url: string) => ({
        inputs: inputs(url, { 'flow-id': '', call: 'RestartInstance', parameters: '{"InstanceID": "x"}' }),
      }),
    },
    {
      name: 'keyless, with an sts-endpoint that has a path: neither the ID token nor STS is asked',
      step: (url: string) => keyless(url, { 'sts-endpoint': `${url}/sts` }),
    },
  ])('$name', async ({ step }, test) => {
    const server = await startHostileServer(test, (_request, res) => void res.writeHead(500).end())
    const run = await runAction(step(server.url))
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error::'))).toEqual([
      expect.stringMatching(/^::error::Input '(flow-id|parameters|sts-endpoint)' /),
    ])
    expect(server.requests).toEqual([])
    expect(run.outputs).toEqual({})
  })
})
