// The step's pace: how often the account lets its rounds come. The API allows an account 20 requests a second,
// shared by every step of a matrix and every other tool; no step knows how many others there are. A request refused
// for the rate says the account is busy: the step widens the gap between its rounds, for every probe at once (they
// share the account), and narrows it again slowly while answers come through. N steps doing so spread out to about
// their fair share, a round every N/20 s each, without knowing N.
//
// The constants were chosen by the bench (npm run bench, "Many steps, one account"), which runs up to 200 steps of
// the real engine on a fake clock against a simulated account, and 30 and 50 real processes against the stand-in.
// Widening from the schedule's gap (not the pace alone) lets a step reach a crowded account's pace with its first
// refusal; compounding on later refusals finds a pace the first guess fell short of; narrowing per answer is slow so
// that steps widened together do not come back together and refuse each other again.
//
// The schedule's own gap is the floor: the pace never makes a round come sooner than the schedule would. It is told
// of every answer by the transport (transport.ts), which sees every Tencent Cloud request of the step; the engine
// (poll.ts) asks it for each gap. Clock and randomness come in, so the bench runs hundreds of steps on a fake clock.
import { MAX_GAP_MS } from './schedule.ts'

/** A refusal widens the pace to this many times the schedule's gap... */
export const WIDEN_FACTOR = 2.5
/** ...or, if the step was already widened, to this many times its pace, whichever is wider. */
export const COMPOUND_FACTOR = 1.25
/**
 * Each answer that comes through narrows the pace by this share of itself: about 140 answers halve it, so a step
 * comes back to its schedule over minutes, not all at once with the others.
 */
export const NARROW_BY = 0.005
/**
 * The widest pace: twice the schedule's ceiling, room for 400 steps' fair share. It is only reached while the
 * account goes on refusing at the ceiling itself.
 */
export const MAX_PACE_MS = 2 * MAX_GAP_MS
/** A widened gap is drawn within ±this share of the pace, so steps widened at the same moment drift apart. */
export const PACE_JITTER = 0.25
/** A refused round is tried again no sooner than this: the account counts its requests by the second. */
export const MIN_RETRY_MS = 1000

export interface Pace {
  /** The gap before a round, given the schedule's (already drawn): never shorter, wider while throttled. */
  gapMs(scheduleGapMs: number, random: () => number): number
  /**
   * When to try a refused round again: somewhere within the pace just widened (it is late already, and steps
   * refused together must not come back together), never within the same second.
   */
  retryMs(scheduleGapMs: number, random: () => number): number
  /** A request of the step was answered (anything but a refusal for the rate). */
  answered(): void
  /** A request of the step was refused for the rate: the account is busy. */
  throttled(): void
  /** The pace now: no gap is drawn shorter than about this (0 until the first refusal). */
  widenedMs(): number
}

export function createPace(now: () => number): Pace {
  let paceMs = 0
  let widenedAt = Number.NEGATIVE_INFINITY
  /** A refusal not yet acted on: the next gap widens, knowing the schedule's gap in use. */
  let refused = false
  const widen = (scheduleGapMs: number): void => {
    if (!refused) return
    paceMs = Math.min(MAX_PACE_MS, Math.max(paceMs * COMPOUND_FACTOR, WIDEN_FACTOR * scheduleGapMs))
    widenedAt = now()
    refused = false
  }
  return {
    widenedMs: () => paceMs,
    gapMs(scheduleGapMs, random) {
      widen(scheduleGapMs)
      if (paceMs <= scheduleGapMs) return scheduleGapMs
      return Math.max(scheduleGapMs, paceMs * (1 + PACE_JITTER * (2 * random() - 1)))
    },
    retryMs(scheduleGapMs, random) {
      widen(scheduleGapMs)
      return Math.max(MIN_RETRY_MS, paceMs * (0.25 + 0.75 * random()))
    },
    throttled() {
      // One widening per crowded moment: refusals within one pace of the last widening (several probes, a retry,
      // rounds already on their way) say nothing the step has not heard.
      if (now() - widenedAt >= paceMs) refused = true
    },
    answered() {
      paceMs *= 1 - NARROW_BY
    },
  }
}
