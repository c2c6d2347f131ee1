// How the window writes times: in the customer's zone, as
// "2026-12-15 10:03", whatever the browser's own zone.
import type { Grant } from './api';

export function wallTime(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

// The parameters of a grant's line: until when (or none), and its daily
// window with the zone that window is in.
export function grantTimes(
  grant: Grant,
  zone: string,
): { end: string | null; daily: string | null } {
  const s = grant.effective_schedule;
  return {
    end: s.end ? wallTime(s.end, zone) : null,
    daily: s.daily ? `${s.daily.from}–${s.daily.to} (${s.daily.time_zone})` : null,
  };
}
