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
import { spanIn, wallTimeIn } from './span';

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
