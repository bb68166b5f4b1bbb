import { ANOMALY_STATUSES, type Anomaly, type AnomalyDetail, anomalyLinks, deadLetter } from '../../services/console/anomalies';
import { EVENT_PROVIDERS } from '../../services/console/events';
import type { StaffMember } from '../../services/staff';
import { AnomalyActions } from './actions';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { type Column, Facts, PagedTable, RawPayload, Status } from './parts';
import { When } from './record-parts';
import { providerZone } from './events';

const PATH = '/admin/anomalies';
const DEAD_LETTERS_PATH = `${PATH}/dead-letters`;

export type AnomalyFilterValues = { q?: string; status?: string; kind?: string; provider?: string; from?: string; to?: string; limit?: string };
type Page = { rows: Anomaly[]; nextCursor: string | null };

const href = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

/** The status select: open is the default, so "Any" is spelled `all` here. */
function StatusField({ value }: { value?: string }) {
  return (
    <div class="field">
      <label for="filter-status">Status</label>
      <select id="filter-status" name="status">
        {ANOMALY_STATUSES.map((status) => (
          <option value={status} selected={status === (value || 'open')}>
            {status}
          </option>
        ))}
      </select>
    </div>
  );
}

function Tabs({ deadLetters }: { deadLetters: boolean }) {
  return (
    <nav class="tabs" aria-label="Anomaly views">
      <a href={PATH} aria-current={deadLetters ? undefined : 'page'}>
        All anomalies
      </a>
      <a href={DEAD_LETTERS_PATH} aria-current={deadLetters ? 'page' : undefined}>
        Dead letters
      </a>
    </nav>
  );
}

/**
 * `/admin/anomalies` and its dead-letters view (kind `job_dead_letter`: queue messages that used up
 * their retries, see src/jobs/queue.ts), with the filters that make sense for each.
 */
export function AnomaliesPage(props: { staff: StaffMember; deadLetters: boolean; values: AnomalyFilterValues; problem?: string; result?: Page }) {
  const { values, deadLetters } = props;
  const path = deadLetters ? DEAD_LETTERS_PATH : PATH;
  return (
    <AdminBase title={deadLetters ? 'Dead letters' : 'Anomalies'} staff={props.staff} current={PATH}>
      <Tabs deadLetters={deadLetters} />
      {deadLetters ? (
        <p class="muted">Queue jobs that failed on every retry. Whatever they were doing (a status check, a requery) did not happen; look at the record, act, then resolve.</p>
      ) : null}
      <FilterForm action={path} problem={props.problem}>
        <InputField name="q" label="Search" type="search" value={values.q} hint="Anomaly id, deposit id or event id" />
        <StatusField value={values.status} />
        {deadLetters ? null : <InputField name="kind" label="Kind" value={values.kind} hint="e.g. amount_mismatch" />}
        {deadLetters ? null : <ChoiceField name="provider" label="Provider" options={EVENT_PROVIDERS} value={values.provider} />}
        <InputField name="from" label="From" type="date" value={values.from} hint="Nairobi days" />
        <InputField name="to" label="To" type="date" value={values.to} />
      </FilterForm>
      <PagedTable path={path} query={values} result={props.result} empty="Nothing matches these filters." columns={deadLetters ? DEAD_LETTER_COLUMNS : ANOMALY_COLUMNS} />
    </AdminBase>
  );
}

/** Links to what an anomaly is about, as far as it says. */
function Subjects({ anomaly }: { anomaly: Anomaly }) {
  const links = anomalyLinks(anomaly);
  const parts = [
    links.depositId ? <a href={href('/admin/deposits', links.depositId)}>deposit {links.depositId}</a> : null,
    links.purchaseId ? <a href={href('/admin/purchases', links.purchaseId)}>purchase {links.purchaseId}</a> : null,
    links.eventId ? <a href={href('/admin/events', links.eventId)}>event {links.eventId}</a> : null,
    links.userId ? <a href={href('/admin/customers', links.userId)}>customer {links.userId}</a> : null,
  ].filter((part) => part !== null);
  return parts.length === 0 ? <span class="muted">—</span> : <>{parts.map((part, i) => (i === 0 ? part : <>, {part}</>))}</>;
}

const ANOMALY_COLUMNS: Column<Anomaly>[] = [
  { header: 'Raised', cell: (row) => <When ms={row.createdAt} zone={providerZone(row.provider)} /> },
  { header: 'Kind', cell: (row) => <a href={href(PATH, row.id)}>{row.kind.replace(/_/g, ' ')}</a> },
  { header: 'Provider', cell: (row) => row.provider ?? '—' },
  { header: 'Status', cell: (row) => <Status value={row.status} /> },
  { header: 'About', class: 'wrap', cell: (row) => <Subjects anomaly={row} /> },
];

/** A dead letter is read from its details: which job gave up, on which attempt, with which message. */
const DEAD_LETTER_COLUMNS: Column<Anomaly>[] = [
  { header: 'Gave up', cell: (row) => <When ms={row.createdAt} zone="Africa/Nairobi" /> },
  { header: 'Job', cell: (row) => <DeadLetterJob anomaly={row} /> },
  { header: 'Message', cell: (row) => <code>{deadLetter(row).messageId ?? '—'}</code> },
  { header: 'Status', cell: (row) => <Status value={row.status} /> },
  { header: 'About', class: 'wrap', cell: (row) => <Subjects anomaly={row} /> },
];

function DeadLetterJob({ anomaly }: { anomaly: Anomaly }) {
  const letter = deadLetter(anomaly);
  return (
    <>
      <a href={href(PATH, anomaly.id)}>{letter.type ?? 'unknown job'}</a>
      {letter.attempt === null ? null : <span class="muted">{` (attempt ${letter.attempt})`}</span>}
    </>
  );
}

/** `/admin/anomalies/:id`: what was seen (details escaped), what it is about, and how it was resolved. */
export function AnomalyPage({ staff, detail }: { staff: StaffMember; detail: AnomalyDetail }) {
  const { anomaly, resolver, deadLetter: letter } = detail;
  const zone = providerZone(anomaly.provider);
  return (
    <AdminBase title={`Anomaly: ${anomaly.kind.replace(/_/g, ' ')}`} staff={staff} current={PATH}>
      <Facts
        rows={[
          ['Id', <code>{anomaly.id}</code>],
          ['Kind', <code>{anomaly.kind}</code>],
          ['Provider', anomaly.provider],
          ['Status', <Status value={anomaly.status} />],
          ['Raised', <When ms={anomaly.createdAt} zone={zone} />],
          ['About', <Subjects anomaly={anomaly} />],
          ...(letter ? ([['Dead letter', `${letter.type ?? 'unknown job'} · message ${letter.messageId ?? '—'}`]] as [string, string][]) : []),
        ]}
      />
      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <RawPayload text={anomaly.details} />
      </section>
      <section aria-labelledby="resolution-heading">
        <h2 id="resolution-heading">Resolution</h2>
        {anomaly.status === 'resolved' ? (
          <Facts
            rows={[
              ['Resolved by', resolver ? `${resolver.name} (${resolver.email})` : anomaly.resolvedBy],
              ['Resolved', <When ms={anomaly.resolvedAt} zone={zone} />],
              ['What was done', anomaly.resolution],
            ]}
          />
        ) : (
          <p>Open: nobody has resolved it yet.</p>
        )}
      </section>
      <AnomalyActions anomaly={anomaly} staff={staff} lastAction={detail.lastAction} zone={zone} />
    </AdminBase>
  );
}
