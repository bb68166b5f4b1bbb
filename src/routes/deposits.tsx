import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { idempotencyKey } from '../lib/idempotency';
import { log } from '../lib/log';
import { requireUser, requireUserPage } from '../middleware/auth';
import { formBody, jsonBody, parse } from '../middleware/validate';
import { getDeposit, listDeposits, publicDeposit } from '../services/deposits';
import { getReservedAccount, queueReservedAccount } from '../services/monnify-accounts';
import { checkCheckoutDeposit, monnifyDepositDeps, monnifyDepositInput, startMonnifyCheckout } from '../services/monnify-deposits';
import { mpesaDepositDeps, mpesaDepositInput, startMpesaDeposit } from '../services/mpesa-deposits';
import { DepositPage, DepositStatus, MonnifyCheckoutForm, MonnifyContinuePage, MonnifyReturnPage, MpesaDepositForm, ReservedAccountCard, ACCOUNT_POLL_MS } from '../views/pages/deposit';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(64).optional() });

function idempotencyKeyFrom(c: Context<AppEnv>): string | null {
  const header = c.req.header('idempotency-key');
  return header === undefined ? null : parse(z.object({ key: idempotencyKey }), { key: header }).key;
}

export const depositsApi = new Hono<AppEnv>()
  .use(requireUser)
  .post('/mpesa', async (c) => {
    const input = await jsonBody(c, mpesaDepositInput);
    const key = idempotencyKeyFrom(c);
    const { deposit } = await startMpesaDeposit(mpesaDepositDeps(c.env, c.var.config), c.var.user!.id, input, key);
    return c.json({ data: publicDeposit(deposit) }, 202);
  })
  .post('/monnify', async (c) => {
    const input = await jsonBody(c, monnifyDepositInput);
    const { deposit, checkoutUrl } = await startMonnifyCheckout(monnifyDepositDeps(c.env, c.var.config), c.var.user!, input, idempotencyKeyFrom(c));
    return c.json({ data: { ...publicDeposit(deposit), checkoutUrl } }, 201);
  })
  /**
   * The customer's dedicated NGN account(s). Always 200: `{status: 'active', accounts: [...]}` once
   * Monnify made it, `{status: 'pending', accounts: []}` while the background job is still asking
   * (a customer with no request on record gets one queued now).
   */
  .get('/monnify/account', async (c) => {
    const userId = c.var.user!.id;
    const account = await getReservedAccount(database(c.env.DB), userId);
    if (account) return c.json({ data: account });
    await queueReservedAccount(c.env, userId);
    return c.json({ data: { status: 'pending', accountReference: userId, accounts: [] } });
  })
  .get('/', async (c) => {
    const query = parse(listQuery, c.req.query());
    const page = await listDeposits(database(c.env.DB), c.var.user!.id, query);
    return c.json({ data: page.deposits.map(publicDeposit), nextCursor: page.nextCursor });
  })
  .get('/:id', async (c) => {
    const deposit = await getDeposit(database(c.env.DB), c.var.user!.id, c.req.param('id'));
    return c.json({ data: publicDeposit(deposit) });
  });

/** The form takes shillings as people type them ("1,500"); the service takes cents. */
const mpesaForm = z.object({
  amount: z
    .string()
    .trim()
    .transform((v) => v.replace(/,/g, '').replace(/^KES\s*/i, ''))
    .pipe(z.string().regex(/^\d{1,6}$/, 'Enter whole shillings, e.g. 500'))
    .transform((v) => Number(v) * 100),
  phone: z.string(),
  idempotencyKey,
});

/** Whole naira as people type them ("5,000"); the service takes kobo. */
const monnifyForm = z.object({
  amount: z
    .string()
    .trim()
    .transform((v) => v.replace(/,/g, '').replace(/^(NGN|₦)\s*/i, ''))
    .pipe(z.string().regex(/^\d{1,7}$/, 'Enter whole naira, e.g. 5000'))
    .transform((v) => Number(v) * 100),
  idempotencyKey,
});

