import { describe, expect, it } from 'vitest';
import type { Group } from '../../../shared/api/client';
import { groupTree } from './tree';

const group = (id: string, name: string, parent_id: string | null = null) =>
  ({ id, name, parent_id }) as Group;

describe('groupTree', () => {
  it('lists parents before children and siblings by name', () => {
    const rows = groupTree([
      group('g-2', 'Support'),
      group('g-3', 'Tier 2', 'g-2'),
      group('g-1', 'Field'),
      group('g-4', 'Tier 1', 'g-2'),
    ]);
    expect(rows.map((r) => [r.group.id, r.depth])).toEqual([
      ['g-1', 0],
      ['g-2', 0],
      ['g-4', 1],
      ['g-3', 1],
    ]);
  });
  it('makes a root of a group whose parent is out of sight', () => {
    expect(groupTree([group('g-9', 'Scoped', 'g-hidden')])).toEqual([
      { group: group('g-9', 'Scoped', 'g-hidden'), depth: 0 },
    ]);
  });
});
