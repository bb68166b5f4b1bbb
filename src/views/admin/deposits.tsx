import type { DepositDetail, DepositRow } from '../../services/console/deposits';
import { FAILURE_WORDS } from '../../services/deposits';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { DepositActions } from './actions';
import { AdminBase } from './layout';
import { Facts, Pager, Status } from './parts';
import { AuditTrail, ChoiceField, FilterProblem, InputField, LedgerEntries, StatusWithAge, When, zoneFor } from './record-parts';

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
  const { values, result, now } = props;
  return (
    <AdminBase title="Deposits" staff={props.staff} current={PATH}>
      <form class="filters" method="get" action={PATH} role="search">
        <InputField name="q" label="Search" type="search" value={values.q} hint="Deposit id, phone, receipt, checkout request id or customer email" />
        <ChoiceField name="method" label="Method" options={['mpesa', 'monnify']} value={values.method} />
        <ChoiceField name="status" label="Status" options={['pending', 'succeeded', 'failed']} value={values.status} />
        <ChoiceField name="currency" label="Currency" options={['KES', 'NGN']} value={values.currency} />
        <InputField name="from" label="From (Nairobi date)" type="date" value={values.from} />
        <InputField name="to" label="To (Nairobi date)" type="date" value={values.to} />
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <FilterProblem message={props.problem} />
      {result ? (
        <>
          {result.rows.length === 0 ? (
            <p>No deposits match these filters.</p>
          ) : (
            <div class="scroll-x">
              <table class="table console-list">
                <thead>
                  <tr>
                    <th scope="col">Created</th>
                    <th scope="col">Customer</th>
                    <th scope="col">Deposit</th>
                    <th scope="col">Method</th>
                    <th scope="col" class="num">Amount</th>
                    <th scope="col">Status</th>
                    <th scope="col">Phone / receipt</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((row) => (
                    <tr>
                      <td>
                        <When ms={row.createdAt} zone={zoneFor(row.currency)} />
                      </td>
                      <td>
                        <a href={`/admin/customers/${encodeURIComponent(row.userId)}`}>{row.customerEmail ?? row.userId}</a>
                      </td>
                      <td>
                        <a href={`${PATH}/${encodeURIComponent(row.id)}`}>{row.id}</a>
                      </td>
                      <td>{row.method}</td>
                      <td class="num">
                        <Money amount={row.amount} currency={row.currency} />
                      </td>
                      <td>
                        <StatusWithAge status={row.status} since={row.createdAt} now={now} />
                      </td>
                      <td>{[row.phone, row.receipt].filter(Boolean).join(' · ') || '—'}</td>
                    </tr>
                  ))}
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
      <DepositActions deposit={d} staff={staff} />
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
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Provider events</h2>
        {detail.events.length === 0 ? (
          <p>No provider events name this deposit.</p>
        ) : (
          <div class="scroll-x">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Event</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {detail.events.map((e) => (
                  <tr>
                    <td>
                      <When ms={e.receivedAt} zone={zone} />
                    </td>
                    <td>
                      <a href={`/admin/events/${encodeURIComponent(e.id)}`}>{e.id}</a>
                    </td>
                    <td>{e.provider}</td>
                    <td>{e.outcome}</td>
                    <td class="wrap">{e.note ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
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
