import { describe, expect, it } from 'vitest';
import { preferredLanguage, translate } from './i18n';
import { messages } from './messages';

describe('preferredLanguage', () => {
  it('takes the first language the console speaks', () => {
    expect(preferredLanguage(['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(preferredLanguage(['en-GB', 'de'])).toBe('en');
  });
  it('falls back to English', () => {
    expect(preferredLanguage(['fr', 'ja'])).toBe('en');
    expect(preferredLanguage([])).toBe('en');
  });
});

describe('translate', () => {
  it('fills in parameters', () => {
    expect(translate('de', 'nav.signedInAs', { name: 'Ann', role: 'Prüfer' })).toBe(
      'Angemeldet als Ann (Prüfer)',
    );
  });
  it('leaves an unknown parameter visible rather than empty', () => {
    expect(translate('en', 'groups.created')).toBe('Group {name} created.');
  });
  it('has every English message in German too', () => {
    expect(Object.keys(messages.de).sort()).toEqual(Object.keys(messages.en).sort());
  });
});
