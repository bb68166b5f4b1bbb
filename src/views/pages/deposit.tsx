import type { Deposit } from '../../services/deposits';
import { FAILURE_WORDS } from '../../services/deposits';
import type { PublicReservedAccount } from '../../services/monnify-accounts';
import type { SessionUser } from '../../services/sessions';
import { Field, FormAlert, SubmitButton } from '../components/field';
import { formatLocalTime, formatMoney } from '../components/money';
import { Base } from '../layouts/base';

type FormState = { values?: Record<string, string>; errors?: Record<string, string[]>; message?: string };

export function MpesaDepositForm({ values = {}, errors = {}, message }: FormState) {
  return (
    <form id="mpesa-form" method="post" action="/deposit/mpesa" hx-post="/deposit/mpesa" hx-target="this" hx-swap="outerHTML" hx-disabled-elt="find button" novalidate>
      <FormAlert message={message} />
      <input type="hidden" name="idempotencyKey" value={values.idempotencyKey ?? crypto.randomUUID()} />
      <Field name="amount" label="Amount (KES)" type="text" inputmode="numeric" value={values.amount} errors={errors.amount} hint="Whole shillings, KES 1 to 250,000" required />
      <Field name="phone" label="M-Pesa phone number" type="tel" inputmode="tel" value={values.phone} errors={errors.phone} autocomplete="tel" hint="You will get a prompt on this phone to enter your M-Pesa PIN" required />
      <SubmitButton label="Send M-Pesa prompt" busy="Sending the prompt…" />
    </form>
  );
}

/** The live status of one deposit; while pending it asks again every few seconds. */
export function DepositStatus({ deposit }: { deposit: Deposit }) {
  const amount = formatMoney(deposit.amount, deposit.currency);
  const polling = deposit.status === 'pending' ? { 'hx-get': `/deposit/${deposit.id}/status`, 'hx-trigger': 'every 3s', 'hx-swap': 'outerHTML' } : {};
  return (
    <div id={`deposit-${deposit.id}`} class={`card deposit ${deposit.status}`} role="status" aria-live="polite" {...polling}>
      {deposit.status === 'pending' && deposit.method === 'monnify' && (
        <>
          <h2>Waiting for Monnify</h2>
          <p>
            Your top-up of <strong>{amount}</strong> is added as soon as Monnify confirms the payment to us. Coming back from the checkout page does not
            by itself mean it was paid.
          </p>
          <p class="muted">
            <span class="busy htmx-request">Waiting for confirmation…</span> This page updates by itself.
          </p>
        </>
      )}
      {deposit.status === 'pending' && deposit.method === 'mpesa' && (
        <>
          <h2>Check your phone</h2>
          <p>
            We sent an M-Pesa prompt for <strong>{amount}</strong> to <strong>{deposit.phone}</strong>. Enter your M-Pesa PIN to finish.
          </p>
          <p class="muted">
            <span class="busy htmx-request">Waiting for M-Pesa…</span> This page updates by itself.
          </p>
        </>
      )}
      {deposit.status === 'succeeded' && (
        <>
          <h2>Payment received</h2>
          <p>
            <strong>{amount}</strong> is now in your {deposit.currency} wallet.
          </p>
          {deposit.receipt && (
            <p>
              {deposit.method === 'mpesa' ? 'M-Pesa receipt' : 'Monnify reference'}: <strong class="code">{deposit.receipt}</strong>
            </p>
          )}
          <p>
            <a href="/wallet">See your wallet</a>
          </p>
        </>
      )}
      {deposit.status === 'failed' && (
        <>
          <h2>Payment not completed</h2>
          <p>{FAILURE_WORDS[deposit.failureReason ?? 'failed'] ?? FAILURE_WORDS.failed}</p>
          <p>No money was taken from your wallet. You can try again.</p>
        </>
      )}
      <p class="muted small">
        {deposit.status === 'pending' ? 'Started' : 'Updated'} {formatLocalTime(deposit.settledAt ?? deposit.createdAt, deposit.currency)} · Ref <code>{deposit.id}</code>
      </p>
    </div>
  );
}

/** The customer's dedicated NGN account(s), with copy buttons (public/app.js handles `data-copy`). */
/** How long the page keeps checking for a dedicated account before asking the customer to come back. */
export const ACCOUNT_POLL_MS = 10 * 60_000;

/**
 * The dedicated account, or while it is being set up a card that checks by itself (from `pollSince`,
 * for ACCOUNT_POLL_MS; the check answers 204 until something changes, so nothing is re-announced).
 */
