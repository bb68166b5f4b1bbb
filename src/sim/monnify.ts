import { and, eq, gt, lte } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { database } from '../db/client';
import { simMonnifyTokens } from '../db/schema';
import type { AppEnv } from '../env';
import { randomToken, timingSafeEqualText } from '../lib/crypto';
import { type Fetch, providerFetch } from '../providers/http';
import { monnifyAmountToKobo } from '../providers/monnify-parse';
import { createMonnifyControls } from './monnify-controls';
import {
  findReservedAccount,
  findTransaction,
  newTransactionReference,
  PARTNER_BANKS,
  recordTransaction,
  reserveAccount,
  reservedAccountBody,
  takeFault,
  verifyBody,
  type FaultOperation,
} from './monnify-state';

/** Monnify's tokens live an hour; the login answer says 3599 seconds. @see providers.md §3.2 */
const TOKEN_TTL_SECONDS = 3599;
const PAYMENT_METHODS = ['CARD', 'ACCOUNT_TRANSFER', 'USSD', 'PHONE_NUMBER'] as const;

export interface MonnifySimulatorOptions {
  /** How webhooks leave the simulator; default `providerFetch`, which reaches our own webhook in-process. */
  webhookFetch?: (env: Env) => Fetch;
}

const elevenDigits = z.string().regex(/^\d{11}$/);
/** @see providers.md §3.5 */
const reserveBody = z.object({
  accountReference: z.string().min(1),
  accountName: z.string().min(1),
  currencyCode: z.literal('NGN'),
  contractCode: z.string().min(1),
  customerEmail: z.email(),
  customerName: z.string().min(1),
  bvn: elevenDigits.optional(),
  nin: elevenDigits.optional(),
  getAllAvailableBanks: z.boolean().optional(),
  preferredBanks: z.array(z.string()).optional(),
});
/** @see providers.md §3.4 */
const initBody = z.object({
  amount: z.union([z.number(), z.string()]).transform(monnifyAmountToKobo).pipe(z.int().positive()),
  customerName: z.string().min(1),
  customerEmail: z.email(),
  paymentReference: z.string().min(1),
  paymentDescription: z.string().min(1),
  currencyCode: z.literal('NGN'),
  contractCode: z.string().min(1),
  redirectUrl: z.url({ protocol: /^https?$/ }),
  paymentMethods: z.array(z.enum(PAYMENT_METHODS)).min(1).optional(),
  metaData: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Monnify collections as providers.md §3 describes them, mounted at `/__sim/monnify`: Basic-auth
 * login, Bearer checks, reserved accounts (v2), init-transaction with a checkout page, and verify.
 * Control endpoints (not Monnify's) live in `monnify-controls.ts`. State lives in D1, so every
 * isolate sees the same accounts and payments.
 */
export function createMonnifySimulator(options: MonnifySimulatorOptions = {}) {
  const webhookFetch = options.webhookFetch ?? ((env: Env) => providerFetch(env));
  const sim = new Hono<AppEnv>();

  sim.post('/api/v1/auth/login', async (c) => {
    if (await faulted(c, 'login')) return serverError(c);
    const { MONNIFY_API_KEY, MONNIFY_SECRET_KEY } = c.var.config;
    if (!timingSafeEqualText(c.req.header('authorization') ?? '', `Basic ${btoa(`${MONNIFY_API_KEY}:${MONNIFY_SECRET_KEY}`)}`)) {
      return refuse(c, 401, 'Invalid client credentials');
    }
    const db = database(c.env.DB);
    const now = Date.now();
    const accessToken = randomToken(32);
    await db.delete(simMonnifyTokens).where(lte(simMonnifyTokens.expiresAt, now));
    await db.insert(simMonnifyTokens).values({ token: accessToken, expiresAt: now + TOKEN_TTL_SECONDS * 1000 });
    return c.json({ requestSuccessful: true, responseMessage: '0', responseCode: '0', responseBody: { accessToken, expiresIn: TOKEN_TTL_SECONDS } });
  });

  sim.use('/api/v1/merchant/*', bearer);
  sim.use('/api/v2/*', bearer);

  sim.post('/api/v2/bank-transfer/reserved-accounts', async (c) => {
    const fault = await takeFault(database(c.env.DB), 'createReservedAccount');
    if (fault === 'error') return serverError(c);
    const body = await monnifyBody(c, reserveBody);
    if (body instanceof Response) return body;
    if (body.contractCode !== c.var.config.MONNIFY_CONTRACT_CODE) return refuse(c, 400, 'Could not find specified contract');
    const banks = body.getAllAvailableBanks ? PARTNER_BANKS : PARTNER_BANKS.filter((b) => (body.preferredBanks ?? ['035']).includes(b.bankCode));
    if (banks.length === 0) return refuse(c, 400, 'Invalid preferred bank code');
    const { accountReference, accountName, customerName, customerEmail, contractCode } = body;
    const reserved = await reserveAccount(
      database(c.env.DB),
      { accountReference, accountName, customerName, customerEmail, contractCode, bvn: body.bvn ?? null, nin: body.nin ?? null },
      banks,
      Date.now(),
    );
    if (!reserved) return refuse(c, 400, 'You cannot reserve more than 1 account(s) for a customer');
    if (fault === 'lost') return lostAnswer(c);
    return success(c, reservedAccountBody(reserved));
  });

  sim.get('/api/v2/bank-transfer/reserved-accounts/:accountReference', async (c) => {
    const reserved = await findReservedAccount(database(c.env.DB), c.req.param('accountReference'));
    return reserved ? success(c, reservedAccountBody(reserved)) : refuse(c, 404, 'Cannot find reserved account');
  });

  sim.post('/api/v1/merchant/transactions/init-transaction', async (c) => {
    const fault = await takeFault(database(c.env.DB), 'initTransaction');
    if (fault === 'error') return serverError(c);
    const body = await monnifyBody(c, initBody);
    if (body instanceof Response) return body;
    if (body.contractCode !== c.var.config.MONNIFY_CONTRACT_CODE) return refuse(c, 400, 'Could not find specified contract');
    const now = Date.now();
    const row = await recordTransaction(database(c.env.DB), {
      transactionReference: newTransactionReference(now),
      paymentReference: body.paymentReference,
      productType: 'WEB_SDK',
      productReference: body.paymentReference,
      status: 'PENDING',
      payableKobo: body.amount,
      description: body.paymentDescription,
      customerName: body.customerName,
      customerEmail: body.customerEmail,
      redirectUrl: body.redirectUrl,
      metaData: JSON.stringify(body.metaData ?? {}),
      createdAt: now,
    });
    if (!row) return refuse(c, 400, 'Duplicate payment reference');
    if (fault === 'lost') return lostAnswer(c);
    const base = c.req.url.replace(/\/api\/v1\/merchant\/transactions\/init-transaction.*$/, '');
    return success(c, {
      transactionReference: row.transactionReference,
      paymentReference: row.paymentReference,
      merchantName: 'Malipo',
      apiKey: c.var.config.MONNIFY_API_KEY,
      enabledPaymentMethod: body.paymentMethods ?? PAYMENT_METHODS,
      checkoutUrl: `${base}/checkout/${encodeURIComponent(row.transactionReference)}`,
    });
  });

  /** The `|` in a Monnify reference must arrive encoded. @see providers.md §3.6 */
  sim.get('/api/v2/transactions/:transactionReference', async (c) => {
    if (await faulted(c, 'verify')) return serverError(c);
    if (new URL(c.req.url).pathname.includes('|')) return refuse(c, 400, 'Invalid transaction reference');
    const row = await findTransaction(database(c.env.DB), { transactionReference: c.req.param('transactionReference') });
    return row ? success(c, verifyBody(row)) : refuse(c, 404, 'Could not find transaction with the specified transaction reference');
  });

  sim.get('/api/v2/merchant/transactions/query', async (c) => {
    if (await faulted(c, 'verify')) return serverError(c);
    const paymentReference = c.req.query('paymentReference');
    const transactionReference = c.req.query('transactionReference');
    const by = paymentReference ? { paymentReference } : transactionReference ? { transactionReference } : null;
    if (!by) return refuse(c, 400, 'paymentReference or transactionReference is required');
    const row = await findTransaction(database(c.env.DB), by);
    return row ? success(c, verifyBody(row)) : refuse(c, 404, 'Could not find transaction with the specified payment reference');
  });

  sim.route('/', createMonnifyControls(webhookFetch));
  return sim;
}

/**
 * A Bearer the simulator issued and that has not expired. A bad one gets the OAuth-style 401 (shape
 * UNCONFIRMED); clients should log in again on any 401.
 */
const bearer = createMiddleware<AppEnv>(async (c, next) => {
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  const known =
    token &&
    (await database(c.env.DB)
      .select()
      .from(simMonnifyTokens)
      .where(and(eq(simMonnifyTokens.token, token), gt(simMonnifyTokens.expiresAt, Date.now())))
      .get());
  if (!known) return c.json({ error: 'invalid_token', error_description: 'Access token expired or invalid' }, 401);
  await next();
});

async function faulted(c: Context<AppEnv>, operation: FaultOperation): Promise<boolean> {
  return (await takeFault(database(c.env.DB), operation)) !== null;
}

/** The common envelope around a success. @see providers.md §3.3 */
function success(c: Context<AppEnv>, responseBody: unknown) {
  return c.json({ requestSuccessful: true, responseMessage: 'success', responseCode: '0', responseBody });
}

/** A refusal in the common envelope; Monnify's error-code catalogue is UNCONFIRMED, so always "99". */
function refuse(c: Context<AppEnv>, status: 400 | 401 | 404, responseMessage: string) {
  return c.json({ requestSuccessful: false, responseMessage, responseCode: '99' }, status);
}

function serverError(c: Context<AppEnv>) {
  return c.json({ requestSuccessful: false, responseMessage: 'An error occurred, please try again later', responseCode: '99' }, 500);
}

/** The work was done but the answer never made it: what a client sees from a proxy in between. */
function lostAnswer(c: Context<AppEnv>) {
  return c.html('<html><body><h1>502 Bad Gateway</h1></body></html>', 502);
}

/** The JSON body, or a "99" refusal naming the first field that is wrong. */
async function monnifyBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S> | Response> {
  const parsed = schema.safeParse(await c.req.json().catch(() => null));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return refuse(c, 400, issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'Invalid request');
}
