import type { AuditEntry } from '../../services/audit';
import type { StaffMember } from '../../services/staff';
import { FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { PagedTable } from './parts';
import { When } from './record-parts';

const PATH = '/admin/audit';
/** How much of a before/after snapshot the row shows; the rest opens on demand. */
const COMPACT_CHARS = 120;

export type AuditFilterValues = { staffEmail?: string; action?: string; targetType?: string; targetId?: string; from?: string; to?: string; limit?: string };

/** The console page of an audit target, where one exists. */
function auditTargetHref(targetType: string, targetId: string): string | null {
  const id = encodeURIComponent(targetId);
  switch (targetType) {
    case 'purchase':
      return `/admin/purchases/${id}`;
    case 'deposit':
      return `/admin/deposits/${id}`;
    case 'customer':
    case 'user':
      return `/admin/customers/${id}`;
    case 'anomaly':
      return `/admin/anomalies/${id}`;
    case 'event':
      return `/admin/events/${id}`;
    case 'transfer':
      return `/admin/ledger/${id}`;
    case 'adjustment':
      return '/admin/adjustments';
    case 'staff':
      return '/admin/staff';
    default:
      return targetType.startsWith('catalog') ? '/admin/catalog' : null;
  }
}

/** A JSON snapshot on one line, cut short; the whole of it, pretty-printed, in a disclosure. Always escaped. */
function Snapshot({ label, json }: { label: string; json: string | null }) {
  if (json === null) return <span class="muted">—</span>;
  let oneLine = json;
  let pretty = json;
  try {
    const value: unknown = JSON.parse(json);
    oneLine = JSON.stringify(value);
    pretty = JSON.stringify(value, null, 2);
  } catch {
    // Stored as text: shown as it is.
  }
  if (oneLine.length <= COMPACT_CHARS) return <code class="snapshot">{oneLine}</code>;
  return (
    <details class="snapshot">
      <summary>
        <span class="visually-hidden">{`${label}: `}</span>
        <code>{`${oneLine.slice(0, COMPACT_CHARS)}…`}</code>
      </summary>
      <pre class="raw">{pretty}</pre>
    </details>
  );
}

/** The target's type and id, the id linking to its console page where it has one. */
function Target({ type, id }: { type: string; id: string }) {
  const href = auditTargetHref(type, id);
  return (
    <>
      {type}{' '}
      {href ? (
        <a href={href}>
          <code>{id}</code>
        </a>
      ) : (
        <code>{id}</code>
      )}
    </>
  );
}

/** `/admin/audit`: every staff action, newest first — who, what, on what, why, and what changed. */
export function AuditPage(props: { staff: StaffMember; values: AuditFilterValues; problem?: string; result?: { rows: AuditEntry[]; nextCursor: string | null } }) {
  const { values } = props;
  return (
    <AdminBase title="Audit log" staff={props.staff} current={PATH}>
      <p class="muted">Append-only: rows can be added, never changed or removed. Times are Nairobi (EAT).</p>
      <FilterForm action={PATH} problem={props.problem}>
        <InputField name="staffEmail" label="Staff email" value={values.staffEmail} />
        <InputField name="action" label="Action" value={values.action} hint="e.g. purchase.requery, or purchase for all" />
        <InputField name="targetType" label="Target type" value={values.targetType} hint="e.g. purchase, customer" />
        <InputField name="targetId" label="Target id" value={values.targetId} />
        <InputField name="from" label="From" type="date" value={values.from} />
        <InputField name="to" label="To" type="date" value={values.to} />
      </FilterForm>
      <PagedTable
        class="audit-log"
        path={PATH}
        query={values}
        result={props.result}
        empty="No staff actions match these filters."
        columns={[
          { header: 'When', cell: (row) => <When ms={row.createdAt} zone="Africa/Nairobi" /> },
          { header: 'Who', cell: (row) => row.staffEmail },
          { header: 'What', cell: (row) => <code>{row.action}</code> },
          { header: 'Target', cell: (row) => <Target type={row.targetType} id={row.targetId} /> },
          { header: 'Why', class: 'wrap', cell: (row) => row.reason },
          { header: 'Before', class: 'wrap', cell: (row) => <Snapshot label="Before" json={row.before} /> },
          { header: 'After', class: 'wrap', cell: (row) => <Snapshot label="After" json={row.after} /> },
        ]}
      />
    </AdminBase>
  );
}
