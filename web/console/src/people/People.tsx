import { useEffect, useState } from 'preact/hooks';
import {
  type Api,
  type PeopleKind,
  type Principal,
  type PrincipalInput,
} from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { Field } from '../layout/Field';
import { useAction } from '../../../shared/useAction';

// Which kinds of people a role manages: what the API lets it change.
export function peopleKindsFor(role: Principal['role']): PeopleKind[] {
  if (role === 'master_admin') return ['technicians', 'admins', 'auditors'];
  if (role === 'admin') return ['technicians'];
  return [];
}

const headings: Record<PeopleKind, MessageKey> = {
  technicians: 'people.technicians',
  admins: 'people.admins',
  auditors: 'people.auditors',
};

export function People({ api, who }: { api: Api; who: Principal }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="people-heading">
      <h1 id="people-heading">{t('people.heading')}</h1>
      {peopleKindsFor(who.role).map((kind) => (
        <PeopleOfKind key={kind} api={api} kind={kind} heading={t(headings[kind])} />
      ))}
    </section>
  );
}

function PeopleOfKind({ api, kind, heading }: { api: Api; kind: PeopleKind; heading: string }) {
  const { t } = useI18n();
  const [people, setPeople] = useState<Principal[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const load = () =>
    api.people(kind).then(setPeople, (e: unknown) => setFailure(String((e as Error).message)));
  useEffect(() => {
    load();
  }, [kind]);
  const toggle = async (p: Principal) => {
    try {
      await api.updatePerson(kind, p.id, { disabled: !p.disabled });
      await load();
    } catch (e) {
      setFailure(String((e as Error).message));
    }
  };
  const id = `people-${kind}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      {failure && <p role="alert">{t('error.generic', { detail: failure })}</p>}
      {people && (
        <table aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">{t('people.name')}</th>
              {kind !== 'auditors' && (
                <th scope="col">{kind === 'admins' ? t('people.scopes') : t('people.group')}</th>
              )}
              <th scope="col">{t('people.status')}</th>
              <th scope="col">{t('people.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.name}</th>
                {kind !== 'auditors' && (
                  <td>{kind === 'admins' ? (p.scopes ?? []).join(', ') : (p.group_id ?? '')}</td>
                )}
                <td>{p.disabled ? t('people.disabled') : t('people.enabled')}</td>
                <td>
                  <SetPassword api={api} kind={kind} person={p} />{' '}
                  {p.role !== 'master_admin' && (
                    <button
                      type="button"
                      aria-label={t(p.disabled ? 'people.enableNamed' : 'people.disableNamed', {
                        name: p.name,
                      })}
                      onClick={() => toggle(p)}
                    >
                      {p.disabled ? t('people.enable') : t('people.disable')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreatePerson api={api} kind={kind} heading={heading} onCreated={load} />
    </section>
  );
}

function CreatePerson(props: { api: Api; kind: PeopleKind; heading: string; onCreated: () => void }) {
  const { api, kind, onCreated } = props;
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [group, setGroup] = useState('');
  const [zone, setZone] = useState('');
  const [scopes, setScopes] = useState('');
  const { error, result, run } = useAction<Principal>();
  const created = result?.name ?? null;

  const submit = async (e: Event) => {
    e.preventDefault();
    const input: PrincipalInput = { name, password };
    if (kind === 'technicians') {
      input.group_id = group;
      if (zone) input.time_zone = zone;
    }
    if (kind === 'admins') input.scopes = scopes.split(',').map((s) => s.trim()).filter(Boolean);
    if (!(await run(() => api.createPerson(kind, input)))) return;
    setName('');
    setPassword('');
    onCreated();
  };
  const field = `create-${kind}`;
  const placed = ['/name', '/password', '/group_id', '/time_zone'];
  const unplaced = error && !placed.some((p) => error.fieldError(p)) && !error.fieldError('/scopes/0');
  return (
    <form onSubmit={submit} aria-label={t('people.create', { kind: props.heading })}>
      <Field label={t('people.name')} name={`${field}-name`} value={name} onInput={setName}
        error={error} pointer="/name" />
      <Field label={t('people.password')} name={`${field}-password`} type="password"
        autocomplete="new-password" value={password} onInput={setPassword} error={error}
        pointer="/password" />
      {kind === 'technicians' && (
        <>
          <Field label={t('people.group')} name={`${field}-group`} value={group}
            onInput={setGroup} error={error} pointer="/group_id" />
          <Field label={t('people.timeZone')} name={`${field}-zone`} value={zone}
            onInput={setZone} error={error} pointer="/time_zone" />
        </>
      )}
      {kind === 'admins' && (
        <Field label={t('people.scopes')} name={`${field}-scopes`} value={scopes}
          onInput={setScopes} error={error} pointer="/scopes/0" />
      )}
      {unplaced && <p role="alert">{t('error.generic', { detail: error.message })}</p>}
      {created && <p role="status">{t('people.created', { name: created })}</p>}
      <button type="submit">{t('people.create', { kind: props.heading })}</button>
    </form>
  );
}

// A new password for someone, typed once in a small form of its own.
function SetPassword({ api, kind, person }: { api: Api; kind: PeopleKind; person: Principal }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const { error, run } = useAction<Principal>();
  const [done, setDone] = useState(false);
  if (!open) {
    return (
      <button type="button" aria-label={t('people.setPasswordOf', { name: person.name })}
        onClick={() => (setOpen(true), setDone(false))}>
        {done ? t('people.passwordSet') : t('people.setPassword')}
      </button>
    );
  }
  const field = `password-${person.id}`;
  return (
    <form
      class="inline"
      aria-label={t('people.setPasswordOf', { name: person.name })}
      onSubmit={async (e) => {
        e.preventDefault();
        if (!(await run(() => api.updatePerson(kind, person.id, { password })))) return;
        setPassword('');
        setOpen(false);
        setDone(true);
      }}
    >
      <Field label={t('people.newPassword')} name={field} type="password" autocomplete="new-password"
        value={password} onInput={setPassword} error={error} pointer="/password" />
      <button type="submit">{t('people.setPassword')}</button>
    </form>
  );
}
