// When to poll next. With no poll-interval input the gap is a tenth of the time already waited, at least 1.25 s
// and at most 10 s:
//   0, 1.25, 2.5, … 12.5 s, then each gap 10% longer, reaching 10 s at 100 s.
// So a flow is seen at most max(1.25 s, 10% of its length) after it ended (the goal: max(1.5 s, 10%)), and a
// long one costs 6 calls a minute. The goals and the measurements are in the README's Performance section
// (npm run bench, which simulates flows of 1 s to 6 h on the real engine).
//
// Every gap after the first round is drawn within ±10% of the schedule's, never past what the schedule promises:
// steps of a matrix that started together drift apart instead of polling the account in lockstep. Where the
// promise leaves no room (the first 100 s of the default) a gap is only ever shorter; in a long wait it averages
// the schedule's, so the cost stays 6 calls a minute.
export interface Schedule {
  /** The gap it aims at after `elapsedMs` of waiting. */
  readonly gapMs: (elapsedMs: number) => number
  /** The longest gap it promises after that long (an end is seen at most this late): jitter never passes it. */
  readonly mostMs: (elapsedMs: number) => number
}

export const MIN_GAP_MS = 1250
export const MAX_GAP_MS = 10_000
/** A gap is drawn within ±this share of the schedule's. */
export const SCHEDULE_JITTER = 0.1

export const adaptiveSchedule: Schedule = {
  gapMs: (elapsedMs) => Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, elapsedMs / 10)),
  mostMs: (elapsedMs) => Math.max(MIN_GAP_MS, elapsedMs / 10),
}

/** A gap the user chose (poll-interval): about that often, the draw on either side of it. */
export const fixedSchedule = (gapMs: number): Schedule => ({
  gapMs: () => gapMs,
  mostMs: () => gapMs * (1 + SCHEDULE_JITTER),
})

/** The gap before the next round, drawn: `random` at 0.5 gives the schedule's own. */
export function drawGapMs(schedule: Schedule, elapsedMs: number, random: () => number): number {
  const gap = schedule.gapMs(elapsedMs) * (1 + SCHEDULE_JITTER * (2 * random() - 1))
  return Math.min(schedule.mostMs(elapsedMs), gap)
}
