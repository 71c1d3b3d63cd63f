import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hung end-to-end test fails here instead of stalling CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Most of the suite waits on timers, servers and child processes, not on the CPU: three files at a time on a
    // 2-core machine (vitest would take one). Cases that assert how long a step took keep a second of margin.
    maxWorkers: 3,
  },
})
