import type { CustomerDetail, CustomerRow } from '../../services/console/customers';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { CustomerActions } from './actions';
import { AdminBase } from './layout';
import { Facts, Pager, Status } from './parts';
import { AuditTrail, ChoiceField, FilterProblem, InputField, StatusWithAge, When, zoneFor } from './record-parts';

const PATH = '/admin/customers';
/** Customers have no currency of their own; the console shows their dates on Nairobi time. */
const ZONE = 'Africa/Nairobi';

export type CustomerFilterValues = { q?: string; status?: string; limit?: string };

/** `/admin/customers`: search and status filter (a GET form that works without JS), then the list. */
export function CustomersPage(props: {
  staff: StaffMember;
  values: CustomerFilterValues;
  problem?: string;
  result?: { rows: CustomerRow[]; nextCursor: string | null };
}) {
  const { values, result } = props;
  return (
    <AdminBase title="Customers" staff={props.staff} current={PATH}>
      <form class="filters" method="get" action={PATH} role="search">
        <InputField name="q" label="Search" type="search" value={values.q} hint="Email, name, phone or customer id" />
        <ChoiceField name="status" label="Status" options={['active', 'suspended']} value={values.status} />
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <FilterProblem message={props.problem} />
      {result ? (
        <>
          {result.rows.length === 0 ? (
            <p>No customers match these filters.</p>
          ) : (
            <div class="scroll-x">
              <table class="table console-list">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Phone</th>
                    <th scope="col">Status</th>
                    <th scope="col">Joined (Nairobi)</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((row) => (
                    <tr>
                      <td>
                        <a href={`${PATH}/${encodeURIComponent(row.id)}`}>{row.name}</a>
                      </td>
                      <td>{row.email}</td>
                      <td>{row.phone ?? '—'}</td>
                      <td>
                        <Status value={row.status} />
                      </td>
                      <td>
                        <When ms={row.createdAt} zone={ZONE} />
                      </td>
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

/** `/admin/customers/:id`: who they are, what they hold, what they did lately, and what staff did. */
export function CustomerPage({ staff, detail, now }: { staff: StaffMember; detail: CustomerDetail; now: number }) {
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
      <CustomerActions customer={customer} staff={staff} />
      <section aria-labelledby="wallets-heading">
        <h2 id="wallets-heading">Wallets</h2>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col" class="num">Balance</th>
              <th scope="col" class="num">Held</th>
              <th scope="col" class="num">Available</th>
            </tr>
          </thead>
          <tbody>
            {detail.wallets.map((w) => (
              <tr>
                <td>{w.currency}</td>
                <td class="num">
                  <Money amount={w.balance} currency={w.currency} />
                </td>
                <td class="num">
                  <Money amount={w.held} currency={w.currency} />
                </td>
                <td class="num">
                  <Money amount={w.available} currency={w.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
      <section aria-labelledby="deposits-heading">
        <h2 id="deposits-heading">Recent deposits</h2>
        {detail.recentDeposits.length === 0 ? (
          <p>No deposits.</p>
        ) : (
          <div class="scroll-x">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Deposit</th>
                  <th scope="col">Method</th>
                  <th scope="col" class="num">Amount</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {detail.recentDeposits.map((d) => (
                  <tr>
                    <td>
                      <a href={`/admin/deposits/${encodeURIComponent(d.id)}`}>{d.id}</a>
                    </td>
                    <td>{d.method}</td>
                    <td class="num">
                      <Money amount={d.amount} currency={d.currency} />
                    </td>
                    <td>
                      <StatusWithAge status={d.status} since={d.createdAt} now={now} />
                    </td>
                    <td>
                      <When ms={d.createdAt} zone={zoneFor(d.currency)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a href={`/admin/deposits?q=${encodeURIComponent(customer.email)}`}>All deposits by this customer</a>
        </p>
      </section>
      <section aria-labelledby="purchases-heading">
        <h2 id="purchases-heading">Recent purchases</h2>
        {detail.recentPurchases.length === 0 ? (
          <p>No purchases.</p>
        ) : (
          <div class="scroll-x">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Purchase</th>
                  <th scope="col">Service</th>
                  <th scope="col">Recipient</th>
                  <th scope="col" class="num">Amount</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {detail.recentPurchases.map((p) => (
                  <tr>
                    <td>
                      <a href={`/admin/purchases/${encodeURIComponent(p.id)}`}>{p.id}</a>
                    </td>
                    <td>{p.serviceId}</td>
                    <td>{p.recipient}</td>
                    <td class="num">
                      <Money amount={p.amount} currency="NGN" />
                    </td>
                    <td>
                      <StatusWithAge status={p.status} since={p.createdAt} now={now} />
                    </td>
                    <td>
                      <When ms={p.createdAt} zone="Africa/Lagos" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a href={`/admin/purchases?q=${encodeURIComponent(customer.email)}`}>All purchases by this customer</a>
        </p>
      </section>
      <AuditTrail rows={detail.audit} />
    </AdminBase>
  );
}
