import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  type Api,
  type Connection,
  type CredentialOperation,
  type CredentialRequest,
  type Decision,
  type Grant,
  type Session,
  type UnattendedRequest,
} from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import { Field } from '../layout/Field';
import { useAction } from '../../../shared/useAction';
import { initialForm, requestBody, type RequestForm } from './schedule';

type Reason = Decision['reasons'][number];

// The technician's console: open a support session, ask for unattended
// access with the seed's choices, see the policy's answer before sending,
// follow the customer's answer live, and connect.
export function Technician({ api }: { api: Api }) {
  const { t } = useI18n();
  const [sessions, setSessions] = useState<Session[]>([]);
  const [requests, setRequests] = useState<UnattendedRequest[]>([]);
  const [grants, setGrants] = useState<Grant[]>([]);
  const [connections, setConnections] = useState<Connection[]>([]);
  const [credentials, setCredentials] = useState<CredentialRequest[]>([]);
  const refresh = () =>
    Promise.all([
      api.sessions(),
      api.unattendedRequests(),
      api.grants(),
      api.connections(),
      api.credentialRequests(),
    ]).then(
      ([s, r, g, c, k]) => {
        setSessions(s);
        setRequests(r);
        setGrants(g);
        setConnections(c);
        setCredentials(k);
      },
      () => undefined,
    );
  useEffect(() => {
    refresh();
    // The customer answers on their computer: follow it live.
    const timer = setInterval(refresh, 1000);
    return () => clearInterval(timer);
  }, []);
  const active = sessions.filter((s) => s.state === 'active');
  return (
    <section aria-labelledby="technician-heading">
      <h1 id="technician-heading">{t('tech.heading')}</h1>
      <OpenSession api={api} onOpened={refresh} />
      {active.map((s) => (
        <Fragment key={s.id}>
          <RequestAccess api={api} session={s} onSent={refresh} />
          <WindowsCredentials api={api} session={s}
            requests={credentials.filter((c) => c.session_id === s.id)} onChanged={refresh} />
        </Fragment>
      ))}
      <h2>{t('tech.requests')}</h2>
      <ul aria-label={t('tech.requests')}>
        {requests.map((r) => (
          <li key={r.id}>
            <code>{r.id}</code> {t(`tech.state.${r.state}`)}
          </li>
        ))}
      </ul>
      <h2>{t('tech.grants')}</h2>
      <ul aria-label={t('tech.grants')}>
        {grants.map((g) => (
          <li key={g.id}>
            <code>{g.id}</code> {g.endpoint_id} {t(`tech.state.${g.state}`)}{' '}
            {g.state === 'active' && (
              <button type="button" onClick={() => api.connect(g.id).then(refresh, refresh)}>
                {t('tech.connect')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>{t('tech.connections')}</h2>
      <ul aria-label={t('tech.connections')}>
        {connections.map((c) => (
          <li key={c.id}>
            <code>{c.id}</code> {t(`tech.state.${c.state}`)}
            {c.reasons && c.reasons.length > 0 && <Reasons reasons={c.reasons} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function OpenSession({ api, onOpened }: { api: Api; onOpened: () => void }) {
  const { t } = useI18n();
  const [endpoint, setEndpoint] = useState('');
  const [type, setType] = useState<Session['type']>('applet');
  const { error, run } = useAction<Session>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await run(() => api.openSession({ endpoint_id: endpoint, type }))) onOpened();
  };
  return (
    <form onSubmit={submit} aria-label={t('tech.openSession')}>
      <h2>{t('tech.openSession')}</h2>
      <Field label={t('tech.endpoint')} name="endpoint" value={endpoint} onInput={setEndpoint}
        error={error} pointer="/endpoint_id" required />
      <label>
        {t('tech.sessionType')}
        <select value={type} onChange={(e) => setType(e.currentTarget.value as Session['type'])}>
          {(['applet', 'mobile_applet', 'instant_chat', 'calling_card'] as const).map((k) => (
            <option key={k} value={k}>{t(`tech.type.${k}`)}</option>
          ))}
        </select>
      </label>
      {error && !error.problem?.errors?.length && <p role="alert">{error.message}</p>}
      <button type="submit">{t('tech.open')}</button>
    </form>
  );
}

function RequestAccess(props: { api: Api; session: Session; onSent: () => void }) {
  const { api, session, onSent } = props;
  const { t } = useI18n();
  const [form, setForm] = useState<RequestForm>(initialForm);
  const [answer, setAnswer] = useState<{ effect: string; reasons: Reason[] } | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const set = <K extends keyof RequestForm>(key: K, value: RequestForm[K]) => {
    setForm({ ...form, [key]: value });
    setAnswer(null);
  };
  const check = async () => {
    setError(null);
    try {
      const d = await api.previewUnattended(session.id, requestBody(form));
      setAnswer({ effect: d.effect, reasons: d.reasons });
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.requestUnattended(session.id, requestBody(form));
      setSent(r.id);
      setAnswer(null);
      onSent();
    } catch (err) {
      if (!(err instanceof ApiError)) return;
      // A refusal carries every reason, as the preview does.
      if (err.problem?.reasons) setAnswer({ effect: 'deny', reasons: err.problem.reasons });
      else setError(err);
    }
  };
  const radio = <K extends keyof RequestForm>(key: K, value: RequestForm[K], label: string) => (
    <label class="choice">
      <input type="radio" name={`${key}-${session.id}`} checked={form[key] === value}
        onChange={() => set(key, value)} />
      {label}
    </label>
  );
  const heading = `request-${session.id}`;
  return (
    <form onSubmit={send} aria-labelledby={heading} class="request">
      <h2 id={heading}>{t('tech.unattended', { endpoint: session.endpoint_id })}</h2>
      <fieldset>
        <legend>{t('tech.credentialMode')}</legend>
        {radio('credentialMode', 'at_connection', t('tech.atConnection'))}
        {radio('credentialMode', 'at_setup', t('tech.atSetup'))}
      </fieldset>
      <fieldset>
        <legend>{t('tech.duration')}</legend>
        {radio('kind', 'days', t('tech.days'))}
        {form.kind === 'days' && (
          <Field label={t('tech.dayCount')} name={`days-${session.id}`} type="number"
            value={form.days} onInput={(v) => set('days', v)} error={error} pointer="/schedule/days" />
        )}
        {radio('kind', 'range', t('tech.range'))}
        {form.kind === 'range' && (
          <>
            <Field label={t('tech.start')} name={`start-${session.id}`} type="date" value={form.start}
              onInput={(v) => set('start', v)} error={error} pointer="/schedule/start" />
            <Field label={t('tech.end')} name={`end-${session.id}`} type="date" value={form.end}
              onInput={(v) => set('end', v)} error={error} pointer="/schedule/end" />
          </>
        )}
        {radio('kind', 'unlimited', t('tech.unlimited'))}
      </fieldset>
      <fieldset>
        <legend>{t('tech.window')}</legend>
        <label class="choice">
          <input type="checkbox" checked={form.daily} onChange={(e) => set('daily', e.currentTarget.checked)} />
          {t('tech.onlyBetween')}
        </label>
        {form.daily && (
          <>
            <Field label={t('tech.from')} name={`from-${session.id}`} type="time" value={form.dailyFrom}
              onInput={(v) => set('dailyFrom', v)} error={error} pointer="/schedule/daily/from" />
            <Field label={t('tech.to')} name={`to-${session.id}`} type="time" value={form.dailyTo}
              onInput={(v) => set('dailyTo', v)} error={error} pointer="/schedule/daily/to" />
          </>
        )}
        {radio('timeReference', 'technician', t('tech.technicianTime'))}
        {radio('timeReference', 'customer', t('tech.customerTime'))}
      </fieldset>
      {answer && (
        <div role="status" aria-label={t('tech.answer')}>
          <p>{answer.effect === 'allow' ? t('tech.allowed') : t('tech.refused')}</p>
          <Reasons reasons={answer.reasons} />
        </div>
      )}
      {sent && <p role="status">{t('tech.sent', { id: sent })}</p>}
      {error && !error.problem?.errors?.length && <p role="alert">{error.message}</p>}
      <button type="button" onClick={check}>{t('tech.check')}</button>{' '}
      <button type="submit">{t('tech.request')}</button>
    </form>
  );
}

function Reasons({ reasons }: { reasons: Reason[] }) {
  if (reasons.length === 0) return null;
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li key={r.code}>
          <strong>{r.rule}</strong> {r.message}
        </li>
      ))}
    </ul>
  );
}

// Windows credentials in a session (R9–R13): screen viewing on, asked of
// the customer, then applied to restart or unlock; refusals with reasons.
function WindowsCredentials(props: {
  api: Api;
  session: Session;
  requests: CredentialRequest[];
  onChanged: () => void;
}) {
  const { api, session, requests, onChanged } = props;
  const { t } = useI18n();
  const [refusal, setRefusal] = useState<Reason[] | null>(null);
  const [operation, setOperation] = useState<CredentialOperation | null>(null);
  const attempt = async (p: Promise<unknown>) => {
    setRefusal(null);
    try {
      const r = await p;
      if (r && typeof r === 'object' && 'operation' in r) setOperation(r as CredentialOperation);
      onChanged();
    } catch (e) {
      if (e instanceof ApiError) setRefusal(e.problem?.reasons ?? []);
    }
  };
  const heading = `credentials-${session.id}`;
  const latest = requests[requests.length - 1];
  return (
    <section aria-labelledby={heading} class="request">
      <h2 id={heading}>{t('tech.credentials', { endpoint: session.endpoint_id })}</h2>
      <label class="choice">
        <input type="checkbox" checked={session.screen_viewing ?? false}
          onChange={(e) => attempt(api.setScreenViewing(session.id, e.currentTarget.checked))} />
        {t('tech.screenViewing')}
      </label>
      <button type="button" onClick={() => attempt(api.requestCredentials(session.id))}>
        {t('tech.requestCredentials')}
      </button>
      {latest && <p>{t('tech.credentialState', { state: t(`access.credential.${latest.state}`) })}</p>}
      {latest?.state === 'stored' && (
        <p>
          <button type="button" onClick={() => attempt(api.applyCredentials(session.id, 'unlock'))}>
            {t('tech.unlock')}
          </button>{' '}
          <button type="button" onClick={() => attempt(api.applyCredentials(session.id, 'restart'))}>
            {t('tech.restart')}
          </button>
        </p>
      )}
      {operation && (
        <p role="status">
          {t('tech.operation', {
            operation: t(`tech.op.${operation.operation}`),
            state: t(`tech.opState.${operation.state}`),
          })}
        </p>
      )}
      {refusal && (
        <div role="alert">
          <p>{t('tech.credentialsRefused')}</p>
          <Reasons reasons={refusal} />
        </div>
      )}
    </section>
  );
}
