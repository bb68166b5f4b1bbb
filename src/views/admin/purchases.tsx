import type { PurchaseDetail, PurchaseRow } from '../../services/console/purchases';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { PurchaseActions } from './actions';
import { AdminBase } from './layout';
import { Facts, Pager } from './parts';
import { AuditTrail, ChoiceField, FilterProblem, InputField, LedgerEntries, StatusWithAge, When } from './record-parts';

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
  const { values, result, now } = props;
  return (
    <AdminBase title="Purchases" staff={props.staff} current={PATH}>
      <form class="filters" method="get" action={PATH} role="search">
        <InputField name="q" label="Search" type="search" value={values.q} hint="Purchase id, VTpass request id, recipient or customer email" />
        <ChoiceField name="category" label="Category" options={['airtime', 'data', 'electricity', 'tv']} value={values.category} />
        <ChoiceField name="status" label="Status" options={['pending', 'delivered', 'failed', 'reversed']} value={values.status} />
        <ChoiceField name="escalated" label="Escalated to staff" options={['yes', 'no']} value={values.escalated} />
        <InputField name="from" label="From (Lagos date)" type="date" value={values.from} />
        <InputField name="to" label="To (Lagos date)" type="date" value={values.to} />
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <FilterProblem message={props.problem} />
      {result ? (
        <>
          {result.rows.length === 0 ? (
            <p>No purchases match these filters.</p>
          ) : (
            <div class="scroll-x">
              <table class="table console-list">
                <thead>
                  <tr>
                    <th scope="col">Created (Lagos)</th>
                    <th scope="col">Customer</th>
                    <th scope="col">Purchase</th>
                    <th scope="col">Service</th>
                    <th scope="col">Recipient</th>
                    <th scope="col" class="num">Amount</th>
                    <th scope="col">Status</th>
                    <th scope="col">Escalated</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((row) => (
                    <tr>
                      <td>
                        <When ms={row.createdAt} zone={ZONE} />
                      </td>
                      <td>
                        <a href={`/admin/customers/${encodeURIComponent(row.userId)}`}>{row.customerEmail ?? row.userId}</a>
                      </td>
                      <td>
                        <a href={`${PATH}/${encodeURIComponent(row.id)}`}>{row.id}</a>
                      </td>
                      <td>{`${row.serviceId} (${row.category})`}</td>
                      <td>{row.recipient}</td>
                      <td class="num">
                        <Money amount={row.amount} currency="NGN" />
                      </td>
                      <td>
                        <StatusWithAge status={row.status} since={row.createdAt} now={now} />
                      </td>
                      <td>{row.escalatedAt ? <When ms={row.escalatedAt} zone={ZONE} /> : 'no'}</td>
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
      <PurchaseActions purchase={p} staff={staff} />
      <LedgerEntries entries={detail.entries} transferIds={detail.transferIds} />
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">VTpass events</h2>
        {detail.events.length === 0 ? (
          <p>No VTpass events name this request id.</p>
        ) : (
          <div class="scroll-x">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Event</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {detail.events.map((e) => (
                  <tr>
                    <td>
                      <When ms={e.receivedAt} zone={ZONE} />
                    </td>
                    <td>
                      <a href={`/admin/events/${encodeURIComponent(e.id)}`}>{e.id}</a>
                    </td>
                    <td>{e.outcome}</td>
                    <td class="wrap">{e.note ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <AuditTrail rows={detail.audit} />
    </AdminBase>
  );
}
