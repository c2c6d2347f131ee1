// What the UIs' message catalogues share: the language a browser prefers
// among those a UI speaks, and {parameters} filled into a message.

// The first of `preferences` (navigator.languages) among `available`,
// else English.
export function preferredLanguage<L extends string>(
  preferences: readonly string[],
  available: readonly L[],
): L | 'en' {
  for (const p of preferences) {
    const base = p.toLowerCase().split('-')[0];
    if ((available as readonly string[]).includes(base)) return base as L;
  }
  return 'en';
}

// `text` with each {name} replaced by params[name] (left as it is when
// there is none).
export function fill(text: string, params: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
