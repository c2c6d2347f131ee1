// The audit export as the Audit screen reads it (docs/audit-format.md):
// one event record per line, the signed trailer last.
export interface AuditEvent {
  seq: number;
  id: string;
  ts: string;
  actor: { kind: string; id: string };
  action: string;
  target: string;
  outcome: 'success' | 'failure' | 'denied';
  reasons: unknown[];
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}
export interface AuditTrailer {
  chain: { seq: number; hash: string };
  complete: boolean;
  count: number;
  key_id: string;
  ts: string;
}
export interface AuditExport {
  events: AuditEvent[];
  trailer: AuditTrailer;
}

// Parses an export; throws when it is not one (no trailer, a line after
// it, a count that disagrees): a shortened export must not pass as whole.
export function parseExport(text: string): AuditExport {
  const events: AuditEvent[] = [];
  let trailer: AuditTrailer | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (trailer) throw new Error('the export goes on after its trailer');
    const record = JSON.parse(line) as { trailer?: AuditTrailer } & AuditEvent;
    if (record.trailer) trailer = record.trailer;
    else events.push(record);
  }
  if (!trailer) throw new Error('the export has no trailer: it was cut short');
  if (trailer.count !== events.length) {
    throw new Error(`the trailer counts ${trailer.count} events, the export holds ${events.length}`);
  }
  return { events, trailer };
}

// The page `page` (from 0) of `size` items, and how many pages there are.
export function pageOf<T>(items: readonly T[], page: number, size: number) {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(at * size, (at + 1) * size), page: at, pages };
}

// The query of an export: only the filters that are set; the two times
// from the form's local date-time fields as RFC 3339 in UTC.
export function exportQuery(format: string, filters: Record<string, string>): string {
  const q = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(filters)) {
    if (!value) continue;
    q.set(key, key === 'since' || key === 'until' ? toRfc3339(value) : value);
  }
  return `/v1/audit/events?${q}`;
}

function toRfc3339(local: string): string {
  return new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
