// src/tencent/undici.ts takes undici's parts by file instead of from its index, and the bundle resolves `undici`
// to ProxyAgent alone (vendor/undici-proxy-agent). These tests fail when an undici upgrade moves those files or
// changes what its index does beyond exporting them, or when the build stops honouring that resolution.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { ProxyAgent } from '../vendor/undici-proxy-agent/index.js'

const root = new URL('..', import.meta.url).pathname
/** Names a dispatcher answers to, through its whole prototype chain, in a fresh Node that imported `module`. */
function dispatcherMethods(module: string): string[] {
  const script = `await import(${JSON.stringify(module)})
    const require = (await import('node:module')).createRequire(${JSON.stringify(root)})
    const names = new Set()
    for (let p = require('undici/lib/dispatcher/env-http-proxy-agent.js').prototype; p; p = Object.getPrototypeOf(p))
      for (const name of Object.getOwnPropertyNames(p)) names.add(name)
    console.log(JSON.stringify([...names].sort()))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as string[]
}

describe('the parts of undici the action runs', () => {
  it('give a dispatcher the same methods as undici’s index does (request, connect for proxy tunnels…)', () => {
    const slim = dispatcherMethods(new URL('../src/tencent/undici.ts', import.meta.url).href)
    const full = dispatcherMethods('undici')
    expect(slim).toEqual(full)
    expect(slim).toEqual(expect.arrayContaining(['request', 'connect', 'dispatch', 'destroy']))
  })

  it('hand @actions/http-client undici’s own ProxyAgent', () => {
    expect(ProxyAgent).toBe(createRequire(import.meta.url)('undici/lib/dispatcher/proxy-agent.js'))
  })

  it('are all of undici the bundle holds: not its index, fetch, WebSocket or caches', () => {
    const bundle = readFileSync(`${root}/dist/index.js`, 'utf8')
    const undiciFiles = [...bundle.matchAll(/^\/\/ EXTERNAL MODULE: \.\/node_modules\/undici\/(\S+)$/gm)].map((m) => m[1])
    expect(undiciFiles).toContain('lib/dispatcher/env-http-proxy-agent.js')
    expect(undiciFiles).not.toContain('index.js')
    expect(bundle).not.toMatch(/node_modules\/undici\/lib\/(web|cache|mock)\//)
    expect(bundle).toContain('./vendor/undici-proxy-agent/index.js')
  })
})
