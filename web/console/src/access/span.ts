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
  const instant = instantOf(hhmm, zone, on);
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

// Where a grant may be used on an axis of `days` days from `from` (an
// instant, ms): pieces [start, end) as fractions of the axis, one per day's
// window when the grant has one (its from–to in its zone; a window past
// midnight ends the next day), else the whole span; clipped to the axis.
export function timeline(s: Schedule, from: number, days: number): [number, number][] {
  const axisEnd = from + days * 86400000;
  const start = Date.parse(s.start);
  const end = s.end ? Date.parse(s.end) : Infinity;
  const clip = (a: number, b: number): [number, number] | null => {
    const x = Math.max(a, start, from);
    const y = Math.min(b, end, axisEnd);
    return y > x ? [(x - from) / (axisEnd - from), (y - from) / (axisEnd - from)] : null;
  };
  if (!s.daily) {
    const whole = clip(start, end);
    return whole ? [whole] : [];
  }
  const zone = s.daily.time_zone ?? 'UTC';
  const pieces: [number, number][] = [];
  for (let d = -1; d <= days; ++d) {
    const day = new Date(from + d * 86400000).toISOString();
    const open = instantOf(s.daily.from, zone, day);
    let close = instantOf(s.daily.to, zone, day);
    if (close <= open) close += 86400000;
    const piece = clip(open, close);
    if (piece) pieces.push(piece);
  }
  return pieces;
}

// The instant (ms) at which `zone`'s wall clock shows `hhmm` on the UTC
// date of `on`.
function instantOf(hhmm: string, zone: string, on: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  const day = new Date(on);
  const wall = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m);
  const first = wall - offsetMinutes(zone, wall) * 60000;
  return wall - offsetMinutes(zone, first) * 60000;
}
