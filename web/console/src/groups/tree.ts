// The group tree as the Groups screen lists it: parents before their
// children, siblings by name, each with its depth.
import type { Group } from '../../../shared/api/client';

export interface TreeRow {
  group: Group;
  depth: number;
}

export function groupTree(groups: readonly Group[]): TreeRow[] {
  const ids = new Set(groups.map((g) => g.id));
  const children = new Map<string | null, Group[]>();
  for (const g of groups) {
    // A parent the caller cannot see (outside an admin's scope) makes a root.
    const parent = g.parent_id && ids.has(g.parent_id) ? g.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), g]);
  }
  const rows: TreeRow[] = [];
  const visit = (parent: string | null, depth: number) => {
    const level = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    for (const g of level) {
      rows.push({ group: g, depth });
      visit(g.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}
