import type { Purchase } from '../../services/purchases';
import type { SessionUser } from '../../services/sessions';
import { CATEGORY_WORDS, STATUS_WORDS } from '../components/purchase-format';
import { PurchaseDetails, PurchaseStatus, TokenBlock, type PurchaseLabels } from '../components/purchase-status';
import { Base } from '../layouts/base';

const TAB_OF: Record<Purchase['category'], string> = { airtime: 'airtime', data: 'data', electricity: 'electricity', tv: 'tv' };

/** `/purchases/{id}`: where the customer lands after paying; it follows the purchase until it is final. */
export function PurchasePage({ user, purchase, labels }: { user: SessionUser; purchase: Purchase; labels: PurchaseLabels }) {
  return (
    <Base title={`${CATEGORY_WORDS[purchase.category]} purchase`} user={user}>
      <h1>
        {CATEGORY_WORDS[purchase.category]}: {labels.serviceName}
      </h1>
      <section class="card" aria-live="polite" aria-label="Status">
        <PurchaseStatus purchase={purchase} labels={labels} />
      </section>
      <section class="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <PurchaseDetails purchase={purchase} labels={labels} />
      </section>
      <p class="actions">
        <a class="button secondary" href={`/purchases/${purchase.id}/receipt`}>
          Receipt
        </a>
        <a href={`/buy?tab=${TAB_OF[purchase.category]}`}>Buy again</a>
        <a href="/history">All purchases</a>
      </p>
    </Base>
  );
}

/** `/purchases/{id}/receipt`: one printable page (print rules in app.css hide everything else). */
export function ReceiptPage({ user, purchase, labels }: { user: SessionUser; purchase: Purchase; labels: PurchaseLabels }) {
  return (
    <Base title="Receipt" user={user}>
      <article class="receipt card" aria-labelledby="receipt-heading">
        <header class="receipt-head">
          <p class="brand">Malipo</p>
          <h1 id="receipt-heading">Receipt</h1>
          <p>
            <span class={`status ${purchase.status}`}>{STATUS_WORDS[purchase.status]}</span>
          </p>
        </header>
        {purchase.status === 'delivered' && purchase.token && <TokenBlock token={purchase.token} units={purchase.units} />}
        <PurchaseDetails purchase={purchase} labels={labels} />
        {purchase.status === 'pending' && <p class="muted">Not final yet: the provider has not confirmed this purchase. The money is held, not spent.</p>}
        <p class="muted small">Malipo · keep this receipt; quote the reference if you contact us.</p>
      </article>
      <p class="actions no-print">
        <button type="button" class="button js-only" data-print>
          Print
        </button>
        <a href={`/purchases/${purchase.id}`}>Back to the purchase</a>
      </p>
    </Base>
  );
}
