import type { Purchase } from '../../services/purchases';
import { isRenewal } from '../../services/purchases';
import { formatLocalTime } from './money';
import { CATEGORY_WORDS, formatNaira, formatUnits, groupToken, recipientLabel, STATUS_WORDS } from './purchase-format';

export type PurchaseLabels = { serviceName: string; planName: string | null };

/** Every 3 s while a purchase is fresh, then gentler; an escalated one is in staff hands. */
function pollInterval(purchase: Purchase, now: number): string {
  if (purchase.escalatedAt) return '60s';
  return now - purchase.createdAt > 120_000 ? '15s' : '3s';
}

/**
 * The status in plain words; while pending it asks again by itself (htmx), and the answer for a
 * final purchase carries no polling attributes, so the asking stops. Put it inside an aria-live
 * region that stays in place, so screen readers hear the change.
 */
export function PurchaseStatus({ purchase, labels, now = Date.now() }: { purchase: Purchase; labels: PurchaseLabels; now?: number }) {
  const polling = purchase.status === 'pending' ? { 'hx-get': `/purchases/${purchase.id}/status`, 'hx-trigger': `every ${pollInterval(purchase, now)}`, 'hx-swap': 'outerHTML' } : {};
  const amount = formatNaira(purchase.amount);
  return (
    <div id="purchase-status" class={`purchase-status ${purchase.status}`} {...polling}>
      <p>
        <span class={`status ${purchase.status}`}>{STATUS_WORDS[purchase.status]}</span>
      </p>
      {purchase.status === 'pending' && (
        <>
          <h2>Waiting for {labels.serviceName} to confirm</h2>
          {purchase.escalatedAt ? (
            <p>
              This is taking longer than usual, so our team is checking it with the provider. {amount} stays held in your wallet until we know the result: you
              are never charged for something you did not get.
            </p>
          ) : (
            <p>{amount} is held in your wallet, not spent yet. Most purchases finish within a minute.</p>
          )}
          <p class="muted">
            <span class="busy htmx-request">Checking…</span> This page updates by itself.
          </p>
        </>
      )}
      {purchase.status === 'delivered' && <Delivered purchase={purchase} labels={labels} />}
      {purchase.status === 'failed' && (
        <>
          <h2>Not completed</h2>
          <p>
            {labels.serviceName} did not accept this purchase. You were not charged: the {amount} we held is back in your available balance.
          </p>
        </>
      )}
      {purchase.status === 'reversed' && (
        <>
          <h2>Reversed and refunded</h2>
          <p>
            {labels.serviceName} reversed this purchase, so {amount} is back in your wallet.
          </p>
        </>
      )}
    </div>
  );
}

function Delivered({ purchase, labels }: { purchase: Purchase; labels: PurchaseLabels }) {
  const amount = formatNaira(purchase.amount);
  switch (purchase.category) {
    case 'airtime':
      return <h2>{amount} airtime sent to {purchase.recipient}</h2>;
    case 'data':
      return <h2>{labels.planName ?? 'Data'} sent to {purchase.recipient}</h2>;
    case 'tv':
      return (
        <h2>
          {isRenewal(purchase) ? `${labels.serviceName} renewed` : `${labels.planName ?? 'New bouquet'} activated`} for smartcard {purchase.recipient}
        </h2>
      );
    case 'electricity':
      if (purchase.token) {
        return (
          <>
            <h2>Your electricity token</h2>
            <TokenBlock token={purchase.token} units={purchase.units} />
            <p class="muted">Type the token into meter {purchase.recipient}.</p>
          </>
        );
      }
      return purchase.variationCode === 'postpaid' ? (
        <h2>
          {amount} paid to {labels.serviceName} for meter {purchase.recipient}
        </h2>
      ) : (
        <>
          <h2>Paid: {amount} for meter {purchase.recipient}</h2>
          <p>{labels.serviceName} did not send the token with its confirmation; it sends it by SMS to {purchase.phone}.</p>
        </>
      );
  }
}

/** The token as it is typed into the meter, big enough to read from a phone held at arm's length. */
export function TokenBlock({ token, units }: { token: string; units: string | null }) {
  return (
    <div class="token-block">
      <p class="token-label">Token</p>
      <p class="token code">{groupToken(token)}</p>
      {units && (
        <p>
          Units: <strong>{formatUnits(units)}</strong>
        </p>
      )}
      <button type="button" class="link js-only no-print" data-copy={token}>
        Copy token
      </button>
    </div>
  );
}

/** The facts of a purchase, for its page and its receipt. */
export function PurchaseDetails({ purchase, labels }: { purchase: Purchase; labels: PurchaseLabels }) {
  return (
    <dl class="summary">
      <dt>What</dt>
      <dd>
        {CATEGORY_WORDS[purchase.category]} · {labels.serviceName}
      </dd>
      {labels.planName && (
        <>
          <dt>{purchase.category === 'electricity' ? 'Meter type' : purchase.category === 'tv' ? 'Bouquet' : 'Plan'}</dt>
          <dd>{purchase.category === 'tv' && isRenewal(purchase) ? 'Renewal' : labels.planName}</dd>
        </>
      )}
      <dt>{recipientLabel(purchase.category)}</dt>
      <dd class="code">{purchase.recipient}</dd>
      <dt>Amount</dt>
      <dd>
        <strong>{formatNaira(purchase.amount)}</strong>
        {purchase.status === 'failed' && <span class="muted"> (not charged)</span>}
        {purchase.status === 'reversed' && <span class="muted"> (refunded)</span>}
      </dd>
      <dt>Date</dt>
      <dd>{formatLocalTime(purchase.createdAt, 'NGN')}</dd>
      <dt>Reference</dt>
      <dd class="code">{purchase.id}</dd>
      {purchase.providerTransactionId && (
        <>
          <dt>VTpass transaction</dt>
          <dd class="code">{purchase.providerTransactionId}</dd>
        </>
      )}
    </dl>
  );
}