export const depositPages = new Hono<AppEnv>()
  .use(requireUserPage)
  .get('/', async (c) => {
    const db = database(c.env.DB);
    const { deposits } = await listDeposits(db, c.var.user!.id, { limit: 5 });
    const account = await getReservedAccount(db, c.var.user!.id);
    if (!account) await queueReservedAccount(c.env, c.var.user!.id);
    return c.html(<DepositPage user={c.var.user!} recent={deposits} reservedAccount={account} now={Date.now()} />);
  })
  .post('/monnify', async (c) => {
    const form = await formBody(c, monnifyForm);
    const fail = (errors: Record<string, string[]>, message: string) => c.html(<MonnifyCheckoutForm values={{ ...form.raw }} errors={errors} message={message} />, 422);
    if (!form.ok) return fail(form.errors, 'Please fix the fields marked below.');
    const input = monnifyDepositInput.safeParse({ amount: form.data.amount });
    if (!input.success) return fail({ amount: input.error.issues.map((i) => i.message) }, 'Please fix the fields marked below.');
    try {
      const { deposit, checkoutUrl } = await startMonnifyCheckout(monnifyDepositDeps(c.env, c.var.config), c.var.user!, input.data, form.data.idempotencyKey);
      const to = checkoutUrl ?? `/deposit/monnify/return?paymentReference=${encodeURIComponent(deposit.id)}`;
      if (c.req.header('hx-request')) {
        c.header('hx-redirect', to);
        return c.body(null, 200);
      }
      if (!checkoutUrl) return c.redirect(to, 303);
      return c.html(<MonnifyContinuePage user={c.var.user!} deposit={deposit} checkoutUrl={checkoutUrl} />);
    } catch (error) {
      if (error instanceof AppError && ['RATE_LIMITED', 'IDEMPOTENCY_KEY_REUSED', 'PROVIDER_UNAVAILABLE'].includes(error.code)) return fail({}, error.message);
      throw error;
    }
  })
  /** Where Monnify sends the customer back. The redirect proves nothing: this shows the deposit's real status. */
  .get('/monnify/return', async (c) => {
    const reference = z.string().min(1).max(64).safeParse(c.req.query('paymentReference'));
    if (!reference.success) throw new AppError('NOT_FOUND', 'No such deposit');
    let deposit = await getDeposit(database(c.env.DB), c.var.user!.id, reference.data);
    if (deposit.status === 'pending' && deposit.method === 'monnify') {
      try {
        deposit = await checkCheckoutDeposit(monnifyDepositDeps(c.env, c.var.config), deposit);
      } catch (error) {
        log('warn', 'checkout verify on return failed', { depositId: deposit.id, error: String(error) });
      }
    }
    return c.html(<MonnifyReturnPage user={c.var.user!} deposit={deposit} />);
  })
  .post('/mpesa', async (c) => {
    const form = await formBody(c, mpesaForm);
    const fail = (errors: Record<string, string[]>, message: string, status: 422 | 429 = 422) => {
      const values = { ...form.raw };
      return c.html(<MpesaDepositForm values={values} errors={errors} message={message} />, status === 429 && !c.req.header('hx-request') ? 429 : 422);
    };
    if (!form.ok) return fail(form.errors, 'Please fix the fields marked below.');
    const input = mpesaDepositInput.safeParse({ amount: form.data.amount, phone: form.data.phone });
    if (!input.success) {
      const errors: Record<string, string[]> = {};
      for (const issue of input.error.issues) (errors[String(issue.path[0])] ??= []).push(issue.message);
      return fail(errors, 'Please fix the fields marked below.');
    }
    try {
      const { deposit } = await startMpesaDeposit(mpesaDepositDeps(c.env, c.var.config), c.var.user!.id, input.data, form.data.idempotencyKey);
      return c.html(
        <>
          <MpesaDepositForm values={{ phone: form.raw.phone ?? '' }} />
          <DepositStatus deposit={deposit} />
        </>,
      );
    } catch (error) {
      if (error instanceof AppError && (error.code === 'RATE_LIMITED' || error.code === 'IDEMPOTENCY_KEY_REUSED')) return fail({}, error.message, 429);
      throw error;
    }
  })
  /**
   * The dedicated-account card alone, polled by the page while the account is being set up: 204
   * (nothing to swap) while it still is, the account once it exists, and 286 (htmx: stop polling)
   * with a "check back later" card once the page has waited ACCOUNT_POLL_MS.
   */
  .get('/monnify/account', async (c) => {
    const since = z.coerce.number().int().nonnegative().catch(0).parse(c.req.query('since'));
    const account = await getReservedAccount(database(c.env.DB), c.var.user!.id);
    if (account?.status === 'active') return c.html(<ReservedAccountCard account={account} pollSince={null} />);
    if (Date.now() - since < ACCOUNT_POLL_MS) return c.body(null, 204);
    return c.html(<ReservedAccountCard account={account} pollSince={null} />, 286 as 200);
  })
  .get('/:id/status', async (c) => {
    const deposit = await getDeposit(database(c.env.DB), c.var.user!.id, c.req.param('id'));
    return c.html(<DepositStatus deposit={deposit} />);
  });
