import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Api, type Group, type Principal } from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import { Field } from '../layout/Field';
import { useAction } from '../../../shared/useAction';
import { GroupEditor } from './GroupEditor';
import { groupTree } from './tree';

interface Props {
  api: Api;
  who: Principal;
}

// The technician groups as a tree; admins also create them here.
export function Groups({ api, who }: Props) {
  const { t } = useI18n();
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const load = () =>
    api.groups().then(setGroups, (e: unknown) => setFailure(e instanceof ApiError ? e : null));
  useEffect(() => {
    load();
  }, []);

  if (failure) {
    return (
      <p role="alert">
        {failure.status === 403 ? t('error.forbidden') : t('error.generic', { detail: failure.message })}
      </p>
    );
  }
  const editable = who.role === 'admin' || who.role === 'master_admin';
  return (
    <section aria-labelledby="groups-heading">
      <h1 id="groups-heading">{t('groups.heading')}</h1>
      {groups && groups.length === 0 && <p>{t('groups.empty')}</p>}
      {groups && groups.length > 0 && (
        <ul class="tree" aria-label={t('groups.heading')}>
          {groupTree(groups).map(({ group, depth }) => (
            <li key={group.id} class={`depth-${Math.min(depth, 6)}`}>
              <button type="button" class="link name" aria-pressed={selected === group.id}
                onClick={() => setSelected(group.id)}>
                {group.name}
              </button>{' '}
              <code>{group.id}</code>
            </li>
          ))}
        </ul>
      )}
      {groups && selected && groups.find((g) => g.id === selected) && (
        <GroupEditor api={api} who={who} group={groups.find((g) => g.id === selected)!}
          groups={groups} onChanged={load} />
      )}
      {editable && groups && <CreateGroup api={api} groups={groups} onCreated={load} />}
    </section>
  );
}

function CreateGroup({
  api,
  groups,
  onCreated,
}: {
  api: Api;
  groups: Group[];
  onCreated: () => void;
}) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const { error, result, run } = useAction<Group>();
  const created = result?.name ?? null;

  const submit = async (e: Event) => {
    e.preventDefault();
    const g = await run(() =>
      api.createGroup({ ...(id ? { id } : {}), name, parent_id: parent || null }),
    );
    if (!g) return;
    setId('');
    setName('');
    onCreated();
  };
  const unplaced = error && !['/id', '/name', '/parent_id'].some((p) => error.fieldError(p));

  return (
    <form class="create-group" onSubmit={submit} aria-labelledby="create-group-heading">
      <h2 id="create-group-heading">{t('groups.create')}</h2>
      <Field label={t('groups.id')} name="id" value={id} onInput={setId} error={error} pointer="/id" />
      <Field
        label={t('groups.name')}
        name="name"
        value={name}
        onInput={setName}
        error={error}
        pointer="/name"
      />
      <label>
        {t('groups.parent')}
        <select name="parent" value={parent} onChange={(e) => setParent(e.currentTarget.value)}>
          <option value="">{t('groups.noParent')}</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      {error?.fieldError('/parent_id') && <p role="alert">{error.fieldError('/parent_id')}</p>}
      {unplaced && <p role="alert">{t('error.generic', { detail: error.message })}</p>}
      {created && <p role="status">{t('groups.created', { name: created })}</p>}
      <button type="submit">{t('groups.create')}</button>
    </form>
  );
}
