// How the Endpoints screen states times and bundle versions.

// An RFC 3339 instant in the reader's language and zone, to the minute.
export function formatInstant(rfc3339: string, language: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(rfc3339));
}

// Whether an endpoint holds the bundle in force: "none" before its first,
// "held" when the current version is not known here (only the master admin
// may read it), else "current" or "behind".
export function bundleState(
  held: number | null | undefined,
  current: number | null,
): 'none' | 'held' | 'current' | 'behind' {
  if (held == null) return 'none';
  if (current == null) return 'held';
  return held >= current ? 'current' : 'behind';
}
