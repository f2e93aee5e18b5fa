/**
 * A cron expression that fires about every `intervalMs`. pg-boss schedules have minute
 * resolution, so an interval under a minute becomes every minute, and longer ones round to whole
 * minutes (under an hour) or whole hours.
 */
export function cronEvery(intervalMs: number): string {
  const minutes = Math.max(1, Math.round(intervalMs / 60_000));
  if (minutes === 1) return '* * * * *';
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.min(24, Math.round(minutes / 60));
  return hours >= 24 ? '0 0 * * *' : `0 */${hours} * * *`;
}
