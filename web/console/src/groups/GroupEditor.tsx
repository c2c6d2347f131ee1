import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  type Api,
  type Effective,
  type Group,
  type GroupPatch,
  type Principal,
} from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import { Field } from '../layout/Field';

export const kPermissions = [
  'remote_control',
  'desktop_viewing',
  'file_transfer',
  'reboot',
  'unattended_access',
  'request_windows_credentials',
] as const;
type Permission = (typeof kPermissions)[number];

interface Props {
  api: Api;
  who: Principal;
  group: Group;
  groups: Group[];
  onChanged: () => void;
}

// One group: every permission with its effective value and where it comes
// from, set here, inherited or locked (master admins lock); the day cap;
// rename, move, delete.
export function GroupEditor({ api, who, group, groups, onChanged }: Props) {
  const { t } = useI18n();
  const [effective, setEffective] = useState<Effective | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [name, setName] = useState(group.name);
  const [maxDays, setMaxDays] = useState(String(group.unattended?.max_days ?? ''));
  const load = () => api.effective(group.id).then(setEffective, () => setEffective(null));
  useEffect(() => {
    setName(group.name);
    setMaxDays(String(group.unattended?.max_days ?? ''));
    load();
  }, [group]);
  const editable = who.role === 'admin' || who.role === 'master_admin';
  const patch = async (p: GroupPatch) => {
    setError(null);
    try {
      await api.updateGroup(group.id, p);
      onChanged();
      await load();
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    }
  };
  const source = (s: string) =>
    s === group.id ? t('group.setHere') : s === 'global' ? t('group.fromSettings') : t('group.from', { group: s });
  type Lockable = NonNullable<Group['locked']>[number];
  const locked = new Set<Lockable>(group.locked ?? []);
  const toggleLock = (key: Lockable) => {
    const next = new Set(locked);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    patch({ locked: [...next] });
  };

  return (
    <section aria-labelledby="group-editor" class="editor">
      <h2 id="group-editor">{t('group.heading', { name: group.name })}</h2>
      {effective && (
        <table aria-label={t('group.permissions')}>
          <thead>
            <tr>
              <th scope="col">{t('group.permission')}</th>
              <th scope="col">{t('group.effective')}</th>
              <th scope="col">{t('group.source')}</th>
              {editable && <th scope="col">{t('group.here')}</th>}
              {who.role === 'master_admin' && <th scope="col">{t('group.lock')}</th>}
            </tr>
          </thead>
          <tbody>
            {kPermissions.map((p: Permission) => {
              const e = effective.permissions?.[p];
              const own = group.permissions?.[p];
              const label = t(`permission.${p}`);
              return (
                <tr key={p}>
                  <th scope="row">{label}</th>
                  <td>{e?.value ? t('group.yes') : t('group.no')}</td>
                  <td>
                    {e ? source(e.source) : ''}
                    {e?.locked_by ? ` · ${t('group.lockedBy', { group: e.locked_by })}` : ''}
                  </td>
                  {editable && (
                    <td>
                      <select
                        aria-label={t('group.setting', { permission: label })}
                        value={own === undefined ? 'inherit' : own ? 'allow' : 'deny'}
                        onChange={(ev) => {
                          const v = ev.currentTarget.value;
                          patch({ permissions: { [p]: v === 'inherit' ? null : v === 'allow' } });
                        }}
                      >
                        <option value="inherit">{t('group.inherit')}</option>
                        <option value="allow">{t('group.allow')}</option>
                        <option value="deny">{t('group.deny')}</option>
                      </select>
                    </td>
                  )}
                  {who.role === 'master_admin' && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('group.lockFor', { permission: label })}
                        checked={locked.has(`permissions.${p}`)}
                        onChange={() => toggleLock(`permissions.${p}`)}
                      />
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {effective?.unattended?.auth_modes && (
        <fieldset>
          <legend>{t('group.authModes')}</legend>
          <p>
            {t('group.authModesInEffect', {
              modes: effective.unattended.auth_modes.value
                .map((m) => t(m === 'at_connection' ? 'tech.atConnection' : 'tech.atSetup'))
                .join('; '),
              source: source(effective.unattended.auth_modes.source),
            })}
          </p>
          {editable &&
            (['at_connection', 'at_setup'] as const).map((m) => {
              const own = group.unattended?.auth_modes;
              const on = (own ?? effective.unattended!.auth_modes!.value).includes(m);
              return (
                <label class="choice" key={m}>
                  <input type="checkbox" checked={on}
                    onChange={(e) => {
                      const base = own ?? effective.unattended!.auth_modes!.value;
                      const next = e.currentTarget.checked ? [...new Set([...base, m])] : base.filter((x) => x !== m);
                      patch({ unattended: { auth_modes: next } });
                    }} />
                  {t(m === 'at_connection' ? 'tech.atConnection' : 'tech.atSetup')}
                </label>
              );
            })}
          {editable && group.unattended?.auth_modes && (
            <button type="button" onClick={() => patch({ unattended: { auth_modes: null } })}>
              {t('group.inheritModes')}
            </button>
          )}
        </fieldset>
      )}
      {effective?.unattended?.max_days && (
        <p>
          {t('group.cap', {
            days: effective.unattended.max_days.value == null ? t('group.noCap') : String(effective.unattended.max_days.value),
            source: source(effective.unattended.max_days.source),
          })}
        </p>
      )}
      {editable && (
        <form
          aria-label={t('group.edit')}
          onSubmit={(e) => {
            e.preventDefault();
            patch({
              name,
              unattended: { max_days: maxDays === '' ? null : Number.parseInt(maxDays, 10) },
            });
          }}
        >
          <Field label={t('groups.name')} name="group-name" value={name} onInput={setName}
            error={error} pointer="/name" />
          <Field label={t('group.maxDays')} name="group-max-days" type="number" value={maxDays}
            onInput={setMaxDays} error={error} pointer="/unattended/max_days" />
          <label>
            {t('groups.parent')}
            <select
              value={group.parent_id ?? ''}
              onChange={(e) => patch({ parent_id: e.currentTarget.value || null })}
            >
              <option value="">{t('groups.noParent')}</option>
              {groups.filter((g) => g.id !== group.id).map((g) => (
                <option key={g.id} value={g.id}>{g.name}</option>
              ))}
            </select>
          </label>
          {error && !error.problem?.errors?.length && <p role="alert">{error.message}</p>}
          <button type="submit">{t('group.save')}</button>{' '}
          <button
            type="button"
            onClick={() =>
              api.deleteGroup(group.id).then(onChanged, (e: unknown) => e instanceof ApiError && setError(e))
            }
          >
            {t('group.delete')}
          </button>
        </form>
      )}
    </section>
  );
}
