import { describe, expect, it } from 'vitest';
import { peopleKindsFor } from '../people/People';
import { screensFor } from './Layout';

describe('what each role is offered', () => {
  it('matches what the API lets it read and change', () => {
    expect(screensFor('master_admin')).toEqual(['/groups', '/endpoints', '/access', '/people', '/audit', '/settings']);
    expect(screensFor('admin')).toEqual(['/groups', '/endpoints', '/access', '/people']);
    expect(screensFor('auditor')).toEqual(['/groups', '/endpoints', '/access', '/audit']);
    expect(screensFor('technician')).toEqual(['/sessions']);
    expect(peopleKindsFor('master_admin')).toEqual(['technicians', 'admins', 'auditors']);
    expect(peopleKindsFor('admin')).toEqual(['technicians']);
    expect(peopleKindsFor('auditor')).toEqual([]);
  });
});
