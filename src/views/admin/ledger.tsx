import { SYSTEM_ACCOUNTS, TRANSFER_KINDS, ENTRY_STATUSES, CURRENCIES } from '../../durable/ledger-types';
import type { BusinessObject, LedgerEntry, TransferDetail, TransferRow } from '../../services/console/ledger';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { AdminBase } from './layout';
import { Facts, Pager, Status } from './parts';
import { ChoiceField, FilterProblem, InputField, When, zoneFor } from './record-parts';

const PATH = '/admin/ledger';

export type LedgerFilterValues = { q?: string; userId?: string; currency?: string; account?: string; kind?: string; status?: string; from?: string; to?: string; limit?: string };

/** A transfer's own page; transfer ids may hold `:` (`pur_…:post`), so the segment is encoded. */
export function transferHref(transferId: string): string {
  return `${PATH}/${encodeURIComponent(transferId)}`;
}

const customerHref = (userId: string) => `/admin/customers/${encodeURIComponent(userId)}`;

/** `/admin/ledger`: one row per transfer (the wallet side, with the account on the other side). */
export function LedgerPage(props: { staff: StaffMember; values: LedgerFilterValues; problem?: string; result?: { rows: TransferRow[]; nextCursor: string | null } }) {
  const { values, result } = props;
  return (
    <AdminBase title="Ledger transfers" staff={props.staff} current={PATH}>
      <p class="muted">
        From the D1 copy of every wallet's journal, which may lag by a few seconds. Each transfer moves money between a wallet and one system account; dates are
        Nairobi days.
      </p>
      <form class="filters" method="get" action={PATH} role="search">
        <InputField name="q" label="Search" type="search" value={values.q} hint="Transfer id, reference or purchase id" />
        <InputField name="userId" label="Customer id" value={values.userId} />
        <ChoiceField name="currency" label="Currency" options={CURRENCIES} value={values.currency} />
        <ChoiceField name="account" label="Other account" options={SYSTEM_ACCOUNTS} value={values.account} />
        <ChoiceField name="kind" label="Kind" options={TRANSFER_KINDS} value={values.kind} />
        <ChoiceField name="status" label="Status" options={ENTRY_STATUSES} value={values.status} />
        <InputField name="from" label="From" type="date" value={values.from} />
        <InputField name="to" label="To" type="date" value={values.to} />
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <FilterProblem message={props.problem} />
      {result ? (
        <>
          {result.rows.length === 0 ? <p>No transfers match these filters.</p> : <TransferTable rows={result.rows} />}
          <Pager path={PATH} query={values} nextCursor={result.nextCursor} />
        </>
      ) : null}
    </AdminBase>
  );
}

function TransferTable({ rows }: { rows: TransferRow[] }) {
  return (
    <div class="scroll-x">
      <table class="table console-list">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Transfer</th>
            <th scope="col">Customer</th>
            <th scope="col">Kind</th>
            <th scope="col">Wallet</th>
            <th scope="col">Other account</th>
            <th scope="col" class="num">Amount</th>
            <th scope="col">Status when written</th>
            <th scope="col" class="num">Balance after</th>
            <th scope="col">Reference</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td>
                <When ms={row.createdAt} zone={zoneFor(row.currency)} />
              </td>
              <td>
                <a href={transferHref(row.transferId)}>
                  <code>{row.transferId}</code>
                </a>
              </td>
              <td>
                <a href={customerHref(row.userId)}>
                  <code>{row.userId}</code>
                </a>
              </td>
              <td>{row.kind}</td>
              <td>{row.direction === 'credit' ? 'in' : 'out'}</td>
              <td>{row.counterparty ?? '—'}</td>
              <td class="num">
                <Money amount={row.amount} currency={row.currency} />
              </td>
              <td>
                <Status value={row.status} />
              </td>
              <td class="num">{row.balanceAfter === null ? '—' : <Money amount={row.balanceAfter} currency={row.currency} />}</td>
              <td>{row.reference ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
        <EntryTable entries={detail.entries} link={false} />
      </section>
      <section aria-labelledby="related-heading">
        <h2 id="related-heading">Related transfers</h2>
        <p class="muted">The hold this transfer settles or the posting it reverses, and anything that settled or reversed this one.</p>
        {detail.related.length === 0 ? <p>None.</p> : <EntryTable entries={detail.related} link />}
      </section>
    </AdminBase>
  );
}

function EntryTable({ entries, link }: { entries: LedgerEntry[]; link: boolean }) {
  return (
    <div class="scroll-x">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">Transfer</th>
            <th scope="col">Kind</th>
            <th scope="col">Account</th>
            <th scope="col">Direction</th>
            <th scope="col" class="num">Amount</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Balance after</th>
            <th scope="col" class="num">Held after</th>
            <th scope="col">Related to</th>
            <th scope="col">Entry hash</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr>
              <td class="num">{String(e.seq)}</td>
              <td>{link ? <a href={transferHref(e.transferId)}>{e.transferId}</a> : <code>{e.transferId}</code>}</td>
              <td>{e.kind}</td>
              <td>{e.account === 'wallet' ? `wallet ${e.currency} of ${e.userId}` : e.account}</td>
              <td>{e.direction}</td>
              <td class="num">
                <Money amount={e.amount} currency={e.currency} />
              </td>
              <td>
                <Status value={e.status} />
              </td>
              <td class="num">{e.balanceAfter === null ? '—' : <Money amount={e.balanceAfter} currency={e.currency} />}</td>
              <td class="num">{e.heldAfter === null ? '—' : <Money amount={e.heldAfter} currency={e.currency} />}</td>
              <td>{e.relatedId ? <a href={transferHref(e.relatedId)}>{e.relatedId}</a> : '—'}</td>
              <td>
                <code class="hash">{e.hash.slice(0, 12)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
