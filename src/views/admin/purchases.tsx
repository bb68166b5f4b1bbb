import type { PurchaseDetail, PurchaseRow } from '../../services/console/purchases';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { PurchaseActions } from './actions';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { Facts, PagedTable } from './parts';
import { AuditTrail, LedgerEntries, ProviderEvents, StatusWithAge, When } from './record-parts';

const PATH = '/admin/purchases';
/** Purchases are VTpass (Nigeria): their times read on Lagos time, like their request ids. */
const ZONE = 'Africa/Lagos';

export type PurchaseFilterValues = { q?: string; category?: string; status?: string; escalated?: string; from?: string; to?: string; limit?: string };

/** `/admin/purchases`: filters as a GET form (works without JS), then newest first with pending ages. */
export function PurchasesPage(props: {
  staff: StaffMember;
  values: PurchaseFilterValues;
  now: number;
  problem?: string;
  result?: { rows: PurchaseRow[]; nextCursor: string | null };
}) {
  const { values, now } = props;
  return (
    <AdminBase title="Purchases" staff={props.staff} current={PATH}>
      <FilterForm action={PATH} problem={props.problem}>
        <InputField name="q" label="Search" type="search" value={values.q} hint="Purchase id, VTpass request id, recipient or customer email" />
        <ChoiceField name="category" label="Category" options={['airtime', 'data', 'electricity', 'tv']} value={values.category} />
        <ChoiceField name="status" label="Status" options={['pending', 'delivered', 'failed', 'reversed']} value={values.status} />
        <ChoiceField name="escalated" label="Escalated to staff" options={['yes', 'no']} value={values.escalated} />
        <InputField name="from" label="From (Lagos date)" type="date" value={values.from} />
        <InputField name="to" label="To (Lagos date)" type="date" value={values.to} />
      </FilterForm>
      <PagedTable
        path={PATH}
        query={values}
        result={props.result}
        empty="No purchases match these filters."
        columns={[
          { header: 'Created (Lagos)', cell: (row) => <When ms={row.createdAt} zone={ZONE} /> },
          { header: 'Customer', cell: (row) => <a href={`/admin/customers/${encodeURIComponent(row.userId)}`}>{row.customerEmail ?? row.userId}</a> },
          { header: 'Purchase', cell: (row) => <a href={`${PATH}/${encodeURIComponent(row.id)}`}>{row.id}</a> },
          { header: 'Service', cell: (row) => `${row.serviceId} (${row.category})` },
          { header: 'Recipient', cell: (row) => row.recipient },
          { header: 'Amount', num: true, cell: (row) => <Money amount={row.amount} currency="NGN" /> },
          { header: 'Status', cell: (row) => <StatusWithAge status={row.status} since={row.createdAt} now={now} /> },
          { header: 'Escalated', cell: (row) => (row.escalatedAt ? <When ms={row.escalatedAt} zone={ZONE} /> : 'no') },
        ]}
      />
    </AdminBase>
  );
}

/** `/admin/purchases/:id`: every field, the ledger transfers it made, VTpass's events and the audit trail. */
export function PurchasePage({ staff, detail, now }: { staff: StaffMember; detail: PurchaseDetail; now: number }) {
  const { purchase: p, customer } = detail;
  return (
    <AdminBase title={`Purchase ${p.id}`} staff={staff} current={PATH}>
      <Facts
        rows={[
          ['Id', <code>{p.id}</code>],
          ['Customer', customer ? <a href={`/admin/customers/${encodeURIComponent(customer.id)}`}>{`${customer.name} <${customer.email}>`}</a> : <code>{p.userId}</code>],
          ['Service', `${p.serviceId} (${p.category})`],
          ['Recipient', p.recipient],
          ['Variation', p.variationCode],
          ['Phone', p.phone],
          ['Amount', <Money amount={p.amount} currency="NGN" />],
          ['Status', <StatusWithAge status={p.status} since={p.createdAt} now={now} />],
          ['VTpass request id', <code>{p.requestId}</code>],
          ['Provider code', p.providerCode],
          ['Provider reason', p.providerReason],
          ['Provider transaction id', p.providerTransactionId],
          ['Token', p.token],
          ['Units', p.units],
          ['Purchased code', p.purchasedCode],
          ['Failure reason', p.failureReason],
          ['Requeries made', String(p.requeries)],
          ['Next check', <When ms={p.nextCheckAt} zone={ZONE} />],
          ['Escalated to staff', <When ms={p.escalatedAt} zone={ZONE} />],
          ['Idempotency key', p.idempotencyKey],
          ['Request hash', p.requestHash],
          ['Created', <When ms={p.createdAt} zone={ZONE} />],
          ['Updated', <When ms={p.updatedAt} zone={ZONE} />],
          ['Settled', <When ms={p.settledAt} zone={ZONE} />],
        ]}
      />
      <PurchaseActions purchase={p} staff={staff} lastAction={detail.audit[0] ?? null} zone={ZONE} />
      <LedgerEntries entries={detail.entries} transferIds={detail.transferIds} />
      <ProviderEvents heading="VTpass events" empty="No VTpass events name this request id." events={detail.events} zone={ZONE} search={p.requestId} />
      <AuditTrail rows={detail.audit} />
    </AdminBase>
  );
}
