import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Api, type Checkpoint } from '../../../shared/api/client';
import { formatInstant } from '../endpoints/format';
import { useI18n } from '../i18n/i18n';
import { Field } from '../layout/Field';
import { exportQuery, pageOf, parseExport, type AuditExport } from './jsonl';

const kPageSize = 25;
const kFilters = ['actor', 'action', 'target'] as const;

// The audit log: filtered, a page at a time, each event's whole record on
// request, the chain's signed checkpoint, and downloads in every format.
export function Audit({ api }: { api: Api }) {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<Record<string, string>>({
    actor: '', action: '', target: '', since: '', until: '',
  });
  const [log, setLog] = useState<AuditExport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [broken, setBroken] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<number | null>(null);
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null>(null);

  const load = async (f = filters) => {
    setError(null);
    try {
      setLog(parseExport(await api.auditExport(exportQuery('jsonl', f))));
      setBroken(null);
      setPage(0);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
      else setBroken((e as Error).message);
    }
  };
  useEffect(() => {
    load();
    api.checkpoint().then(setCheckpoint, () => setCheckpoint(null));
  }, []);
  const set = (key: string) => (v: string) => setFilters({ ...filters, [key]: v });
  const shown = log ? pageOf(log.events, page, kPageSize) : null;

  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">{t('audit.heading')}</h1>
      {checkpoint && (
        <p role="status">
          {t('audit.verified', {
            seq: String(checkpoint.seq),
            at: formatInstant(checkpoint.ts, language),
            key: checkpoint.key_id,
          })}
        </p>
      )}
      {broken && <p role="alert">{t('audit.broken', { detail: broken })}</p>}
      <form
        class="filters"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        {kFilters.map((key) => (
          <Field key={key} label={t(`audit.${key}`)} name={key} value={filters[key]}
            onInput={set(key)} error={error} pointer={`/${key}`} />
        ))}
        <Field label={t('audit.since')} name="since" type="datetime-local" value={filters.since}
          onInput={set('since')} error={error} pointer="/since" />
        <Field label={t('audit.until')} name="until" type="datetime-local" value={filters.until}
          onInput={set('until')} error={error} pointer="/until" />
        <button type="submit">{t('audit.apply')}</button>
      </form>
      {error && !error.problem?.errors?.length && (
        <p role="alert">{t('error.generic', { detail: error.message })}</p>
      )}
      <p>
        {t('audit.download')}{' '}
        {['jsonl', 'csv', 'cef'].map((format) => (
          <a key={format} href={exportQuery(format, filters)} download={`audit.${format}`}>
            {format.toUpperCase()}
          </a>
        ))}
      </p>
      {log && shown && (
        <>
          <p>
            {t('audit.count', {
              from: String(log.events.length ? shown.page * kPageSize + 1 : 0),
              to: String(shown.page * kPageSize + shown.items.length),
              total: String(log.events.length),
              head: String(log.trailer.chain.seq),
            })}
          </p>
          <table aria-label={t('audit.events')}>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.outcome')}</th>
                <th scope="col"><span class="visually-hidden">{t('audit.record')}</span></th>
              </tr>
            </thead>
            <tbody>
              {shown.items.map((e) => (
                <Fragment key={e.seq}>
                  <tr>
                    <td>{e.seq}</td>
                    <td class="time">{formatInstant(e.ts, language)}</td>
                    <td>{e.actor.kind}{e.actor.id ? ` ${e.actor.id}` : ''}</td>
                    <td>{e.action}</td>
                    <td>{e.target}</td>
                    <td>{e.outcome}</td>
                    <td>
                      <button type="button" aria-expanded={open === e.seq}
                        aria-label={t('audit.recordOf', { seq: String(e.seq) })}
                        onClick={() => setOpen(open === e.seq ? null : e.seq)}>
                        {t('audit.record')}
                      </button>
                    </td>
                  </tr>
                  {open === e.seq && (
                    <tr>
                      <td colSpan={7}>
                        <pre aria-label={t('audit.recordOf', { seq: String(e.seq) })}>
                          {JSON.stringify(e, null, 2)}
                        </pre>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          <nav aria-label={t('audit.pages')} class="pager">
            <button type="button" disabled={shown.page === 0} onClick={() => setPage(shown.page - 1)}>
              {t('audit.previous')}
            </button>
            <span>{t('audit.page', { page: String(shown.page + 1), pages: String(shown.pages) })}</span>
            <button type="button" disabled={shown.page + 1 >= shown.pages}
              onClick={() => setPage(shown.page + 1)}>
              {t('audit.next')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
