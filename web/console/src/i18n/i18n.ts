// The message catalogue in use: chosen from the browser's preference,
// switchable, and remembered (a preference, not a secret).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { fill, preferredLanguage as sharedPreferred } from '../../../shared/i18n';
import { messages, type Language, type MessageKey } from './messages';

export const languages = Object.keys(messages) as Language[];

// The first of the browser's languages the console speaks, else English.
export function preferredLanguage(preferences: readonly string[]): Language {
  return sharedPreferred(preferences, languages);
}

// The message `key` in `language` with {parameters} filled in.
export function translate(
  language: Language,
  key: MessageKey,
  params: Record<string, string> = {},
): string {
  return fill(messages[language][key] ?? messages.en[key], params);
}

export type Translate = (key: MessageKey, params?: Record<string, string>) => string;
export const I18n = createContext<{ language: Language; t: Translate }>({
  language: 'en',
  t: (key, params) => translate('en', key, params),
});
export const useI18n = () => useContext(I18n);
