// The console: who is signed in, which screen is open (the URL's path, so
// that a reload or a shared link opens the same screen), and the language.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type Principal } from '../../shared/api/client';
import { Access } from './access/Access';
import { Audit } from './audit/Audit';
import { Endpoints } from './endpoints/Endpoints';
import { Groups } from './groups/Groups';
import { I18n, preferredLanguage, translate } from './i18n/i18n';
import type { Language, MessageKey } from './i18n/messages';
import { Layout, screensFor } from './layout/Layout';
import { People } from './people/People';
import { Settings } from './settings/Settings';
import { SignIn } from './signin/SignIn';
import { Technician } from './technician/Technician';

const kLanguageKey = 'custodian.language';

export function App() {
  const [language, setLanguage] = useState<Language>(
    () =>
      (localStorage.getItem(kLanguageKey) as Language | null) ??
      preferredLanguage(navigator.languages),
  );
  const [who, setWho] = useState<Principal | null | undefined>(undefined);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [path, setPath] = useState(location.pathname);
  const api = useMemo(
    () =>
      new Api(() => {
        setWho(null);
        setNotice('signIn.expired');
      }),
    [],
  );

  useEffect(() => {
    api.resume().then(setWho, () => setWho(null));
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = translate(language, 'app.title');
  }, [language]);

  const navigate = (to: string) => {
    history.pushState(null, '', to);
    setPath(to);
  };
  const i18n = {
    language,
    t: (key: MessageKey, params?: Record<string, string>) => translate(language, key, params),
  };
  const chooseLanguage = (l: Language) => {
    localStorage.setItem(kLanguageKey, l);
    setLanguage(l);
  };

  let screen;
  if (who === undefined) {
    screen = null;  // asking whether a session is still open
  } else if (who === null) {
    screen = (
      <SignIn
        api={api}
        notice={notice}
        onSignedIn={(p) => {
          setNotice(null);
          setWho(p);
        }}
      />
    );
  } else {
    const open = screensFor(who.role).includes(path) ? path : '/';
    screen = (
      <Layout
        who={who}
        path={open}
        navigate={navigate}
        onLanguage={chooseLanguage}
        onSignOut={() =>
          api.signOut().finally(() => {
            setWho(null);
            setNotice('signIn.signedOut');
          })
        }
      >
        {open === '/groups' ? (
          <Groups api={api} who={who} />
        ) : open === '/settings' ? (
          <Settings api={api} />
        ) : open === '/access' ? (
          <Access api={api} who={who} />
        ) : open === '/sessions' ? (
          <Technician api={api} />
        ) : open === '/audit' ? (
          <Audit api={api} />
        ) : open === '/endpoints' ? (
          <Endpoints api={api} who={who} />
        ) : open === '/people' ? (
          <People api={api} who={who} />
        ) : (
          <section>
            <h1>{i18n.t('home.heading', { name: who.name })}</h1>
            {who.role === 'technician' && <p>{i18n.t('home.technician')}</p>}
          </section>
        )}
      </Layout>
    );
  }
  return <I18n.Provider value={i18n}>{screen}</I18n.Provider>;
}
