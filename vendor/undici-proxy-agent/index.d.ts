// Only what index.js exports, so that TypeScript rejects any other import from 'undici' in this project.
export { ProxyAgent } from 'undici/types/index.js'
