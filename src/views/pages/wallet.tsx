import { CURRENCIES, type Currency, type EntryState, type SystemAccount, type TransferKind, type WalletEntry } from '../../durable/ledger-types';
import type { SessionUser } from '../../services/sessions';
import type { WalletBalance } from '../../services/wallets';
import { formatMoney } from '../components/money';
import { WalletSummary } from '../components/wallet-summary';
import { Base } from '../layouts/base';

const KIND_LABELS: Record<TransferKind, string> = {
  credit: 'Money in',
  debit: 'Payment',
  hold: 'Reserved',
  post: 'Payment',
  void: 'Reservation released',
  reversal: 'Reversal',
};

const ACCOUNT_LABELS: Record<SystemAccount, string> = {
  'mpesa:clearing': 'M-Pesa',
  'monnify:clearing': 'Bank transfer',
  'vtpass:float': 'Airtime and bills',
  'crypto:desk': 'Crypto',
  'referral:expense': 'Referral bonus',
  'fees:revenue': 'Fees',
  adjustments: 'Correction by Malipo',
};

const STATUS_LABELS: Record<EntryState, string> = { pending: 'Pending', posted: 'Completed', voided: 'Released', reversed: 'Reversed' };
/** A reservation is not itself a payment: once charged it is "settled", never "completed". */
const HOLD_STATUS_LABELS: Record<EntryState, string> = { ...STATUS_LABELS, posted: 'Settled' };

/** Times are shown in the wallet's own country. */
const TIME_ZONES: Record<Currency, string> = { KES: 'Africa/Nairobi', NGN: 'Africa/Lagos' };

type History = { currency: Currency; entries: WalletEntry[]; nextCursor: string | null; fromCursor: boolean };

export function WalletPage(props: { user: SessionUser; wallets: WalletBalance[]; history: History }) {
  const { currency, entries, fromCursor } = props.history;
  return (
    <Base title="Wallet" user={props.user}>
      <h1>Wallet</h1>
      <h2>Balances</h2>
      <WalletSummary wallets={props.wallets} />
      <p>
        <a class="button" href="/deposit">
          Add money
        </a>
      </p>
      <section class="section" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <nav aria-label="Wallet currency">
          {CURRENCIES.map((code) => (
            <>
              <a href={`/wallet?currency=${code}`} aria-current={code === currency ? 'page' : undefined}>
                {code === currency ? <strong>{code}</strong> : code}
              </a>{' '}
            </>
          ))}
        </nav>
        {fromCursor && (
          <p>
            <a href={`/wallet?currency=${currency}`}>Back to the latest</a>
          </p>
        )}
        {entries.length === 0 ? (
          <p class="muted">No {currency} transactions yet.</p>
        ) : (
          <div class="scroll-x" tabindex={0} role="region" aria-label={`${currency} wallet history`}>
          <table class="table">
            <caption class="muted">{currency} wallet history, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Description</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col" class="num">
                  Balance
                </th>
              </tr>
            </thead>
            <tbody>
              <EntryRows {...props.history} />
            </tbody>
          </table>
          </div>
        )}
      </section>
    </Base>
  );
}

/** Table rows plus a "Load more" row that htmx replaces with the next page (a plain link without JS). */
export function EntryRows({ currency, entries, nextCursor }: History) {
  return (
    <>
      {entries.map((entry) => (
        <tr id={`entry-${entry.id}`}>
          <td>
            <time datetime={new Date(entry.createdAt).toISOString()}>{formatTime(entry.createdAt, currency)}</time>
          </td>
          <td>
            {KIND_LABELS[entry.kind]} · {ACCOUNT_LABELS[entry.account]}
          </td>
          <td>
            <span class={`status ${entry.status}`}>{(entry.kind === 'hold' ? HOLD_STATUS_LABELS : STATUS_LABELS)[entry.status]}</span>
          </td>
          <td class="num">{formatAmount(entry, currency)}</td>
          <td class="num">{formatMoney(entry.balanceAfter, currency)}</td>
        </tr>
      ))}
      {nextCursor && (
        <tr class="load-more">
          <td colspan={5}>
            <a
              class="button secondary small"
              href={`/wallet?currency=${currency}&cursor=${nextCursor}`}
              hx-get={`/wallet/entries?currency=${currency}&cursor=${nextCursor}`}
              hx-target="closest tr"
              hx-swap="outerHTML"
            >
              <span class="idle">Load more</span>
              <span class="busy" aria-hidden="true">
                Loading…
              </span>
            </a>
          </td>
        </tr>
      )}
    </>
  );
}

/** Reservations and releases do not move the balance, so they read as words rather than as signed amounts. */
function formatAmount(entry: WalletEntry, currency: Currency): string {
  const money = formatMoney(entry.amount, currency);
  if (entry.kind === 'hold') return `${money} reserved`;
  if (entry.kind === 'void') return `${money} released`;
  return entry.direction === 'credit' ? `+${money}` : `−${money}`;
}

function formatTime(ms: number, currency: Currency): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONES[currency] }).format(new Date(ms));
}
