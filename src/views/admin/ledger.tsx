import { SYSTEM_ACCOUNTS, TRANSFER_KINDS, ENTRY_STATUSES, CURRENCIES } from '../../durable/ledger-types';
import type { BusinessObject, LedgerEntry, TransferDetail, TransferRow } from '../../services/console/ledger';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { type Column, DataTable, Facts, PagedTable, Status } from './parts';
import { ENTRY_MONEY_COLUMNS, When, zoneFor } from './record-parts';

const PATH = '/admin/ledger';

export type LedgerFilterValues = { q?: string; userId?: string; currency?: string; account?: string; kind?: string; status?: string; from?: string; to?: string; limit?: string };

/** A transfer's own page; transfer ids may hold `:` (`pur_…:post`), so the segment is encoded. */
function transferHref(transferId: string): string {
  return `${PATH}/${encodeURIComponent(transferId)}`;
}

const customerHref = (userId: string) => `/admin/customers/${encodeURIComponent(userId)}`;

/** `/admin/ledger`: one row per transfer (the wallet side, with the account on the other side). */
export function LedgerPage(props: { staff: StaffMember; values: LedgerFilterValues; problem?: string; result?: { rows: TransferRow[]; nextCursor: string | null } }) {
  const { values } = props;
  return (
    <AdminBase title="Ledger transfers" staff={props.staff} current={PATH}>
      <p class="muted">
        From the D1 copy of every wallet's journal, which may lag by a few seconds. Each transfer moves money between a wallet and one system account; dates are
        Nairobi days.
      </p>
      <FilterForm action={PATH} problem={props.problem}>
        <InputField name="q" label="Search" type="search" value={values.q} hint="Transfer id, reference or purchase id" />
        <InputField name="userId" label="Customer id" value={values.userId} />
        <ChoiceField name="currency" label="Currency" options={CURRENCIES} value={values.currency} />
        <ChoiceField name="account" label="Other account" options={SYSTEM_ACCOUNTS} value={values.account} />
        <ChoiceField name="kind" label="Kind" options={TRANSFER_KINDS} value={values.kind} />
        <ChoiceField name="status" label="Status" options={ENTRY_STATUSES} value={values.status} />
        <InputField name="from" label="From" type="date" value={values.from} />
        <InputField name="to" label="To" type="date" value={values.to} />
      </FilterForm>
      <PagedTable path={PATH} query={values} result={props.result} empty="No transfers match these filters." columns={TRANSFER_COLUMNS} />
    </AdminBase>
  );
}

/** One row per transfer: the wallet side, with the system account on the other side. */
const TRANSFER_COLUMNS: Column<TransferRow>[] = [
  { header: 'When', cell: (row) => <When ms={row.createdAt} zone={zoneFor(row.currency)} /> },
  {
    header: 'Transfer',
    cell: (row) => (
      <a href={transferHref(row.transferId)}>
        <code>{row.transferId}</code>
      </a>
    ),
  },
  {
    header: 'Customer',
    cell: (row) => (
      <a href={customerHref(row.userId)}>
        <code>{row.userId}</code>
      </a>
    ),
  },
  { header: 'Kind', cell: (row) => row.kind },
  { header: 'Wallet', cell: (row) => (row.direction === 'credit' ? 'in' : 'out') },
  { header: 'Other account', cell: (row) => row.counterparty ?? '—' },
  { header: 'Amount', num: true, cell: (row) => <Money amount={row.amount} currency={row.currency} /> },
  { header: 'Status when written', cell: (row) => <Status value={row.status} /> },
  { header: 'Balance after', num: true, cell: (row) => (row.balanceAfter === null ? '—' : <Money amount={row.balanceAfter} currency={row.currency} />) },
  { header: 'Reference', cell: (row) => row.reference ?? '—' },
];

/** Where the business object behind a transfer lives in the console. */
function BusinessLink({ business }: { business: BusinessObject | null }) {
  if (!business) return <span class="muted">None found</span>;
  if (business.type === 'purchase') return <a href={`/admin/purchases/${encodeURIComponent(business.id)}`}>Purchase {business.id}</a>;
  if (business.type === 'deposit') return <a href={`/admin/deposits/${encodeURIComponent(business.id)}`}>Deposit {business.id}</a>;
  return <a href="/admin/adjustments">Adjustment {business.id} (adjustments)</a>;
}

/** `/admin/ledger/:transferId`: both sides, what it settles or what settled it, and what it was for. */
export function TransferPage({ staff, transferId, detail }: { staff: StaffMember; transferId: string; detail: TransferDetail }) {
  const wallet = detail.entries.find((e) => e.account === 'wallet') ?? detail.entries[0]!;
  return (
    <AdminBase title={`Transfer ${transferId}`} staff={staff} current={PATH}>
      <Facts
        rows={[
          ['Transfer id', <code>{transferId}</code>],
          ['Kind', wallet.kind],
          ['Amount', <Money amount={wallet.amount} currency={wallet.currency} />],
          ['Status when written', <Status value={wallet.status} />],
          ['Customer', <a href={customerHref(wallet.userId)}>{wallet.userId}</a>],
          ['Wallet', wallet.currency],
          ['Reference', wallet.reference],
          ['For', <BusinessLink business={detail.business} />],
          ['Recorded', <When ms={wallet.createdAt} zone={zoneFor(wallet.currency)} />],
        ]}
      />
      <section aria-labelledby="sides-heading">
        <h2 id="sides-heading">Both sides</h2>
        <DataTable columns={entryColumns(false)} rows={detail.entries} />
      </section>
      <section aria-labelledby="related-heading">
        <h2 id="related-heading">Related transfers</h2>
        <p class="muted">The hold this transfer settles or the posting it reverses, and anything that settled or reversed this one.</p>
        <DataTable columns={entryColumns(true)} rows={detail.related} empty="None." />
      </section>
    </AdminBase>
  );
}

/** Both sides of a transfer, or its related transfers (`link`: each transfer id opens its own page). */
function entryColumns(link: boolean): Column<LedgerEntry>[] {
  return [
    { header: 'Seq', class: 'num', cell: (e) => String(e.seq) },
    { header: 'Transfer', cell: (e) => (link ? <a href={transferHref(e.transferId)}>{e.transferId}</a> : <code>{e.transferId}</code>) },
    { header: 'Kind', cell: (e) => e.kind },
    { header: 'Account', cell: (e) => (e.account === 'wallet' ? `wallet ${e.currency} of ${e.userId}` : e.account) },
    { header: 'Direction', cell: (e) => e.direction },
    ...ENTRY_MONEY_COLUMNS,
    { header: 'Related to', cell: (e) => (e.relatedId ? <a href={transferHref(e.relatedId)}>{e.relatedId}</a> : '—') },
    { header: 'Entry hash', cell: (e) => <code class="hash">{e.hash.slice(0, 12)}</code> },
  ];
}
