import { useEffect, useState } from 'preact/hooks';
import type { Api, Key, Settings as SettingsDoc } from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import { Field } from '../layout/Field';
import { useAction } from '../../../shared/useAction';

type Unattended = NonNullable<SettingsDoc['unattended']>;
const kModes = ['at_connection', 'at_setup'] as const;
const kSessionTypes = ['applet', 'mobile_applet', 'instant_chat', 'calling_card', 'unattended'] as const;

// The master admin's settings: authentication modes, blocked session
// types, what happens over the day cap, request and bundle lifetimes; and
// the signing keys (rotate, retire).
export function Settings({ api }: { api: Api }) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<SettingsDoc | null>(null);
  const { error, run } = useAction<SettingsDoc>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    api.settings().then(setDoc);
  }, []);
  if (!doc) return null;
  const u: Unattended = doc.unattended ?? {};
  const setU = (patch: Partial<Unattended>) => {
    setSaved(false);
    setDoc({ ...doc, unattended: { ...u, ...patch } });
  };
  const toggle = <T extends string>(list: readonly T[] | undefined, item: T, on: boolean) =>
    on ? [...new Set([...(list ?? []), item])] : (list ?? []).filter((x) => x !== item);
  const save = async (e: Event) => {
    e.preventDefault();
    const stored = await run(() => api.saveSettings(doc));
    if (!stored) return;
    setDoc(stored);
    setSaved(true);
  };
  return (
    <section aria-labelledby="settings-heading">
      <h1 id="settings-heading">{t('settings.heading')}</h1>
      <form onSubmit={save} aria-label={t('settings.heading')}>
        <fieldset>
          <legend>{t('settings.authModes')}</legend>
          {kModes.map((m) => (
            <label class="choice" key={m}>
              <input type="checkbox" checked={(u.auth_modes ?? []).includes(m)}
                onChange={(e) => setU({ auth_modes: toggle(u.auth_modes, m, e.currentTarget.checked) })} />
              {t(m === 'at_connection' ? 'tech.atConnection' : 'tech.atSetup')}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('settings.blocked')}</legend>
          {kSessionTypes.map((s) => (
            <label class="choice" key={s}>
              <input type="checkbox" checked={(u.blocked_session_types ?? []).includes(s)}
                onChange={(e) =>
                  setU({ blocked_session_types: toggle(u.blocked_session_types, s, e.currentTarget.checked) })
                } />
              {t(`settings.type.${s}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('settings.capBehavior')}
          <select value={u.cap_behavior ?? 'deny'}
            onChange={(e) => setU({ cap_behavior: e.currentTarget.value as Unattended['cap_behavior'] })}>
            <option value="deny">{t('settings.capDeny')}</option>
            <option value="clamp">{t('settings.capClamp')}</option>
          </select>
        </label>
        <Field label={t('settings.requestTtl')} name="request-ttl" type="number"
          value={String(u.request_ttl_minutes ?? '')}
          onInput={(v) => setU({ request_ttl_minutes: Number.parseInt(v, 10) })}
          error={error} pointer="/unattended/request_ttl_minutes" />
        <Field label={t('settings.bundleTtl')} name="bundle-ttl" type="number"
          value={String(doc.distribution?.bundle_ttl_hours ?? '')}
          onInput={(v) => {
            setSaved(false);
            setDoc({ ...doc, distribution: { bundle_ttl_hours: Number.parseInt(v, 10) } });
          }}
          error={error} pointer="/distribution/bundle_ttl_hours" />
        {error && !error.problem?.errors?.length && <p role="alert">{error.message}</p>}
        {saved && <p role="status">{t('settings.saved')}</p>}
        <button type="submit">{t('group.save')}</button>
      </form>
      <Keys api={api} />
    </section>
  );
}

function Keys({ api }: { api: Api }) {
  const { t } = useI18n();
  const [keys, setKeys] = useState<Key[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const load = () => api.keys().then(setKeys);
  useEffect(() => {
    load();
  }, []);
  const act = (p: Promise<unknown>) =>
    p.then(() => (setFailure(null), load()), (e: unknown) => setFailure((e as Error).message));
  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">{t('settings.keys')}</h2>
      <table aria-labelledby="keys-heading">
        <thead>
          <tr>
            <th scope="col">{t('settings.keyId')}</th>
            <th scope="col">{t('access.state')}</th>
            <th scope="col">{t('access.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.key_id}>
              <td><code>{k.key_id}</code></td>
              <td>{t(`settings.key.${k.state}`)}</td>
              <td>
                {k.state === 'listed' && (
                  <button type="button" aria-label={t('settings.retireKey', { id: k.key_id })}
                    onClick={() => act(api.retireKey(k.key_id))}>
                    {t('settings.retire')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {failure && <p role="alert">{failure}</p>}
      <button type="button" onClick={() => act(api.rotateKey())}>{t('settings.rotate')}</button>
    </section>
  );
}
