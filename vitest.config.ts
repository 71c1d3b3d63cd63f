import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the bundled action; a hung one fails here instead of stalling CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
