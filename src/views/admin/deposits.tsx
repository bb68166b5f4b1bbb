import type { DepositDetail, DepositRow } from '../../services/console/deposits';
import { FAILURE_WORDS } from '../../services/deposits';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { DepositActions } from './actions';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { Facts, PagedTable, Status } from './parts';
import { AuditTrail, LedgerEntries, ProviderEvents, StatusWithAge, When, zoneFor } from './record-parts';

const PATH = '/admin/deposits';

export type DepositFilterValues = { q?: string; method?: string; status?: string; currency?: string; from?: string; to?: string; limit?: string };

/** `/admin/deposits`: filters as a GET form (works without JS), then newest first with pending ages. */
export function DepositsPage(props: {
  staff: StaffMember;
  values: DepositFilterValues;
  now: number;
  problem?: string;
  result?: { rows: DepositRow[]; nextCursor: string | null };
}) {
  const { values, now } = props;
  return (
    <AdminBase title="Deposits" staff={props.staff} current={PATH}>
      <FilterForm action={PATH} problem={props.problem}>
        <InputField name="q" label="Search" type="search" value={values.q} hint="Deposit id, phone, receipt, checkout request id or customer email" />
        <ChoiceField name="method" label="Method" options={['mpesa', 'monnify']} value={values.method} />
        <ChoiceField name="status" label="Status" options={['pending', 'succeeded', 'failed']} value={values.status} />
        <ChoiceField name="currency" label="Currency" options={['KES', 'NGN']} value={values.currency} />
        <InputField name="from" label="From (Nairobi date)" type="date" value={values.from} />
        <InputField name="to" label="To (Nairobi date)" type="date" value={values.to} />
      </FilterForm>
      <PagedTable
        path={PATH}
        query={values}
        result={props.result}
        empty="No deposits match these filters."
        columns={[
          { header: 'Created', cell: (row) => <When ms={row.createdAt} zone={zoneFor(row.currency)} /> },
          { header: 'Customer', cell: (row) => <a href={`/admin/customers/${encodeURIComponent(row.userId)}`}>{row.customerEmail ?? row.userId}</a> },
          { header: 'Deposit', cell: (row) => <a href={`${PATH}/${encodeURIComponent(row.id)}`}>{row.id}</a> },
          { header: 'Method', cell: (row) => row.method },
          { header: 'Amount', num: true, cell: (row) => <Money amount={row.amount} currency={row.currency} /> },
          { header: 'Status', cell: (row) => <StatusWithAge status={row.status} since={row.createdAt} now={now} /> },
          { header: 'Phone / receipt', cell: (row) => [row.phone, row.receipt].filter(Boolean).join(' · ') || '—' },
        ]}
      />
    </AdminBase>
  );
}

/** `/admin/deposits/:id`: every field but the callback token hash, and everything that touched it. */
export function DepositPage({ staff, detail, now }: { staff: StaffMember; detail: DepositDetail; now: number }) {
  const { deposit: d, customer, checkout } = detail;
  const zone = zoneFor(d.currency);
  return (
    <AdminBase title={`Deposit ${d.id}`} staff={staff} current={PATH}>
      <Facts
        rows={[
          ['Id', <code>{d.id}</code>],
          ['Customer', customer ? <a href={`/admin/customers/${encodeURIComponent(customer.id)}`}>{`${customer.name} <${customer.email}>`}</a> : <code>{d.userId}</code>],
          ['Method', d.method],
          ['Amount', <Money amount={d.amount} currency={d.currency} />],
          ['Status', <StatusWithAge status={d.status} since={d.createdAt} now={now} />],
          ['Phone', d.phone],
          ['Merchant request id', d.merchantRequestId],
          [d.method === 'mpesa' ? 'Checkout request id' : 'Monnify transaction reference', d.checkoutRequestId],
          ['Receipt', d.receipt],
          ['Failure reason', d.failureReason ? `${d.failureReason}: ${FAILURE_WORDS[d.failureReason] ?? FAILURE_WORDS.failed}` : null],
          ['Result code', d.resultCode],
          ['Result description', d.resultDesc],
          ['Idempotency key', d.idempotencyKey],
          ['Request hash', d.requestHash],
          ['Status checks made', String(d.checks)],
          ['Next check', <When ms={d.nextCheckAt} zone={zone} />],
          ['Expires', <When ms={d.expiresAt} zone={zone} />],
          ['Created', <When ms={d.createdAt} zone={zone} />],
          ['Updated', <When ms={d.updatedAt} zone={zone} />],
          ['Settled', <When ms={d.settledAt} zone={zone} />],
        ]}
      />
      <DepositActions deposit={d} staff={staff} lastAction={detail.audit[0] ?? null} zone={zone} />
      {checkout || detail.collections.length > 0 ? (
        <section aria-labelledby="monnify-heading">
          <h2 id="monnify-heading">Monnify</h2>
          {checkout ? (
            <Facts
              rows={[
                ['Checkout transaction reference', <code>{checkout.transactionReference}</code>],
                ['Checkout URL', <code>{checkout.checkoutUrl}</code>],
                ['Checkout started', <When ms={checkout.createdAt} zone={zone} />],
              ]}
            />
          ) : null}
          {detail.collections.map((t) => (
            <Facts
              rows={[
                ['Collection', <code>{t.transactionReference}</code>],
                ['Product', `${t.productType} ${t.productReference}`],
                ['Amount paid', <Money amount={t.amount} currency="NGN" />],
                ['Processing', <Status value={t.status} />],
                ['Event', t.eventId ? <a href={`/admin/events/${encodeURIComponent(t.eventId)}`}>{t.eventId}</a> : null],
                ['Note', t.note],
              ]}
            />
          ))}
        </section>
      ) : null}
      <ProviderEvents heading="Provider events" empty="No provider events name this deposit." events={detail.events} zone={zone} provider search={d.id} />
      <section aria-labelledby="anomalies-heading">
        <h2 id="anomalies-heading">Anomalies</h2>
        {detail.anomalies.length === 0 ? (
          <p>No anomalies for this deposit.</p>
        ) : (
          <ul>
            {detail.anomalies.map((a) => (
              <li>
                <a href={`/admin/anomalies/${encodeURIComponent(a.id)}`}>{a.kind}</a> <Status value={a.status} />{' '}
                <When ms={a.createdAt} zone={zone} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <LedgerEntries entries={detail.entries} transferIds={detail.transferIds} />
      <AuditTrail rows={detail.audit} />
    </AdminBase>
  );
}
