import { describe, expect, it } from 'vitest';
import { bundleState, formatInstant } from './format';

describe('bundleState', () => {
  it('compares what an endpoint holds with the version in force', () => {
    expect(bundleState(null, 4)).toBe('none');
    expect(bundleState(3, null)).toBe('held');
    expect(bundleState(3, 4)).toBe('behind');
    expect(bundleState(4, 4)).toBe('current');
  });
});

describe('formatInstant', () => {
  it('speaks the reader language in the zone asked for', () => {
    expect(formatInstant('2026-03-29T01:30:00Z', 'en', 'Europe/Berlin')).toBe(
      'Mar 29, 2026, 3:30 AM',
    );
    expect(formatInstant('2026-03-29T01:30:00Z', 'de', 'Europe/Berlin')).toBe(
      '29.03.2026, 03:30',
    );
  });
});
