import type { ComponentChildren } from 'preact';
import type { Principal } from '../../../shared/api/client';
import { languages, useI18n } from '../i18n/i18n';
import { peopleKindsFor } from '../people/People';
import type { Language } from '../i18n/messages';

interface Props {
  who: Principal;
  path: string;
  navigate: (path: string) => void;
  onLanguage: (l: Language) => void;
  onSignOut: () => void;
  children: ComponentChildren;
}

// Which screens a role may open: what the API lets it read.
export function screensFor(role: Principal['role']): string[] {
  const screens: string[] = role === 'technician' ? ['/sessions'] : [];
  if (role !== 'technician') screens.push('/groups', '/endpoints', '/access');
  if (peopleKindsFor(role).length > 0) screens.push('/people');
  if (role === 'auditor' || role === 'master_admin') screens.push('/audit');
  if (role === 'master_admin') screens.push('/settings');
  return screens;
}

export function Layout({ who, path, navigate, onLanguage, onSignOut, children }: Props) {
  const { t, language } = useI18n();
  const link = (to: string, label: string) => (
    <a
      href={to}
      aria-current={path === to ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <>
      <header>
        <span class="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.main')}>
          {screensFor(who.role).includes('/sessions') && link('/sessions', t('nav.technician'))}
          {screensFor(who.role).includes('/groups') && link('/groups', t('nav.groups'))}
          {screensFor(who.role).includes('/endpoints') && link('/endpoints', t('nav.endpoints'))}
          {screensFor(who.role).includes('/access') && link('/access', t('nav.access'))}
          {screensFor(who.role).includes('/people') && link('/people', t('nav.people'))}
          {screensFor(who.role).includes('/audit') && link('/audit', t('nav.audit'))}
          {screensFor(who.role).includes('/settings') && link('/settings', t('nav.settings'))}
        </nav>
        <span>{t('nav.signedInAs', { name: who.name, role: t(`role.${who.role}`) })}</span>
        <label>
          {t('app.language')}
          <select value={language} onChange={(e) => onLanguage(e.currentTarget.value as Language)}>
            {languages.map((l) => (
              <option key={l} value={l}>
                {l === 'en' ? 'English' : 'Deutsch'}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={onSignOut}>
          {t('nav.signOut')}
        </button>
      </header>
      <main>{children}</main>
    </>
  );
}
