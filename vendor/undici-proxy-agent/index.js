// What `undici` resolves to inside the bundle (tsconfig.json "paths"), for @actions/http-client's sake. It imports
// one thing from undici, ProxyAgent, for HttpClient.getAgentDispatcher(), which this action never calls
// (@actions/core's OIDC client uses node:http). Resolving `undici` to its index instead would evaluate all of
// undici on every run: fetch, WebSocket, caches, mocks; see src/tencent/undici.ts. The class is undici's own.
export { default as ProxyAgent } from 'undici/lib/dispatcher/proxy-agent.js'
