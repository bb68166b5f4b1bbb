import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { database, type Database } from '../db/client';
import type { AppEnv } from '../env';
import type { Fetch } from '../providers/http';
import { CheckoutPage, checkoutAmounts } from './monnify-checkout';
import {
  FAULT_OPERATIONS,
  findBankAccount,
  findTransaction,
  newAccountNumber,
  newSessionId,
  newTransactionReference,
  payCheckout,
  recordTransaction,
  setFaults,
  type SimTransaction,
} from './monnify-state';
import { deliverWebhooks, queueWebhooks } from './monnify-webhooks';

/** How the notification of a completion arrives: once or twice, now or at the next `POST /flush`. */
const delivery = {
  duplicate: z
    .union([z.boolean(), z.enum(['true', 'false', 'on'])])
    .transform((v) => v === true || v === 'true' || v === 'on')
    .default(false),
  deliver: z.enum(['now', 'later']).default('now'),
};

/** Kobo throughout, like the rest of Malipo; the simulator turns it into naira on Monnify's wire. */
const transferBody = z.object({
  accountNumber: z.string().regex(/^\d{10}$/),
  amount: z.int().positive(),
  senderName: z.string().min(1).default('ADA OBI'),
  senderAccountNumber: z.string().regex(/^\d{10}$/).optional(),
  senderBankCode: z.string().regex(/^\d{3,6}$/).default('058'),
  ...delivery,
});

const payForm = z.object({
  outcome: z.enum(['paid', 'less', 'more']).default('paid'),
  /** Kobo; overrides `outcome` to pay exactly this. */
  amount: z.coerce.number().int().positive().optional(),
  ...delivery,
});

const fault = z.union([z.int().min(0).transform((times) => ({ times, kind: 'error' as const })), z.object({ times: z.int().min(0), kind: z.enum(['error', 'lost']).default('error') })]);
const faultsBody = z.partialRecord(z.enum(FAULT_OPERATIONS), fault);

/**
 * What tests and developers use to drive the Monnify simulator (not Monnify's API):
 * - `POST /transfers {accountNumber, amount, senderName?, duplicate?, deliver?}`: a bank transfer of
 *   `amount` kobo into a reserved account; paid at once, notified by webhook.
 * - `GET|POST /checkout/:transactionReference`: the hosted checkout page; the form pays
 *   (`outcome` paid|less|more, or `amount` in kobo), then redirects to the merchant's redirectUrl.
 * - `POST /flush {transactionReference?}`: sends every held or failed (non-2xx) notification again.
 * - `POST /faults {createReservedAccount: 2}` or `{initTransaction: {times: 1, kind: 'lost'}}`: the next
 *   calls fail with a 500 (`error`, nothing done) or a 502 after doing the work (`lost`).
 * Notifications go to SIM_MONNIFY_WEBHOOK_URL, default `${APP_URL}/webhooks/monnify`.
 */
