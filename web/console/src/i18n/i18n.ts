// The message catalogue in use: chosen from the browser's preference,
// switchable, and remembered (a preference, not a secret).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { messages, type Language, type MessageKey } from './messages';

export const languages = Object.keys(messages) as Language[];

// The first of the browser's languages the console speaks, else English.
export function preferredLanguage(preferences: readonly string[]): Language {
  for (const p of preferences) {
    const base = p.toLowerCase().split('-')[0];
    if ((languages as string[]).includes(base)) return base as Language;
  }
  return 'en';
}

// The message `key` in `language` with {parameters} filled in.
export function translate(
  language: Language,
  key: MessageKey,
  params: Record<string, string> = {},
): string {
  const text: string = messages[language][key] ?? messages.en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

export type Translate = (key: MessageKey, params?: Record<string, string>) => string;
export const I18n = createContext<{ language: Language; t: Translate }>({
  language: 'en',
  t: (key, params) => translate('en', key, params),
});
export const useI18n = () => useContext(I18n);
