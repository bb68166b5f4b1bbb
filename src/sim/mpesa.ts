import { and, eq, gt, lte } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { database } from '../db/client';
import { simMpesaPayments, simMpesaTokens } from '../db/schema';
import type { AppEnv } from '../env';
import { randomToken, timingSafeEqualText } from '../lib/crypto';
import { type Fetch, providerFetch } from '../providers/http';
import { darajaTimestamp, stkPassword } from '../providers/mpesa';
import { deliverDueCallbacks, makeDue, newCheckoutRequestId, newMerchantRequestId, newReceipt, newRequestId, outcomeFor } from './mpesa-outcomes';

/** Daraja says 3600 s; its sample (and so this simulator) answers `expires_in: "3599"`. @see providers.md §1.2 */
const TOKEN_TTL_MS = 3_600_000;

const digits = z.union([z.string(), z.number()]).transform(String);
const msisdn = digits.pipe(z.string().regex(/^254[17]\d{8}$/));
const credentials = {
  BusinessShortCode: digits.pipe(z.string().regex(/^\d{5,7}$/)),
  Password: z.string().min(1),
  Timestamp: z.string().regex(/^\d{14}$/),
};
/** Field rules of providers.md §1.3; the first field that breaks one is named in the 400.002.02 message. */
const stkPushBody = z.object({
  ...credentials,
  TransactionType: z.enum(['CustomerPayBillOnline', 'CustomerBuyGoodsOnline']),
  Amount: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1).max(250_000)),
  PartyA: msisdn,
  PartyB: digits.pipe(z.string().regex(/^\d{5,8}$/)),
  PhoneNumber: msisdn,
  CallBackURL: z.url({ protocol: /^https?$/ }),
  AccountReference: z.string().regex(/^[A-Za-z0-9]{1,12}$/),
  TransactionDesc: z.string().max(13).optional(),
});
const stkQueryBody = z.object({ ...credentials, CheckoutRequestID: z.string().min(1) });

export interface MpesaSimulatorOptions {
  /** How callbacks leave the simulator; default `providerFetch`, which reaches our own webhooks in-process. */
  callbackFetch?: (env: Env) => Fetch;
}

/**
 * Safaricom Daraja as the clients see it (providers.md §1.10): Basic-auth tokens, Bearer checks, the
 * Password check, field rules, `ws_CO_…` ids, outcomes by phone number (design.md §6), STK query
 * answering "being processed" until the outcome is due, and the callback posted to CallBackURL.
 * State lives in D1 so every isolate sees the same payments.
 */
