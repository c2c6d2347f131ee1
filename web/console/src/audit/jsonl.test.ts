import { describe, expect, it } from 'vitest';
import { exportQuery, pageOf, parseExport } from './jsonl';

const event = (seq: number) =>
  JSON.stringify({ seq, id: `evt_${seq}`, action: 'group.create', actor: { kind: 'system', id: '' } });
const trailer = (count: number) =>
  JSON.stringify({ trailer: { chain: { seq: 9, hash: 'h' }, complete: true, count, key_id: 'k', ts: 't' } });

describe('parseExport', () => {
  it('separates the events from the trailer', () => {
    const e = parseExport([event(1), event(2), trailer(2), ''].join('\n'));
    expect(e.events.map((x) => x.seq)).toEqual([1, 2]);
    expect(e.trailer.chain.seq).toBe(9);
  });
  it('refuses an export cut short or padded', () => {
    expect(() => parseExport([event(1), event(2)].join('\n'))).toThrow(/no trailer/);
    expect(() => parseExport([event(1), trailer(2)].join('\n'))).toThrow(/counts 2/);
    expect(() => parseExport([trailer(0), event(1)].join('\n'))).toThrow(/after its trailer/);
  });
});

describe('pageOf', () => {
  it('cuts pages and keeps the page in range', () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    expect(pageOf(items, 1, 3)).toEqual({ items: [3, 4, 5], page: 1, pages: 3 });
    expect(pageOf(items, 9, 3)).toEqual({ items: [6], page: 2, pages: 3 });
    expect(pageOf([], 0, 3)).toEqual({ items: [], page: 0, pages: 1 });
  });
});

describe('exportQuery', () => {
  it('sends only the filters set', () => {
    expect(exportQuery('csv', { actor: '', action: 'auth.login', target: '' })).toBe(
      '/v1/audit/events?format=csv&action=auth.login',
    );
  });
});
