import { useEffect, useState } from 'preact/hooks';
import type { Api, Endpoint, EnrollmentCode, Principal } from '../../../shared/api/client';
import { useI18n } from '../i18n/i18n';
import { bundleState, formatInstant } from './format';

// The enrolled computers, and enrollment codes for new ones (admins).
export function Endpoints({ api, who }: { api: Api; who: Principal }) {
  const { t, language } = useI18n();
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [current, setCurrent] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    api.endpoints().then(setEndpoints, (e: unknown) => setFailure(String((e as Error).message)));
    if (who.role === 'master_admin') api.currentBundleVersion().then(setCurrent);
  }, []);
  const admin = who.role === 'admin' || who.role === 'master_admin';
  return (
    <section aria-labelledby="endpoints-heading">
      <h1 id="endpoints-heading">{t('endpoints.heading')}</h1>
      {failure && <p role="alert">{t('error.generic', { detail: failure })}</p>}
      {endpoints && endpoints.length === 0 && <p>{t('endpoints.none')}</p>}
      {endpoints && endpoints.length > 0 && (
        <table aria-labelledby="endpoints-heading">
          <thead>
            <tr>
              <th scope="col">{t('endpoints.name')}</th>
              <th scope="col">{t('endpoints.os')}</th>
              <th scope="col">{t('endpoints.timeZone')}</th>
              <th scope="col">{t('endpoints.lastSeen')}</th>
              <th scope="col">{t('endpoints.bundle')}</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.id}>
                <th scope="row">{e.name}</th>
                <td>{e.os}</td>
                <td>{e.time_zone}</td>
                <td>{e.last_seen ? formatInstant(e.last_seen, language) : t('endpoints.never')}</td>
                <td>{t(`endpoints.bundle.${bundleState(e.bundle_version, current)}`, {
                  held: String(e.bundle_version ?? ''),
                  current: String(current ?? ''),
                })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && <Enroll api={api} />}
    </section>
  );
}

function Enroll({ api }: { api: Api }) {
  const { t, language } = useI18n();
  const [code, setCode] = useState<EnrollmentCode | null>(null);
  return (
    <section aria-labelledby="enroll-heading">
      <h2 id="enroll-heading">{t('endpoints.enroll')}</h2>
      <p>{t('endpoints.enrollHelp')}</p>
      <button type="button" onClick={() => api.createEnrollmentCode(60).then(setCode)}>
        {t('endpoints.newCode')}
      </button>
      {code && (
        <p role="status">
          {t('endpoints.code')} <code data-testid="enrollment-code">{code.code}</code>{' '}
          {t('endpoints.codeExpires', { at: formatInstant(code.expires_at, language) })}
        </p>
      )}
    </section>
  );
}
