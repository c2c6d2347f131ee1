// A grant's effective schedule as the Access screen states it: its start
// and end in a zone, and its daily window (which the policy keeps in one
// zone) as the other zone sees it too.
import type { Grant } from '../../../shared/api/client';
import { formatInstant } from '../endpoints/format';

type Schedule = Grant['effective_schedule'];

export function spanIn(s: Schedule, language: string, timeZone: string): string {
  const start = formatInstant(s.start, language, timeZone);
  return s.end ? `${start} – ${formatInstant(s.end, language, timeZone)}` : `${start} –`;
}

// "HH:MM" of `zone`'s wall clock on the day of `on` (an instant), read in
// `other`: how a daily window in one zone looks from the other.
export function wallTimeIn(hhmm: string, zone: string, other: string, on: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  const day = new Date(on);
  // The instant at which `zone` shows hh:mm that day: the wall time read as
  // UTC, less the zone's offset; asked twice, for a day the offset changes.
  const wall = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m);
  let instant = wall - offsetMinutes(zone, wall) * 60000;
  instant = wall - offsetMinutes(zone, instant) * 60000;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: other, hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(instant));
}

// `zone`'s offset from UTC in minutes at instant `t` (ms).
function offsetMinutes(zone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(t / 1000) * 1000) / 60000);
}
