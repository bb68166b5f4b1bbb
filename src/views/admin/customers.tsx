import type { Currency } from '../../durable/ledger-types';
import type { CustomerDetail, CustomerRow } from '../../services/console/customers';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { CustomerActions } from './actions';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { type Column, DataTable, Facts, PagedTable, Status } from './parts';
import { AuditTrail, StatusWithAge, When, zoneFor } from './record-parts';

const PATH = '/admin/customers';
/** Customers have no currency of their own; the console shows their dates on Nairobi time. */
const ZONE = 'Africa/Nairobi';

type Wallet = CustomerDetail['wallets'][number];
const WALLET_COLUMNS: Column<Wallet>[] = [
  { header: 'Currency', cell: (w) => w.currency },
  { header: 'Balance', cell: (w) => <Money amount={w.balance} currency={w.currency} />, num: true },
  { header: 'Held', cell: (w) => <Money amount={w.held} currency={w.currency} />, num: true },
  { header: 'Available', cell: (w) => <Money amount={w.available} currency={w.currency} />, num: true },
];

export type CustomerFilterValues = { q?: string; status?: string; limit?: string };

/** `/admin/customers`: search and status filter (a GET form that works without JS), then the list. */
export function CustomersPage(props: {
  staff: StaffMember;
  values: CustomerFilterValues;
  problem?: string;
  result?: { rows: CustomerRow[]; nextCursor: string | null };
}) {
  const { values } = props;
  return (
    <AdminBase title="Customers" staff={props.staff} current={PATH}>
      <FilterForm action={PATH} problem={props.problem}>
        <InputField name="q" label="Search" type="search" value={values.q} hint="Email, name, phone or customer id" />
        <ChoiceField name="status" label="Status" options={['active', 'suspended']} value={values.status} />
      </FilterForm>
      <PagedTable
        path={PATH}
        query={values}
        result={props.result}
        empty="No customers match these filters."
        columns={[
          { header: 'Name', cell: (row) => <a href={`${PATH}/${encodeURIComponent(row.id)}`}>{row.name}</a> },
          { header: 'Email', cell: (row) => row.email },
          { header: 'Phone', cell: (row) => row.phone ?? '—' },
          { header: 'Status', cell: (row) => <Status value={row.status} /> },
          { header: 'Joined (Nairobi)', cell: (row) => <When ms={row.createdAt} zone={ZONE} /> },
        ]}
      />
    </AdminBase>
  );
}

/** A customer's latest deposits or purchases, and the way to all of them in that list. */
function RecentRecords<T>(props: { kind: 'deposits' | 'purchases'; customerEmail: string; rows: T[]; columns: Column<T>[] }) {
  const { kind } = props;
  return (
    <section aria-labelledby={`${kind}-heading`}>
      <h2 id={`${kind}-heading`}>Recent {kind}</h2>
      <DataTable rows={props.rows} empty={`No ${kind}.`} columns={props.columns} />
      <p>
        <a href={`/admin/${kind}?q=${encodeURIComponent(props.customerEmail)}`}>All {kind} by this customer</a>
      </p>
    </section>
  );
}

/** `/admin/customers/:id`: who they are, what they hold, what they did lately, and what staff did. */
export function CustomerPage({ staff, detail, now, thresholds }: { staff: StaffMember; detail: CustomerDetail; now: number; thresholds: Record<Currency, number> }) {
  const { customer } = detail;
  return (
    <AdminBase title={`Customer ${customer.name}`} staff={staff} current={PATH}>
      <Facts
        rows={[
          ['Id', <code>{customer.id}</code>],
          ['Name', customer.name],
          ['Email', customer.email],
          ['Phone', customer.phone],
          ['Status', <Status value={customer.status} />],
          ['Referral code', customer.referralCode],
          ['Referred by', detail.referrer ? <a href={`${PATH}/${encodeURIComponent(detail.referrer.id)}`}>{detail.referrer.email}</a> : null],
          ['Joined', <When ms={customer.createdAt} zone={ZONE} />],
          ['Last updated', <When ms={customer.updatedAt} zone={ZONE} />],
          ['Active sessions', String(detail.activeSessions)],
          ['Ledger', <a href={`/admin/ledger?userId=${encodeURIComponent(customer.id)}`}>All ledger entries for this customer</a>],
        ]}
      />
      <CustomerActions customer={customer} staff={staff} lastAction={detail.audit[0] ?? null} zone={ZONE} latestAdjustment={detail.latestAdjustment} thresholds={thresholds} />
      <section aria-labelledby="wallets-heading">
        <h2 id="wallets-heading">Wallets</h2>
        <DataTable columns={WALLET_COLUMNS} rows={detail.wallets} />
      </section>
      <section aria-labelledby="monnify-heading">
        <h2 id="monnify-heading">Monnify dedicated account</h2>
        {detail.monnifyAccount ? (
          <>
            <p>
              <Status value={detail.monnifyAccount.status} /> {detail.monnifyAccount.lastError ? <span class="muted">Last error: {detail.monnifyAccount.lastError}</span> : null}
            </p>
            <ul>
              {detail.monnifyAccount.accounts.map((a) => (
                <li>{`${a.bankName ?? 'Bank'} ${a.accountNumber ?? ''} (${a.accountName ?? ''})`}</li>
              ))}
            </ul>
          </>
        ) : (
          <p>None requested yet.</p>
        )}
      </section>
      <RecentRecords
        kind="deposits"
        customerEmail={customer.email}
        rows={detail.recentDeposits}
        columns={[
          { header: 'Deposit', cell: (d) => <a href={`/admin/deposits/${encodeURIComponent(d.id)}`}>{d.id}</a> },
          { header: 'Method', cell: (d) => d.method },
          { header: 'Amount', num: true, cell: (d) => <Money amount={d.amount} currency={d.currency} /> },
          { header: 'Status', cell: (d) => <StatusWithAge status={d.status} since={d.createdAt} now={now} /> },
          { header: 'Created', cell: (d) => <When ms={d.createdAt} zone={zoneFor(d.currency)} /> },
        ]}
      />
      <RecentRecords
        kind="purchases"
        customerEmail={customer.email}
        rows={detail.recentPurchases}
        columns={[
          { header: 'Purchase', cell: (p) => <a href={`/admin/purchases/${encodeURIComponent(p.id)}`}>{p.id}</a> },
          { header: 'Service', cell: (p) => p.serviceId },
          { header: 'Recipient', cell: (p) => p.recipient },
          { header: 'Amount', num: true, cell: (p) => <Money amount={p.amount} currency="NGN" /> },
          { header: 'Status', cell: (p) => <StatusWithAge status={p.status} since={p.createdAt} now={now} /> },
          { header: 'Created', cell: (p) => <When ms={p.createdAt} zone="Africa/Lagos" /> },
        ]}
      />
      <AuditTrail rows={detail.audit} />
    </AdminBase>
  );
}