export function createMpesaSimulator(options: MpesaSimulatorOptions = {}) {
  const callbackFetch = options.callbackFetch ?? ((env: Env) => providerFetch(env));
  const sim = new Hono<AppEnv>();

  sim.get('/oauth/v1/generate', async (c) => {
    if (c.req.query('grant_type') !== 'client_credentials') return darajaError(c, 400, '400.008.02', 'Invalid grant type passed');
    const { MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET } = c.var.config;
    const expected = `Basic ${btoa(`${MPESA_CONSUMER_KEY}:${MPESA_CONSUMER_SECRET}`)}`;
    if (!timingSafeEqualText(c.req.header('authorization') ?? '', expected)) {
      return darajaError(c, 400, '400.008.01', 'Invalid Authentication passed');
    }
    const db = database(c.env.DB);
    const now = Date.now();
    const token = randomToken(21);
    await db.delete(simMpesaTokens).where(lte(simMpesaTokens.expiresAt, now));
    await db.insert(simMpesaTokens).values({ token, expiresAt: now + TOKEN_TTL_MS });
    return c.json({ access_token: token, expires_in: '3599' });
  });

  sim.use('/mpesa/*', async (c, next) => {
    const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const known =
      token &&
      (await database(c.env.DB)
        .select()
        .from(simMpesaTokens)
        .where(and(eq(simMpesaTokens.token, token), gt(simMpesaTokens.expiresAt, Date.now())))
        .get());
    if (!known) return darajaError(c, 404, '404.001.03', 'Invalid Access Token');
    await next();
  });

  sim.post('/mpesa/stkpush/v1/processrequest', async (c) => {
    const body = await darajaBody(c, stkPushBody);
    if (body instanceof Response) return body;
    const refused = checkCredentials(c, body);
    if (refused) return refused;
    const { config } = c.var;
    const expectedPartyB = body.TransactionType === 'CustomerPayBillOnline' ? body.BusinessShortCode : config.MPESA_TILL_NUMBER;
    const outcome = outcomeFor(body.PhoneNumber, expectedPartyB === undefined || body.PartyB === expectedPartyB);
    const now = Date.now();
    const payment = {
      checkoutRequestId: newCheckoutRequestId(darajaTimestamp(now)),
      merchantRequestId: newMerchantRequestId(),
      phone: body.PhoneNumber,
      amount: body.Amount,
      callbackUrl: body.CallBackURL,
      resultCode: outcome.resultCode,
      resultDesc: outcome.resultDesc,
      receipt: outcome.resultCode === 0 ? newReceipt() : null,
      callbacks: outcome.callbacks,
      dueAt: now + config.SIM_MPESA_CALLBACK_DELAY_MS,
      createdAt: now,
    };
    await database(c.env.DB).insert(simMpesaPayments).values(payment);
    if (config.SIM_MPESA_AUTO_CALLBACK === 'on') {
      const send = callbackFetch(c.env);
      const db = database(c.env.DB);
      c.executionCtx.waitUntil(scheduler.wait(config.SIM_MPESA_CALLBACK_DELAY_MS).then(() => deliverDueCallbacks(db, send, Date.now())));
    }
    const accepted = 'Success. Request accepted for processing';
    return c.json({
      MerchantRequestID: payment.merchantRequestId,
      CheckoutRequestID: payment.checkoutRequestId,
      ResponseCode: '0',
      ResponseDescription: accepted,
      CustomerMessage: accepted,
    });
  });

  sim.post('/mpesa/stkpushquery/v1/query', async (c) => {
    const body = await darajaBody(c, stkQueryBody);
    if (body instanceof Response) return body;
    const refused = checkCredentials(c, body);
    if (refused) return refused;
    const payment = await database(c.env.DB)
      .select()
      .from(simMpesaPayments)
      .where(eq(simMpesaPayments.checkoutRequestId, body.CheckoutRequestID))
      .get();
    if (!payment) return darajaError(c, 400, '400.002.02', 'Bad Request - Invalid CheckoutRequestID');
    if (Date.now() < payment.dueAt) return darajaError(c, 500, '500.001.1001', 'The transaction is being processed');
    return c.json({
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      MerchantRequestID: payment.merchantRequestId,
      CheckoutRequestID: payment.checkoutRequestId,
      ResultCode: String(payment.resultCode),
      ResultDesc: payment.resultDesc,
    });
  });

  /**
   * Not Daraja: posts every due callback now. `?checkoutRequestId=ws_CO_…` first makes that payment due,
   * `?all=1` every open one, so tests and dev decide when an outcome lands.
   */
  sim.post('/flush', async (c) => {
    const db = database(c.env.DB);
    const now = Date.now();
    const checkoutRequestId = c.req.query('checkoutRequestId');
    if (checkoutRequestId || c.req.query('all') === '1') await makeDue(db, now, checkoutRequestId);
    const delivered = await deliverDueCallbacks(db, callbackFetch(c.env), now);
    return c.json({ data: { delivered } });
  });

  return sim;
}

/** @see providers.md §1.4: errors come in the camelCase envelope. */
function darajaError(c: Context<AppEnv>, status: 400 | 404 | 500, errorCode: string, errorMessage: string) {
  return c.json({ requestId: newRequestId(), errorCode, errorMessage }, status);
}

/** The JSON body, or the 400.002.02 Daraja gives for a wrong field (or a body that is not JSON at all). */
async function darajaBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S> | Response> {
  const invalid = (field: string) => darajaError(c, 400, '400.002.02', `Bad Request - Invalid ${field}`);
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) return invalid('BusinessShortCode');
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return invalid('BusinessShortCode');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return invalid(String(parsed.error.issues[0]?.path[0] ?? 'BusinessShortCode'));
  return parsed.data;
}

/** Unknown shortcode or a Password that is not base64(shortcode+passkey+timestamp): 500.001.1001. */
function checkCredentials(c: Context<AppEnv>, body: { BusinessShortCode: string; Password: string; Timestamp: string }) {
  const { MPESA_SHORTCODE, MPESA_PASSKEY } = c.var.config;
  if (body.BusinessShortCode !== MPESA_SHORTCODE) return darajaError(c, 500, '500.001.1001', 'Merchant does not exist');
  const expected = stkPassword(MPESA_SHORTCODE, MPESA_PASSKEY, body.Timestamp);
  if (!timingSafeEqualText(body.Password, expected)) return darajaError(c, 500, '500.001.1001', 'Wrong credentials');
  return null;
}
