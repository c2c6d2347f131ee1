import { useState } from 'preact/hooks';
import { ApiError, type Api, type Principal } from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { Field } from '../layout/Field';

interface Props {
  api: Api;
  notice: MessageKey | null;
  onSignedIn: (who: Principal) => void;
}

export function SignIn({ api, notice, onSignedIn }: Props) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(name, password));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? 'signIn.throttled' : 'signIn.failed');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>{t('signIn.heading')}</h1>
      {notice && <p role="status">{t(notice)}</p>}
      <form onSubmit={submit}>
        <Field
          label={t('signIn.name')}
          name="name"
          autocomplete="username"
          required
          value={name}
          onInput={setName}
        />
        <Field
          label={t('signIn.password')}
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={setPassword}
        />
        {error && <p role="alert">{t(error)}</p>}
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
