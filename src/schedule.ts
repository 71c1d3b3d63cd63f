// When to poll next. With no poll-interval input the gap grows with the time already waited, so a short flow is
// seen soon after it ends and a long one costs few calls:
//   gap = elapsed / 5, at least 1.25 s   -> polls at 0, 1.25, 2.5, ... 6.25, 7.5, 9 s: a 7 s flow is seen by 7.5 s
//   held at 3.5 s until elapsed / 15 passes it (52.5 s) -> flows of up to a minute are seen within 3.5 s
//   elapsed / 15, at most 10 s (reached at 150 s) -> a long flow costs 6 calls a minute
// The targets and the measurements are in the README's Performance section (npm run bench).
export type Schedule = (elapsedMs: number) => number

export const MIN_GAP_MS = 1250
export const PLATEAU_GAP_MS = 3500
export const MAX_GAP_MS = 10_000

export const adaptiveSchedule: Schedule = (elapsedMs) =>
  Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, Math.min(elapsedMs / 5, PLATEAU_GAP_MS), elapsedMs / 15))

export const fixedSchedule =
  (gapMs: number): Schedule =>
  () =>
    gapMs
