// The customer's window: what waits for their answer, and what they have
// allowed (R7, R9–R15). Opened by `enforcer prompt` with a one-time code in
// the URL's fragment, which it spends at once and takes off the address
// bar.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { fill, preferredLanguage } from '../../shared/i18n';
import { ApiError, codeIn, type Overview, type Prompt, WindowApi } from './api';
import { grantTimes, wallTime } from './format';
import { languages, messages, type Language, type MessageKey } from './messages';

// Both catalogues have every key.
const _complete: Record<MessageKey, string> = messages.de;
void _complete;

type T = (key: MessageKey, params?: Record<string, string>) => string;
type Closed = 'closed.howToOpen' | 'closed.spent' | 'closed.expired';

const kRefreshMs = 1500;

export function App() {
  const language: Language = preferredLanguage(navigator.languages, languages);
  const t: T = (key, params = {}) => fill(messages[language][key], params);
  const [closed, setClosed] = useState<Closed | null>(null);
  const [open, setOpen] = useState(false);
  const api = useMemo(() => new WindowApi(() => setClosed('closed.expired')), []);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.title');
    const code = codeIn(location.hash);
    if (code) {
      history.replaceState(null, '', '/'); // the code leaves the address bar at once
      api.open(code).then(
        () => setOpen(true),
        () => setClosed('closed.spent'),
      );
    } else if (api.hasSession()) {
      setOpen(true);
    } else {
      setClosed('closed.howToOpen');
    }
  }, []);

  if (closed || !open) {
    return (
      <main>
        <h1>{t('closed.heading')}</h1>
        {closed && <p role={closed === 'closed.howToOpen' ? undefined : 'alert'}>{t(closed)}</p>}
      </main>
    );
  }
  return (
    <>
      <header>
        <span class="brand">{t('app.title')}</span>
        <button
          class="secondary"
          onClick={() => api.close().finally(() => setClosed('closed.expired'))}
        >
          {t('app.close')}
        </button>
      </header>
      <main>
        <Window api={api} t={t} />
      </main>
    </>
  );
}

