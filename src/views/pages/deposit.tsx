import type { Deposit } from '../../services/deposits';
import { FAILURE_WORDS } from '../../services/deposits';
import type { SessionUser } from '../../services/sessions';
import { Field, FormAlert, SubmitButton } from '../components/field';
import { formatDateTime, formatMoney } from '../components/money';
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
      {deposit.status === 'pending' && (
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
            <strong>{amount}</strong> is now in your KES wallet.
          </p>
          {deposit.receipt && (
            <p>
              M-Pesa receipt: <strong class="code">{deposit.receipt}</strong>
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
        {deposit.status === 'pending' ? 'Started' : 'Updated'} {formatDateTime(deposit.settledAt ?? deposit.createdAt)} · Ref <code>{deposit.id}</code>
      </p>
    </div>
  );
}

export function DepositPage(props: { user: SessionUser; form?: FormState; recent: Deposit[] }) {
  return (
    <Base title="Top up" user={props.user}>
      <h1>Top up your wallet</h1>
      <section class="card" aria-labelledby="mpesa-heading">
        <h2 id="mpesa-heading">KES wallet with M-Pesa</h2>
        <MpesaDepositForm {...(props.form ?? {})} values={{ phone: props.user.phone ?? '', ...(props.form?.values ?? {}) }} />
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
