import type { Currency } from '../../durable/ledger-types';
import type { WalletBalance } from '../../services/wallets';
import { formatMoney } from './money';

const WALLET_NAMES: Record<Currency, string> = { KES: 'Kenyan shilling wallet', NGN: 'Nigerian naira wallet' };

/**
 * Both wallets side by side: what can be spent now in large type, and the money held for
 * payments still in progress spelled out beneath it, so a hold never looks like a lost balance.
 */
export function WalletSummary({ wallets }: { wallets: WalletBalance[] }) {
  return (
    <div class="wallets">
      {wallets.map((wallet) => (
        <section class="card" aria-labelledby={`wallet-${wallet.currency}`} data-currency={wallet.currency}>
          <h3 id={`wallet-${wallet.currency}`}>{WALLET_NAMES[wallet.currency]}</h3>
          <p class="muted">Available to spend</p>
          <p class="amount" data-field="available">
            {formatMoney(wallet.available, wallet.currency)}
          </p>
          <p data-field="held">
            Held for payments in progress: <strong>{formatMoney(wallet.held, wallet.currency)}</strong>
          </p>
          <p class="muted" data-field="balance">
            Balance including held money: {formatMoney(wallet.balance, wallet.currency)}
          </p>
        </section>
      ))}
    </div>
  );
}
