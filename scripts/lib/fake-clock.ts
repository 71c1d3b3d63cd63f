// A clock that only moves when the code under test sleeps (or a call "takes" time), so waits are exact and instant.
export interface FakeClock {
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
  advance(ms: number): void
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[]
}

export function fakeClock(start = 0): FakeClock {
  let time = start
  const sleeps: number[] = []
  return {
    now: () => time,
    sleeps,
    advance(ms) {
      time += ms
    },
    async sleep(ms, signal) {
      if (signal.aborted) throw signal.reason
      sleeps.push(ms)
      time += ms
      await Promise.resolve()
      if (signal.aborted) throw signal.reason
    },
  }
}