function Window({ api, t }: { api: WindowApi; t: T }) {
  const [prompts, setPrompts] = useState<Prompt[] | null>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = async () => {
    const [p, o] = await Promise.all([api.prompts(), api.overview()]);
    setPrompts(p);
    setOverview(o);
  };
  useEffect(() => {
    refresh().catch(() => {});
    const timer = setInterval(() => refresh().catch(() => {}), kRefreshMs);
    return () => clearInterval(timer);
  }, []);

  // Runs one of the customer's actions; what it settled, or its refusal.
  const act = async (action: () => Promise<{ notice?: string }>, done: string) => {
    setNotice(null);
    setError(null);
    try {
      const settled = await action();
      setNotice(settled.notice ? `${done} ${settled.notice}` : done);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      setError(t('error.retry', { detail: e.message }));
    }
    await refresh().catch(() => {});
  };

  const zone = overview?.time_zone ?? 'UTC';
  const grants = (overview?.grants ?? []).filter((g) => g.state === 'active');
  return (
    <>
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert">{error}</p>}
      <h1>{t('prompts.heading')}</h1>
      {prompts && prompts.length === 0 && <p class="muted">{t('prompts.none')}</p>}
      {(prompts ?? []).map((p) => (
        <PromptCard key={p.id} prompt={p} zone={zone} t={t} act={act} api={api} />
      ))}
      <section class="list" aria-labelledby="grants-heading">
        <h2 id="grants-heading">{t('grants.heading')}</h2>
        {grants.length === 0 ? (
          <p class="muted">{t('grants.none')}</p>
        ) : (
          <ul class="items">
            {grants.map((g) => {
              const name = g.technician_name || g.technician_id;
              const times = grantTimes(g, zone);
              const parts = [
                times.end ? t('grants.until', { end: times.end, zone }) : t('grants.noEnd'),
                times.daily ? t('grants.daily', { daily: times.daily }) : '',
                g.user_name ? t('grants.withCredentials', { user: g.user_name }) : '',
              ].filter(Boolean);
              return (
                <li key={g.id}>
                  <span>
                    <strong>{name}</strong> {parts.join(', ')}
                  </span>
                  <button
                    aria-label={t('grants.endFor', { name })}
                    onClick={() => act(() => api.endGrant(g.id), t('grants.ended', { name }))}
                  >
                    {t('grants.end')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section class="list" aria-labelledby="credentials-heading">
        <h2 id="credentials-heading">{t('credentials.heading')}</h2>
        {(overview?.credential_sessions ?? []).length === 0 ? (
          <p class="muted">{t('credentials.none')}</p>
        ) : (
          <ul class="items">
            {overview!.credential_sessions.map((id) => (
              <li key={id}>
                <span>{t('credentials.session', { id })}</span>
                <button onClick={() => act(() => api.revokeCredentials(id), '')}>
                  {t('credentials.revoke')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

type Act = (action: () => Promise<{ notice?: string }>, done: string) => Promise<void>;

function PromptCard(props: { prompt: Prompt; zone: string; t: T; act: Act; api: WindowApi }) {
  const { prompt: p, zone, t, act, api } = props;
  const [confirming, setConfirming] = useState(false);
  const name = p.technician_name || p.technician_id;
  const unattended = p.kind === 'unattended_access';
  const asksPassword = p.asks.includes('password');
  const headingId = `prompt-${p.id}`;
  const deny = () => act(() => api.deny(p.id), t('prompt.denied', { name }));
  // The password is read from the form at submit and the field emptied:
  // no copy in the page's state.
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const password = form.elements.namedItem('password') as HTMLInputElement;
    const user = form.elements.namedItem('user_name') as HTMLInputElement | null;
    const answer = p.asks.includes('user_name')
      ? { user_name: user?.value ?? '', password: password.value }
      : { password: password.value };
    password.value = '';
    return act(() => api.approve(p.id, answer), unattended ? t('prompt.allowed', { name }) : '');
  };
  return (
    <section class="prompt" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {unattended ? t('prompt.unattended', { name }) : t('prompt.windows', { name })}
      </h2>
      <p>{p.message}</p>
      {p.expires_at && (
        <p class="muted">{t('prompt.answerBy', { time: wallTime(p.expires_at, zone) })}</p>
      )}
      {asksPassword ? (
        <form onSubmit={submit}>
          {p.asks.includes('user_name') ? (
            <label>
              {t('prompt.userName')}
              <input name="user_name" autocomplete="username" value={p.prefill?.user_name ?? ''} />
            </label>
          ) : (
            <p>
              {t('prompt.userName')}: <strong>{p.prefill?.user_name}</strong>
              {p.prefill?.domain && (
                <>
                  {' '}
                  · {t('prompt.domain')}: <strong>{p.prefill.domain}</strong>
                </>
              )}
            </p>
          )}
          <label>
            {t('prompt.password')}
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <div class="actions">
            <button type="submit">{t('prompt.store')}</button>
            <button type="button" class="secondary" onClick={deny}>
              {t('prompt.deny')}
            </button>
          </div>
        </form>
      ) : confirming ? (
        <div role="group" aria-label={t('prompt.confirmQuestion', { name })}>
          <p>
            <strong>{t('prompt.confirmQuestion', { name })}</strong>
          </p>
          <div class="actions">
            <button onClick={() => act(() => api.approve(p.id, {}), t('prompt.allowed', { name }))}>
              {t('prompt.confirm')}
            </button>
            <button class="secondary" onClick={() => setConfirming(false)}>
              {t('prompt.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button onClick={() => setConfirming(true)}>{t('prompt.allow')}</button>
          <button class="secondary" onClick={deny}>
            {t('prompt.deny')}
          </button>
        </div>
      )}
    </section>
  );
}
