import { CURRENCIES, type Currency } from '../../durable/ledger-types';
import { ADJUSTMENT_STATUSES, type AdjustmentRow, isStalled } from '../../services/adjustments';
import { hasRole, type StaffMember } from '../../services/staff';
import { formatMoney, Money } from '../components/money';
import { ActionForm } from './actions';
import { AdminBase } from './layout';
import { ChoiceField, FilterForm, InputField } from './filters';
import { type Column, DataTable, Pager, Status } from './parts';
import { When, zoneFor } from './record-parts';

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
        Requested by {row.requestedByEmail} at <When ms={row.createdAt} zone={zoneFor(row.currency)} />. Reason: {row.reason}
      </p>
      <Decision row={row} staff={staff} />
    </article>
  );
}

const HISTORY_COLUMNS: Column<AdjustmentRow>[] = [
  { header: 'When', cell: (row) => <When ms={row.createdAt} zone={zoneFor(row.currency)} /> },
  { header: 'Customer', cell: (row) => <a href={`/admin/customers/${row.userId}`}>{row.customerEmail}</a> },
  { header: 'Amount', cell: (row) => <Signed row={row} />, num: true },
  { header: 'Status', cell: (row) => <Status value={row.status} /> },
  { header: 'Requested by', cell: (row) => row.requestedByEmail },
  { header: 'Decided by', cell: (row) => row.decidedByEmail ?? (row.decidedAt ? 'at once (under the threshold)' : '—') },
  {
    header: 'Reason and note',
    cell: (row) => (
      <>
        {row.reason}
        {row.note ? <span class="muted"> — {row.note}</span> : null}
      </>
    ),
    class: 'wrap',
  },
];

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
        <FilterForm action="/admin/adjustments">
          <InputField name="q" label="Search" type="search" value={props.query.q} hint="Adjustment id, customer id or email" />
          <ChoiceField name="status" label="Status" options={ADJUSTMENT_STATUSES} value={props.query.status} />
          <ChoiceField name="currency" label="Currency" options={CURRENCIES} value={props.query.currency} />
        </FilterForm>
        <DataTable columns={HISTORY_COLUMNS} rows={props.history} empty="No adjustments match." rowId={(row) => `adjustment-${row.id}`} />
        <Pager path="/admin/adjustments" query={props.query} nextCursor={props.nextCursor} />
      </section>
    </AdminBase>
  );
}