export function createMonnifyControls(webhookFetch: (env: Env) => Fetch) {
  const controls = new Hono<AppEnv>();

  /** Queues the completion's notification(s) and, unless held, sends them before answering. */
  async function notify(c: Context<AppEnv>, db: Database, row: SimTransaction, options: { duplicate: boolean; deliver: 'now' | 'later' }) {
    const { config } = c.var;
    const url = config.SIM_MONNIFY_WEBHOOK_URL ?? `${config.APP_URL.replace(/\/+$/, '')}/webhooks/monnify`;
    const now = Date.now();
    const ids = await queueWebhooks(db, row, url, options.duplicate ? 2 : 1, now);
    if (options.deliver === 'later') return [];
    return deliverWebhooks(db, webhookFetch(c.env), config.MONNIFY_SECRET_KEY, now, { ids });
  }

  controls.post('/transfers', async (c) => {
    const parsed = transferBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    const body = parsed.data;
    const db = database(c.env.DB);
    const target = await findBankAccount(db, body.accountNumber);
    if (!target) return c.json({ error: `no reserved account has the number ${body.accountNumber}` }, 404);
    const now = Date.now();
    const transactionReference = newTransactionReference(now);
    const row = await recordTransaction(db, {
      transactionReference,
      paymentReference: transactionReference,
      productType: 'RESERVED_ACCOUNT',
      productReference: target.account.accountReference,
      status: 'PAID',
      payableKobo: body.amount,
      paidKobo: body.amount,
      paymentMethod: 'ACCOUNT_TRANSFER',
      description: body.senderName,
      customerName: target.account.customerName,
      customerEmail: target.account.customerEmail,
      destinationAccountNumber: target.bank.accountNumber,
      destinationBankCode: target.bank.bankCode,
      destinationBankName: target.bank.bankName,
      sourceAccountName: body.senderName,
      sourceAccountNumber: body.senderAccountNumber ?? newAccountNumber(),
      sourceBankCode: body.senderBankCode,
      sessionId: newSessionId(),
      paidAt: now,
      createdAt: now,
    });
    if (!row) return c.json({ error: 'transaction reference collision, try again' }, 409);
    const webhooks = await notify(c, db, row, body);
    return c.json({ data: { transactionReference, paymentReference: row.paymentReference, accountReference: row.productReference, amount: body.amount, webhooks } }, 201);
  });

  controls.get('/checkout/:transactionReference', async (c) => {
    const row = await findTransaction(database(c.env.DB), { transactionReference: c.req.param('transactionReference') });
    if (!row || row.productType !== 'WEB_SDK') return c.text('No such checkout', 404);
    return c.html(<CheckoutPage transaction={row} action={new URL(c.req.url).pathname} returnUrl={returnUrl(row)} />);
  });

  controls.post('/checkout/:transactionReference', async (c) => {
    const db = database(c.env.DB);
    const row = await findTransaction(db, { transactionReference: c.req.param('transactionReference') });
    if (!row || row.productType !== 'WEB_SDK') return c.text('No such checkout', 404);
    const form = payForm.safeParse(await c.req.parseBody());
    if (!form.success) return c.text(z.prettifyError(form.error), 400);
    const paidKobo = form.data.amount ?? checkoutAmounts(row.payableKobo)[form.data.outcome];
    const byCard = form.data.amount === undefined && form.data.outcome === 'paid';
    const paid = await payCheckout(
      db,
      row.transactionReference,
      byCard
        ? { payableKobo: row.payableKobo, paidKobo, paymentMethod: 'CARD', sourceAccountName: null, sourceAccountNumber: null, sourceBankCode: null, sessionId: null }
        : {
            payableKobo: row.payableKobo,
            paidKobo,
            paymentMethod: 'ACCOUNT_TRANSFER',
            sourceAccountName: row.customerName.toUpperCase(),
            sourceAccountNumber: newAccountNumber(),
            sourceBankCode: '058',
            sessionId: newSessionId(),
          },
      Date.now(),
    );
    if (!paid) return c.text('This checkout is already paid', 409);
    await notify(c, db, paid, form.data);
    return c.redirect(returnUrl(paid) ?? new URL(c.req.url).pathname, 303);
  });

  controls.post('/flush', async (c) => {
    const { transactionReference } = z.object({ transactionReference: z.string().min(1).optional() }).catch({}).parse(await c.req.json().catch(() => null));
    const webhooks = await deliverWebhooks(database(c.env.DB), webhookFetch(c.env), c.var.config.MONNIFY_SECRET_KEY, Date.now(), { transactionReference });
    return c.json({ data: { webhooks } });
  });

  controls.post('/faults', async (c) => {
    const parsed = faultsBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    return c.json({ data: { faults: await setFaults(database(c.env.DB), parsed.data) } });
  });

  return controls;
}

/** Where Monnify sends the customer back; the query parameter names are UNCONFIRMED. @see providers.md §3.4 */
function returnUrl(row: SimTransaction): string | null {
  if (!row.redirectUrl) return null;
  const url = new URL(row.redirectUrl);
  url.searchParams.set('paymentReference', row.paymentReference);
  return url.toString();
}
