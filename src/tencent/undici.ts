// The parts of undici this action runs, taken from undici's own files instead of its index.
//
// Why: `import 'undici'` evaluates everything undici offers (fetch, WebSocket, EventSource, cache stores, mocks)
// before the first line of the action runs. That was ~35 ms of a ~205 ms cold start, and the whole gap between
// this action and a one-call script on Tencent's SDK (issue 5; `npm run bench`). These are the same modules
// undici's index.js assembles, and the one thing that index does besides exporting them is repeated below.
// The lockfile pins undici; test/undici.test.ts fails when an upgrade moves these files or changes that glue.
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import api from 'undici/lib/api/index.js'
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js'

// As undici's index.js does: every dispatcher gets request(), and connect(), which ProxyAgent tunnels with.
Object.assign(Dispatcher.prototype, api)

export { EnvHttpProxyAgent }
