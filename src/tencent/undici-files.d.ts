// Types for the undici files src/tencent/undici.ts imports: each is what undici's typed index exports for it.
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici/types/index.js'
  export default Dispatcher
}
declare module 'undici/lib/api/index.js' {
  const api: Record<'request' | 'stream' | 'pipeline' | 'upgrade' | 'connect', unknown>
  export default api
}
declare module 'undici/lib/dispatcher/env-http-proxy-agent.js' {
  import { EnvHttpProxyAgent } from 'undici/types/index.js'
  export default EnvHttpProxyAgent
}
