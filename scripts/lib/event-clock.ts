// A fake clock for many waits at once: each sleep is an event at its own time, and run() moves the clock from one
// event to the next, letting everything that woke go on until it sleeps again. fake-clock.ts jumps its time on
// every sleep, which only one wait at a time can share.
import { setImmediate as settle } from 'node:timers/promises'

export interface EventClock {
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
  /** Moves from event to event until `done` settles (or nothing sleeps any more); resolves with its value. */
  run<T>(done: Promise<T>): Promise<T>
}

interface Timer {
  readonly at: number
  readonly order: number
  readonly wake: () => void
}

export function eventClock(start = 0): EventClock {
  let time = start
  let order = 0
  const timers: Timer[] = [] // by time, then by when they were set
  const remove = (timer: Timer): void => {
    const i = timers.indexOf(timer)
    if (i >= 0) timers.splice(i, 1)
  }
  return {
    now: () => time,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason as Error)
        const onAbort = (): void => {
          remove(timer)
          reject(signal.reason as Error)
        }
        const timer: Timer = {
          at: time + Math.max(0, ms),
          order: order++,
          wake: () => {
            signal.removeEventListener('abort', onAbort)
            resolve()
          },
        }
        let i = timers.length
        while (i > 0 && (timers[i - 1]?.at ?? 0) > timer.at) i--
        timers.splice(i, 0, timer)
        signal.addEventListener('abort', onAbort, { once: true })
      })
    },
    async run(done) {
      let finished = false
      const result = done.finally(() => (finished = true))
      for (;;) {
        await settle() // everything woken runs until it sleeps again
        if (finished) return result
        const next = timers.shift()
        if (!next) return result
        time = Math.max(time, next.at)
        next.wake()
      }
    },
  }
}
