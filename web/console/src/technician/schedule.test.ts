import { describe, expect, it } from 'vitest';
import { initialForm, requestBody } from './schedule';

describe('requestBody', () => {
  it('sends days with the reference time and no window by default', () => {
    expect(requestBody(initialForm)).toEqual({
      credential_mode: 'at_connection',
      schedule: { kind: 'days', days: 7, time_reference: 'technician' },
    });
  });
  it('sends a date range in customer time with a daily window', () => {
    expect(
      requestBody({
        ...initialForm,
        credentialMode: 'at_setup',
        kind: 'range',
        start: '2026-12-07',
        end: '2026-12-11',
        daily: true,
        timeReference: 'customer',
      }),
    ).toEqual({
      credential_mode: 'at_setup',
      schedule: {
        kind: 'range',
        start: '2026-12-07',
        end: '2026-12-11',
        daily: { from: '08:00', to: '18:00' },
        time_reference: 'customer',
      },
    });
  });
  it('sends unlimited without a count', () => {
    expect(requestBody({ ...initialForm, kind: 'unlimited' }).schedule).toEqual({
      kind: 'unlimited',
      time_reference: 'technician',
    });
  });
});
