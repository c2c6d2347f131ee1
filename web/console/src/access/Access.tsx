import { useEffect, useState } from 'preact/hooks';
import type {
  Api,
  Connection,
  CredentialRequest,
  Endpoint,
  Grant,
  Principal,
  UnattendedRequest,
} from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import { spanIn, timeline, wallTimeIn } from './span';

const kTimelineDays = 14;

// When a grant may be used over the next days: a bar per daily window (or
// one for the whole span), with a tick at each midnight UTC.
function Timeline({ schedule }: { schedule: Grant['effective_schedule'] }) {
  const { t } = useI18n();
  const today = new Date();
  const from = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const pieces = timeline(schedule, from, kTimelineDays);
  return (
    <svg class="timeline" viewBox="0 0 280 16" width="280" height="16" role="img"
      aria-label={t('access.timelineOf', { pieces: String(pieces.length), days: String(kTimelineDays) })}>
      <rect x="0" y="6" width="280" height="4" fill="#d0d7de" />
      {Array.from({ length: kTimelineDays + 1 }, (_, d) => (
        <rect key={`d${d}`} x={Math.min(279, d * 20)} y="3" width="1" height="10" fill="#8c959f" />
      ))}
      {pieces.map(([a, b], i) => (
        <rect key={i} x={a * 280} y="2" width={Math.max(1, (b - a) * 280)} height="12" fill="#1d4f91" />
      ))}
    </svg>
  );
}

// What technicians have asked for and been given, for the people who
// oversee them: pending requests, grants with their schedules in the
// customer's and the technician's zone, connections, credential requests;
// admins revoke grants here.
export function Access({ api, who }: { api: Api; who: Principal }) {
  const { t, language } = useI18n();
  const [requests, setRequests] = useState<UnattendedRequest[]>([]);
  const [grants, setGrants] = useState<Grant[]>([]);
  const [connections, setConnections] = useState<Connection[]>([]);
  const [credentials, setCredentials] = useState<CredentialRequest[]>([]);
  const [zones, setZones] = useState<Map<string, string>>(new Map());
  const [names, setNames] = useState<Map<string, Principal>>(new Map());
  const refresh = () =>
    Promise.all([
      api.unattendedRequests(),
      api.grants(),
      api.connections(),
      api.credentialRequests(),
    ]).then(([r, g, c, k]) => {
      setRequests(r);
      setGrants(g);
      setConnections(c);
      setCredentials(k);
    });
  const admin = who.role === 'admin' || who.role === 'master_admin';
  useEffect(() => {
    refresh();
    api.endpoints().then((list: Endpoint[]) => setZones(new Map(list.map((e) => [e.id, e.time_zone]))));
    if (admin) api.people('technicians').then((list) => setNames(new Map(list.map((p) => [p.id, p]))));
  }, []);
  const technician = (id: string) => names.get(id)?.name ?? id;

  return (
    <section aria-labelledby="access-heading">
      <h1 id="access-heading">{t('access.heading')}</h1>
      <h2 id="access-pending">{t('access.pending')}</h2>
      <ul aria-labelledby="access-pending">
        {requests.filter((r) => r.state === 'pending').map((r) => (
          <li key={r.id}>
            {t('access.requestLine', { technician: technician(r.technician_id), endpoint: r.endpoint_id })}
          </li>
        ))}
      </ul>
      <h2 id="access-grants">{t('access.grants')}</h2>
      <table aria-labelledby="access-grants">
        <thead>
          <tr>
            <th scope="col">{t('access.technician')}</th>
            <th scope="col">{t('access.endpoint')}</th>
            <th scope="col">{t('access.customerTime')}</th>
            <th scope="col">{t('access.technicianTime')}</th>
            <th scope="col">{t('access.timeline', { days: String(kTimelineDays) })}</th>
            <th scope="col">{t('access.state')}</th>
            {admin && <th scope="col">{t('access.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {grants.map((g) => {
            const customerZone = zones.get(g.endpoint_id) ?? 'UTC';
            const technicianZone = names.get(g.technician_id)?.time_zone ?? 'UTC';
            const s = g.effective_schedule;
            const window = (zone: string) =>
              s.daily
                ? ` · ${t('access.daily', {
                    from: wallTimeIn(s.daily.from, s.daily.time_zone ?? customerZone, zone, s.start),
                    to: wallTimeIn(s.daily.to, s.daily.time_zone ?? customerZone, zone, s.start),
                  })}`
                : '';
            return (
              <tr key={g.id}>
                <td>{technician(g.technician_id)}</td>
                <td>{g.endpoint_id}</td>
                <td>{spanIn(s, language, customerZone)}{window(customerZone)} ({customerZone})</td>
                <td>{spanIn(s, language, technicianZone)}{window(technicianZone)} ({technicianZone})</td>
                <td><Timeline schedule={s} /></td>
                <td>{t(`tech.state.${g.state}`)}</td>
                {admin && (
                  <td>
                    {g.state === 'active' && (
                      <button type="button" aria-label={t('access.revokeGrant', { id: g.id })}
                        onClick={() => api.revokeGrant(g.id).then(refresh, refresh)}>
                        {t('access.revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2 id="access-connections">{t('access.connections')}</h2>
      <ul aria-labelledby="access-connections">
        {connections.map((c) => (
          <li key={c.id}>
            {technician(c.technician_id)} → {c.endpoint_id}: {t(`tech.state.${c.state}`)}
          </li>
        ))}
      </ul>
      <h2 id="access-credentials">{t('access.credentials')}</h2>
      <ul aria-labelledby="access-credentials">
        {credentials.map((c) => (
          <li key={c.id}>
            {technician(c.technician_id)} → {c.endpoint_id}: {t(`access.credential.${c.state}`)}
          </li>
        ))}
      </ul>
    </section>
  );
}
