import type { Child } from 'hono/jsx';
import type { BillVerification, Quote } from '../../services/bills';
import { CATEGORY_WORDS, formatNaira, recipientLabel } from './purchase-format';
import { PrimaryButton, stepForm } from './purchase-fields';

export type ConfirmProps = {
  quote: Quote;
  verification: BillVerification | null;
  /** What the customer's NGN wallet can spend now, kobo. */
  available: number;
  /** Made when this confirmation is rendered: submitting it twice is one purchase. */
  idempotencyKey: string;
  tab: string;
  problem?: Child;
};

/**
 * The last step: exactly what will leave the wallet (the server's price) and who gets it. The
 * form carries that price back; if it changed meanwhile, the purchase is refused, not re-priced.
 */
export function Confirmation({ quote, verification, available, idempotencyKey, tab, problem }: ConfirmProps) {
  const { priced, service, variation } = quote;
  const renewal = priced.category === 'tv' && priced.variationCode === null;
  const plan = renewal ? `Renew ${verification?.currentBouquet ?? 'the current bouquet'}` : variation?.name;
  const short = available < priced.amount;
  return (
    <div id="confirm">
      {/* Focus moves here when the panel is swapped in, so keyboard and screen-reader users land on what to check. */}
      <h2 tabindex={-1} autofocus>
        Check and pay
      </h2>
      {problem && (
        <div class="alert" role="alert">
          {problem}
        </div>
      )}
      <dl class="summary">
        <dt>What</dt>
        <dd>
          {CATEGORY_WORDS[priced.category]} · {service.name}
        </dd>
        {plan && (
          <>
            <dt>{priced.category === 'electricity' ? 'Meter type' : priced.category === 'tv' ? 'Bouquet' : 'Plan'}</dt>
            <dd>{plan}</dd>
          </>
        )}
        <dt>{recipientLabel(priced.category)}</dt>
        <dd class="code">{priced.recipient}</dd>
        {verification && (
          <>
            <dt>Name</dt>
            <dd>
              <strong>{verification.customerName}</strong>
              {verification.address && <span class="muted"> · {verification.address}</span>}
            </dd>
          </>
        )}
        {priced.phone !== priced.recipient && (
          <>
            <dt>Notify</dt>
            <dd class="code">{priced.phone}</dd>
          </>
        )}
      </dl>
      <p class="total">
        You pay <strong class="amount">{formatNaira(priced.amount)}</strong>
      </p>
      <p class="muted">From your NGN wallet, which has {formatNaira(available)} available. No fees on top.</p>
      {short && !problem && (
        <p class="alert">
          That is {formatNaira(priced.amount - available)} more than you have. <a href="/deposit">Top up your NGN wallet</a> first.
        </p>
      )}
      <form id="pay-form" {...stepForm('/buy/pay')}>
        <input type="hidden" name="tab" value={tab} />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <input type="hidden" name="serviceId" value={priced.serviceId} />
        <input type="hidden" name="recipient" value={priced.recipient} />
        <input type="hidden" name="price" value={String(priced.amount)} />
        {priced.variationCode && <input type="hidden" name="variationCode" value={priced.variationCode} />}
        {renewal && <input type="hidden" name="subscription" value="renew" />}
        {priced.phone !== priced.recipient && <input type="hidden" name="phone" value={priced.phone} />}
        <PrimaryButton label={`Pay ${formatNaira(priced.amount)}`} busy="Paying…" />
        <p>
          <a href={`/buy?tab=${tab}`}>Change the details</a>
        </p>
      </form>
    </div>
  );
}
