import type { AccountSum, Difference, Period, WalletsCheck } from '../../services/reconciliation';
import type { FloatCheck } from '../../services/reconciliation-providers';
import type { StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { AdminBase } from './layout';
import { DataTable, Notice } from './parts';

const PATH = '/admin/reconciliation';

function link(path: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  return query.size ? `${path}?${query}` : path;
}

/** A list of differences, or the words staff look for when all is well. */
function Differences({ rows, limited }: { rows: Difference[]; limited?: boolean }) {
  if (rows.length === 0) return <p class="recon-clean">No differences</p>;
  return (
    <>
      <DataTable
        class="recon-differences"
        rows={rows}
        columns={[
          {
            header: 'Difference',
            class: 'diff',
            cell: (d) => (
              <>
                {d.kind}
                {d.recent ? <small class="muted"> (just settled: may be projection lag)</small> : null}
              </>
            ),
          },
          { header: 'Record', cell: (d) => <a href={d.href}>{d.subject}</a> },
          { header: 'Expected', cell: (d) => d.expected ?? '—' },
          { header: 'Found', cell: (d) => d.actual ?? '—' },
          { header: 'Detail', cell: (d) => d.detail },
        ]}
      />
      {limited ? <p class="muted">The list stops at its first rows; narrow the period to see the rest.</p> : null}
    </>
  );
}

/** Section (a); "Next wallets" is boosted, so htmx swaps the page in place and the URL (and CSV link) follow. */
function WalletsSection({ check, period }: { check: WalletsCheck; period: Period }) {
  const next = check.nextAfter ? { from: period.from, to: period.to, after: check.nextAfter } : null;
  return (
    <section id="wallets" class="section" aria-labelledby="wallets-heading">
      <h2 id="wallets-heading">Wallets: D1 copy against each journal</h2>
      <p class="muted">
        {check.checked === 0
          ? 'No wallet has entries from here on.'
          : `Checked ${check.checked} wallet(s), ${check.first} to ${check.last}, each against its Durable Object journal.`}
        {check.lagging ? ` ${check.lagging} wallet(s) have entries not yet copied to D1: that is lag, not a difference.` : ''}
      </p>
      <Differences rows={check.differences} />
      <p class="pager">
        {next ? (
          <a href={link(PATH, next)} hx-boost="true">
            Next wallets →
          </a>
        ) : (
          <span>Last wallet checked</span>
        )}
        {check.first ? <a href={link(PATH, { from: period.from, to: period.to })}>Back to the first wallets</a> : null}
      </p>
    </section>
  );
}

function AccountsSection({ accounts, balanced }: { accounts: AccountSum[]; balanced: Record<string, boolean> }) {
  return (
    <section class="section" aria-labelledby="accounts-heading">
      <h2 id="accounts-heading">System accounts (all time, from the D1 copy)</h2>
      <p class="muted">
        Each transfer moves money between a wallet and a system account, so a wallet credit is a debit here and a wallet debit a credit. Net = posted credits − posted
        debits. Negative: the account has paid more into wallets than it took (mpesa:clearing and monnify:clearing hold the money customers paid in; adjustments that
        credited wallets). Positive: wallets paid it (vtpass:float is what customers spent at VTpass, fees:revenue what we earned). The wallet row is every wallet
        together (its net is the sum of balances). Pending holds are reserved on wallets and neither posted nor voided yet.
      </p>
      <DataTable
        class="recon-accounts"
        rows={accounts}
        empty="No ledger entries yet."
        columns={[
          { header: 'Account', cell: (a) => (a.account === 'wallet' ? 'all wallets' : a.account) },
          { header: 'Currency', cell: (a) => a.currency },
          { header: 'Posted credits', num: true, cell: (a) => <Money amount={a.credits} currency={a.currency} /> },
          { header: 'Posted debits', num: true, cell: (a) => <Money amount={a.debits} currency={a.currency} /> },
          { header: 'Net', num: true, cell: (a) => <Money amount={a.net} currency={a.currency} /> },
          { header: 'Pending holds', num: true, cell: (a) => <Money amount={a.pendingHolds} currency={a.currency} /> },
        ]}
      />
      <ul>
        {Object.entries(balanced).map(([currency, ok]) => (
          <li class={ok ? undefined : 'diff'}>{ok ? `${currency}: the nets of all accounts sum to zero.` : `${currency}: the nets do not sum to zero; some transfer is copied only in part.`}</li>
        ))}
      </ul>
    </section>
  );
}

function FloatFacts({ float }: { float: FloatCheck }) {
  return (
    <dl class="facts">
      <dt>VTpass float balance (now, from VTpass)</dt>
      <dd>{float.provider.ok ? <Money amount={float.provider.balanceKobo} currency="NGN" /> : <span title={float.provider.reason}>unavailable</span>}</dd>
      <dt>Our vtpass:float net in the period</dt>
      <dd>
        <Money amount={float.periodNet} currency="NGN" /> <small class="muted">what customers' purchases charged to VTpass, less refunds</small>
      </dd>
    </dl>
  );
}

/** `/admin/reconciliation`: wallets, system accounts and providers, each difference listed with a link. */
export function ReconciliationPage(props: {
  staff: StaffMember;
  period: Period;
  /** Where this page's wallet check started, so the CSV covers the same wallets. */
  after?: string;
  problem?: string;
  wallets: WalletsCheck;
  accounts: { accounts: AccountSum[]; balanced: Record<string, boolean> };
  float: FloatCheck;
  deposits: Difference[];
  purchases: Difference[];
  limit: number;
}) {
  const { period } = props;
  const total = props.wallets.differences.length + props.deposits.length + props.purchases.length + Object.values(props.accounts.balanced).filter((ok) => !ok).length;
  return (
    <AdminBase title="Reconciliation" staff={props.staff} current={PATH}>
      <Notice message={props.problem} tone="error" />
      <form class="filters" method="get" action={PATH}>
        <div class="field">
          <label for="recon-from">From (UTC day)</label>
          <input id="recon-from" name="from" type="date" value={period.from} />
        </div>
        <div class="field">
          <label for="recon-to">To (UTC day)</label>
          <input id="recon-to" name="to" type="date" value={period.to} />
        </div>
        <button type="submit" class="button small">
          Check
        </button>
      </form>
      <p class={total ? 'alert' : 'notice'} role="status">
        {total ? `${total} difference(s) on this page.` : 'No differences on this page.'}{' '}
        <a href={link(`${PATH}.csv`, { from: period.from, to: period.to, after: props.after })} download>
          Download CSV
        </a>
      </p>
      <WalletsSection check={props.wallets} period={period} />
      <AccountsSection {...props.accounts} />
      <section class="section" aria-labelledby="providers-heading">
        <h2 id="providers-heading">Providers and our records, {period.from} to {period.to}</h2>
        <FloatFacts float={props.float} />
        <h3>Deposits against clearing credits</h3>
        <Differences rows={props.deposits} limited={props.deposits.length >= props.limit} />
        <h3>Purchases against posted holds</h3>
        <Differences rows={props.purchases} limited={props.purchases.length >= props.limit} />
      </section>
    </AdminBase>
  );
}