export function ReservedAccountCard({ account, pollSince }: { account: PublicReservedAccount | null; pollSince: number | null }) {
  if (!account || account.status === 'pending') {
    if (pollSince === null) {
      return (
        <p id="monnify-account" class="muted" role="status">
          Setting up your personal NGN bank account is taking longer than usual. We keep trying; check back later, or pay by card below.
        </p>
      );
    }
    return (
      <p id="monnify-account" class="muted" role="status" hx-get={`/deposit/monnify/account?since=${pollSince}`} hx-trigger="every 5s" hx-swap="outerHTML">
        Your personal NGN bank account is being set up. It appears here in a minute or two; this page checks by itself.
      </p>
    );
  }
  return (
    <div id="monnify-account">
      <p>Send a bank transfer from any Nigerian bank to your personal account below. The money reaches your NGN wallet once Monnify confirms it.</p>
      {account.accounts.map((bank) => (
        <dl class="summary">
          <dt>Bank</dt>
          <dd>{bank.bankName}</dd>
          <dt>Account number</dt>
          <dd>
            <strong class="code">{bank.accountNumber}</strong>{' '}
            <button type="button" class="link" data-copy={bank.accountNumber} aria-label={`Copy account number ${bank.accountNumber}`}>
              Copy
            </button>
          </dd>
          <dt>Account name</dt>
          <dd>
            {bank.accountName}{' '}
            <button type="button" class="link" data-copy={bank.accountName} aria-label="Copy account name">
              Copy
            </button>
          </dd>
        </dl>
      ))}
    </div>
  );
}

export function MonnifyCheckoutForm({ values = {}, errors = {}, message }: FormState) {
  return (
    <form id="monnify-form" method="post" action="/deposit/monnify" hx-post="/deposit/monnify" hx-target="this" hx-swap="outerHTML" hx-disabled-elt="find button" novalidate>
      <FormAlert message={message} />
      <input type="hidden" name="idempotencyKey" value={values.idempotencyKey ?? crypto.randomUUID()} />
      <Field name="amount" id="monnify-amount" label="Amount (NGN)" type="text" inputmode="numeric" value={values.amount} errors={errors.amount} hint="Whole naira, ₦100 to ₦1,000,000" required />
      <SubmitButton label="Pay with Monnify" busy="Opening the checkout…" />
    </form>
  );
}

/**
 * Without JS the checkout is a link, not a redirect: browsers hold a form post's redirect to the
 * page's `form-action 'self'`, so a 303 to Monnify's origin would be blocked.
 */
export function MonnifyContinuePage({ user, deposit, checkoutUrl }: { user: SessionUser; deposit: Deposit; checkoutUrl: string }) {
  return (
    <Base title="Continue to pay" user={user}>
      <h1>Pay {formatMoney(deposit.amount, 'NGN')} with Monnify</h1>
      <p>Your top-up is ready. Monnify's page takes your card or bank transfer; you come back here when it is done.</p>
      <p>
        <a class="button" href={checkoutUrl}>
          Continue to Monnify
        </a>
      </p>
      <p>
        <a href={`/deposit/monnify/return?paymentReference=${encodeURIComponent(deposit.id)}`}>See this top-up's status</a>
      </p>
    </Base>
  );
}

/** Where Monnify sends the customer back: the deposit's real status, never what the redirect claims. */
export function MonnifyReturnPage({ user, deposit }: { user: SessionUser; deposit: Deposit }) {
  return (
    <Base title="Top-up status" user={user}>
      <h1>Your NGN top-up</h1>
      <DepositStatus deposit={deposit} />
      <p>
        <a href="/deposit">Back to top up</a>
      </p>
    </Base>
  );
}

export function DepositPage(props: { user: SessionUser; form?: FormState; recent: Deposit[]; reservedAccount?: PublicReservedAccount | null; now: number }) {
  return (
    <Base title="Top up" user={props.user}>
      <h1>Top up your wallet</h1>
      <section class="card" aria-labelledby="mpesa-heading">
        <h2 id="mpesa-heading">KES wallet with M-Pesa</h2>
        <MpesaDepositForm {...(props.form ?? {})} values={{ phone: props.user.phone ?? '', ...(props.form?.values ?? {}) }} />
      </section>
      <section class="card" aria-labelledby="ngn-heading">
        <h2 id="ngn-heading">NGN wallet by bank transfer</h2>
        <ReservedAccountCard account={props.reservedAccount ?? null} pollSince={props.now} />
        <h3>Or pay by card, transfer or USSD</h3>
        <MonnifyCheckoutForm />
      </section>
      {props.recent.length > 0 && (
        <section aria-labelledby="recent-heading" class="section">
          <h2 id="recent-heading">Recent top-ups</h2>
          {props.recent.map((deposit) => (
            <DepositStatus deposit={deposit} />
          ))}
        </section>
      )}
    </Base>
  );
}
