import { describe, expect, it } from 'vitest';
import { codeIn } from './api';
import { grantTimes, wallTime } from './format';

describe('wallTime', () => {
  it('writes an instant in the customer zone, across summer time', () => {
    expect(wallTime('2026-07-01T08:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 10:00');
    expect(wallTime('2026-12-01T08:00:00Z', 'Europe/Berlin')).toBe('2026-12-01 09:00');
    expect(wallTime('2026-12-01T23:30:00Z', 'Europe/Vienna')).toBe('2026-12-02 00:30');
  });
});

describe('grantTimes', () => {
  const grant = (end: string | null, daily: boolean) => ({
    id: 'g',
    request_id: 'r',
    technician_id: 't',
    technician_name: 'Tom',
    credential_mode: 'at_connection' as const,
    state: 'active',
    user_name: null,
    effective_schedule: {
      start: '2026-12-01T08:00:00Z',
      end,
      daily: daily ? { from: '09:00', to: '17:00', time_zone: 'Europe/Berlin' } : null,
    },
  });
  it('names the end in the customer zone and the daily window in its own', () => {
    expect(grantTimes(grant('2026-12-15T08:00:00Z', true), 'Europe/Lisbon')).toEqual({
      end: '2026-12-15 08:00',
      daily: '09:00–17:00 (Europe/Berlin)',
    });
  });
  it('has no end for an unlimited grant', () => {
    expect(grantTimes(grant(null, false), 'UTC')).toEqual({ end: null, daily: null });
  });
});

describe('codeIn', () => {
  it('takes the code of #code=… only', () => {
    expect(codeIn('#code=abcdefghijklmnopqrstuvwxyz_-0123')).toBe('abcdefghijklmnopqrstuvwxyz_-0123');
    expect(codeIn('#code=short')).toBeNull();
    expect(codeIn('#other=abcdefghijklmnopqrstuvwxyz')).toBeNull();
    expect(codeIn('')).toBeNull();
  });
});
