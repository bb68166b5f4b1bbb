import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { requireUser, requireUserPage } from '../middleware/auth';
import { formBody, jsonBody, parse } from '../middleware/validate';
import { getDeposit, listDeposits, publicDeposit } from '../services/deposits';
import { mpesaDepositDeps, mpesaDepositInput, startMpesaDeposit } from '../services/mpesa-deposits';
import { DepositPage, DepositStatus, MpesaDepositForm } from '../views/pages/deposit';

const idempotencyKey = z.string().trim().min(1).max(100).regex(/^[\x21-\x7e]+$/, 'Idempotency-Key must be printable ASCII');
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

export const depositPages = new Hono<AppEnv>()
  .use(requireUserPage)
  .get('/', async (c) => {
    const { deposits } = await listDeposits(database(c.env.DB), c.var.user!.id, { limit: 5 });
    return c.html(<DepositPage user={c.var.user!} recent={deposits} />);
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
  .get('/:id/status', async (c) => {
    const deposit = await getDeposit(database(c.env.DB), c.var.user!.id, c.req.param('id'));
    return c.html(<DepositStatus deposit={deposit} />);
  });
