// The unattended-access request as the seed's "Unattended access" tab
// offers it (credential mode; days, a date range or unlimited; a daily
// window; technician's or customer's time), into the API's body.
export type CredentialMode = 'at_connection' | 'at_setup';
export interface RequestForm {
  credentialMode: CredentialMode;
  kind: 'days' | 'range' | 'unlimited';
  days: string;
  start: string; // YYYY-MM-DD
  end: string;
  daily: boolean;
  dailyFrom: string; // HH:MM
  dailyTo: string;
  timeReference: 'technician' | 'customer';
}

export const initialForm: RequestForm = {
  credentialMode: 'at_connection',
  kind: 'days',
  days: '7',
  start: '',
  end: '',
  daily: false,
  dailyFrom: '08:00',
  dailyTo: '18:00',
  timeReference: 'technician',
};

// The body of POST …/unattended-requests (and of its preview). What the
// form cannot know (a cap, a zone) the policy decides and explains.
export function requestBody(f: RequestForm) {
  const schedule: Record<string, unknown> = { kind: f.kind, time_reference: f.timeReference };
  if (f.kind === 'days') schedule.days = Number.parseInt(f.days, 10);
  if (f.kind === 'range') {
    schedule.start = f.start;
    schedule.end = f.end;
  }
  if (f.daily) schedule.daily = { from: f.dailyFrom, to: f.dailyTo };
  return { credential_mode: f.credentialMode, schedule };
}
