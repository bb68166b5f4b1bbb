import type { AuditEntry } from '../../services/audit';
import type { StaffMember } from '../../services/staff';
import { AdminBase } from './layout';
import { Pager } from './parts';
import { FilterProblem, InputField, When } from './record-parts';

const PATH = '/admin/audit';
/** How much of a before/after snapshot the row shows; the rest opens on demand. */
const COMPACT_CHARS = 120;

export type AuditFilterValues = { staffEmail?: string; action?: string; targetType?: string; targetId?: string; from?: string; to?: string; limit?: string };

/** The console page of an audit target, where one exists. */
export function auditTargetHref(targetType: string, targetId: string): string | null {
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

/** `/admin/audit`: every staff action, newest first — who, what, on what, why, and what changed. */
export function AuditPage(props: { staff: StaffMember; values: AuditFilterValues; problem?: string; result?: { rows: AuditEntry[]; nextCursor: string | null } }) {
  const { values, result } = props;
  return (
    <AdminBase title="Audit log" staff={props.staff} current={PATH}>
      <p class="muted">Append-only: rows can be added, never changed or removed. Times are Nairobi (EAT).</p>
      <form class="filters" method="get" action={PATH} role="search">
        <InputField name="staffEmail" label="Staff email" value={values.staffEmail} />
        <InputField name="action" label="Action" value={values.action} hint="e.g. purchase.requery, or purchase for all" />
        <InputField name="targetType" label="Target type" value={values.targetType} hint="e.g. purchase, customer" />
        <InputField name="targetId" label="Target id" value={values.targetId} />
        <InputField name="from" label="From" type="date" value={values.from} />
        <InputField name="to" label="To" type="date" value={values.to} />
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <FilterProblem message={props.problem} />
      {result ? (
        <>
          {result.rows.length === 0 ? (
            <p>No staff actions match these filters.</p>
          ) : (
            <div class="scroll-x">
              <table class="table console-list audit-log">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">What</th>
                    <th scope="col">Target</th>
                    <th scope="col">Why</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((row) => {
                    const target = auditTargetHref(row.targetType, row.targetId);
                    return (
                      <tr>
                        <td>
                          <When ms={row.createdAt} zone="Africa/Nairobi" />
                        </td>
                        <td>{row.staffEmail}</td>
                        <td>
                          <code>{row.action}</code>
                        </td>
                        <td>
                          {row.targetType}{' '}
                          {target ? (
                            <a href={target}>
                              <code>{row.targetId}</code>
                            </a>
                          ) : (
                            <code>{row.targetId}</code>
                          )}
                        </td>
                        <td class="wrap">{row.reason}</td>
                        <td class="wrap">
                          <Snapshot label="Before" json={row.before} />
                        </td>
                        <td class="wrap">
                          <Snapshot label="After" json={row.after} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <Pager path={PATH} query={values} nextCursor={result.nextCursor} />
        </>
      ) : null}
    </AdminBase>
  );
}
