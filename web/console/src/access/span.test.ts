import { describe, expect, it } from 'vitest';
import { spanIn, timeline, wallTimeIn } from './span';

describe('wallTimeIn', () => {
  it('shows a window of one zone in another, with summer time on that day', () => {
    // 08:00 in New York is 14:00 in Berlin in January, 14:00 in July too…
    expect(wallTimeIn('08:00', 'America/New_York', 'Europe/Berlin', '2026-01-15T12:00:00Z')).toBe('14:00');
    // …but 13:00 in the weeks when the US has changed its clocks and Europe not yet.
    expect(wallTimeIn('08:00', 'America/New_York', 'Europe/Berlin', '2026-03-10T12:00:00Z')).toBe('13:00');
    expect(wallTimeIn('18:00', 'Asia/Kolkata', 'UTC', '2026-06-01T00:00:00Z')).toBe('12:30');
  });
});

describe('spanIn', () => {
  it('states start and end in the zone asked for', () => {
    expect(
      spanIn({ start: '2026-03-29T00:30:00Z', end: '2026-04-05T00:30:00Z', daily: null }, 'en', 'Europe/Berlin'),
    ).toBe('Mar 29, 2026, 1:30 AM – Apr 5, 2026, 2:30 AM');
    expect(spanIn({ start: '2026-03-29T00:30:00Z', end: null, daily: null }, 'en', 'UTC')).toBe(
      'Mar 29, 2026, 12:30 AM –',
    );
  });
});

describe('timeline', () => {
  const from = Date.parse('2026-01-05T00:00:00Z');
  it('is the whole span without a daily window, clipped to the axis', () => {
    expect(
      timeline({ start: '2026-01-06T00:00:00Z', end: '2026-01-20T00:00:00Z', daily: null }, from, 10),
    ).toEqual([[0.1, 1]]);
  });
  it('is one piece a day for a daily window in its zone', () => {
    const pieces = timeline(
      {
        start: '2026-01-05T00:00:00Z',
        end: '2026-01-07T00:00:00Z',
        daily: { from: '09:00', to: '12:00', time_zone: 'Europe/Berlin' },
      },
      from,
      2,
    );
    // 09:00–12:00 in Berlin is 08:00–11:00 UTC in January.
    expect(pieces).toEqual([
      [8 / 48, 11 / 48],
      [32 / 48, 35 / 48],
    ]);
  });
  it('ends a window past midnight the next day', () => {
    const pieces = timeline(
      { start: '2026-01-05T00:00:00Z', end: null, daily: { from: '22:00', to: '02:00', time_zone: 'UTC' } },
      from,
      1,
    );
    expect(pieces).toEqual([
      [0, 2 / 24],
      [22 / 24, 1],
    ]);
  });
});
