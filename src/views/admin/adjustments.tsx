import type { Currency } from '../../durable/ledger-types';
import { ADJUSTMENT_STATUSES, type AdjustmentRow, isStalled } from '../../services/adjustments';
import { hasRole, type StaffMember } from '../../services/staff';
import { formatDateTime, formatMoney, Money } from '../components/money';
import { ActionForm } from './actions';
import { AdminBase } from './layout';
import { Pager, Status } from './parts';

type Props = {
  staff: StaffMember;
  pending: AdjustmentRow[];
  history: AdjustmentRow[];
  nextCursor: string | null;
  query: Record<string, string | undefined>;
  thresholds: Record<Currency, number>;
};

function Signed({ row }: { row: AdjustmentRow }) {
  return (
    <>
      {row.direction === 'credit' ? 'Credit ' : 'Debit '}
      <Money amount={row.amount} currency={row.currency} />
    </>
  );
}

/** Approve and reject for a second admin; the requester and lower roles are told why they cannot. */
function Decision({ row, staff }: { row: AdjustmentRow; staff: StaffMember }) {
  if (row.status === 'applying') return <Applying row={row} staff={staff} />;
  if (!hasRole(staff, 'admin')) return <p class="muted">Waiting for an admin to approve or reject it.</p>;
  if (row.requestedBy === staff.id) return <p class="muted">You requested this one: another admin must approve or reject it.</p>;
  return (
    <div class="actions">
      <ActionForm id={`approve-${row.id}`} action={`/admin/adjustments/${row.id}/approve`} title="Approve" hint="Moves the money now." button="Approve and apply" busy="Applying…" />
      <ActionForm id={`reject-${row.id}`} action={`/admin/adjustments/${row.id}/reject`} title="Reject" hint="Nothing moves; the reason is kept." button="Reject" busy="Rejecting…" />
    </div>
  );
}

/** Approved (or under the threshold) and claimed; a claim cut off before its transfer can be finished. */
function Applying({ row, staff }: { row: AdjustmentRow; staff: StaffMember }) {
  if (!isStalled(row)) return <p class="muted">Approved; the money is being moved now.</p>;
  if (!hasRole(staff, 'admin') || row.requestedBy === staff.id) return <p class="alert">Approved, but moving the money was cut off: another admin can finish it.</p>;
  return (
    <div class="actions">
      <ActionForm
        id={`approve-${row.id}`}
        action={`/admin/adjustments/${row.id}/approve`}
        title="Finish applying"
        hint="It was approved but moving the money was cut off; this moves it once."
        button="Finish applying"
        busy="Applying…"
      />
    </div>
  );
}

function PendingApproval({ row, staff }: { row: AdjustmentRow; staff: StaffMember }) {
  return (
    <article class="card adjustment-pending" aria-labelledby={`pending-${row.id}`}>
      <h3 id={`pending-${row.id}`}>
        <Signed row={row} /> for <a href={`/admin/customers/${row.userId}`}>{row.customerEmail}</a>
      </h3>
      <p>
        Requested by {row.requestedByEmail} at {formatDateTime(row.createdAt)}. Reason: {row.reason}
      </p>
      <Decision row={row} staff={staff} />
    </article>
  );
}

const STATUS_OPTIONS = [['', 'Any status'], ...ADJUSTMENT_STATUSES.map((s) => [s, s.replace(/_/g, ' ')])] as const;
const CURRENCY_OPTIONS = [
  ['', 'Any currency'],
  ['KES', 'KES'],
  ['NGN', 'NGN'],
] as const;

function Filters({ query }: { query: Props['query'] }) {
  return (
    <form class="filters" method="get" action="/admin/adjustments">
      <div class="field">
        <label for="filter-q">Adjustment, customer id or email</label>
        <input id="filter-q" name="q" type="search" value={query.q ?? ''} />
      </div>
      <div class="field">
        <label for="filter-status">Status</label>
        <select id="filter-status" name="status">
          {STATUS_OPTIONS.map(([value, label]) => (
            <option value={value} selected={(query.status ?? '') === value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-currency">Currency</label>
        <select id="filter-currency" name="currency">
          {CURRENCY_OPTIONS.map(([value, label]) => (
            <option value={value} selected={(query.currency ?? '') === value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button secondary">
        Filter
      </button>
    </form>
  );
}

function HistoryTable({ rows }: { rows: AdjustmentRow[] }) {
  if (rows.length === 0) return <p class="muted">No adjustments match.</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Customer</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">Status</th>
            <th scope="col">Requested by</th>
            <th scope="col">Decided by</th>
            <th scope="col">Reason and note</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr id={`adjustment-${row.id}`}>
              <td>{formatDateTime(row.createdAt)}</td>
              <td>
                <a href={`/admin/customers/${row.userId}`}>{row.customerEmail}</a>
              </td>
              <td class="num">
                <Signed row={row} />
              </td>
              <td>
                <Status value={row.status} />
              </td>
              <td>{row.requestedByEmail}</td>
              <td>{row.decidedByEmail ?? (row.decidedAt ? 'at once (under the threshold)' : '—')}</td>
              <td class="wrap">
                {row.reason}
                {row.note ? <span class="muted"> — {row.note}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Manual credits and debits: pending approvals first, then the filtered history with CSV export. */
export function AdjustmentsPage(props: Props) {
  return (
    <AdminBase title="Adjustments" staff={props.staff} current="/admin/adjustments">
      <p class="muted">
        Adjustments up to {formatMoney(props.thresholds.KES, 'KES')} or {formatMoney(props.thresholds.NGN, 'NGN')} are applied at once; larger ones wait for a
        second admin, who cannot be the one who asked. Request one from the customer's page.
      </p>
      <section class="section" aria-labelledby="pending-heading">
        <h2 id="pending-heading">Waiting for approval ({props.pending.length})</h2>
        {props.pending.length === 0 ? <p class="muted">Nothing is waiting.</p> : props.pending.map((row) => <PendingApproval row={row} staff={props.staff} />)}
      </section>
      <section class="section" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <Filters query={props.query} />
        <HistoryTable rows={props.history} />
        <Pager path="/admin/adjustments" query={props.query} nextCursor={props.nextCursor} />
      </section>
    </AdminBase>
  );
}
