import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { timingSafeEqualText } from '../lib/crypto';
import { providerFetch, type Fetch } from '../providers/http';
import { nairaToKobo } from '../providers/vtpass-parse';
import { findService, SERVICES, serviceListing, variationsListing, type SimService } from './vtpass-catalogue';
import { scenarioFor, verifiedCustomer } from './vtpass-sandbox';
import {
  deliverCallbacks,
  findTransaction,
  floatBalanceNaira,
  newTransactionId,
  payAnswer,
  recordTransaction,
  requeryAnswer,
  requeryTransaction,
  reverseDelivered,
  settlePending,
} from './vtpass-transactions';

export interface VtpassSimulatorOptions {
  /** How callbacks leave the simulator; default `providerFetch`, which reaches our own webhook in-process. */
  callbackFetch?: (env: Env) => Fetch;
}

const IDENTIFIERS = new Set(['airtime', 'data', 'tv-subscription', 'electricity-bill']);
const LAGOS_OFFSET_MS = 60 * 60 * 1000;
const MIDNIGHT_GRACE_MS = 5 * 60 * 1000;

const payBody = z.object({
  request_id: z.string().min(1),
  serviceID: z.string().min(1),
  amount: z.union([z.number(), z.string()]).optional(),
  phone: z.union([z.string(), z.number()]).transform(String).optional(),
  billersCode: z.union([z.string(), z.number()]).transform(String).optional(),
  variation_code: z.string().optional(),
  subscription_type: z.enum(['change', 'renew']).optional(),
  quantity: z.coerce.number().int().min(1).optional(),
});

type PayBody = z.output<typeof payBody>;

/**
 * The VTpass API as documented in providers.md §2, mounted at `/__sim/vtpass` (API under `/api/`),
 * with the sandbox outcomes of design.md §6. State lives in D1 (`sim_vtpass_transactions`).
 * Control endpoints for tests and dev: `POST /flush` settles pending purchases and sends due
 * callbacks, `POST /reverse` reverses a delivered purchase and sends its callback.
 */
export function createVtpassSimulator(options: VtpassSimulatorOptions = {}) {
  const callbackFetch = options.callbackFetch ?? ((env: Env) => providerFetch(env));
  const sim = new Hono<AppEnv>();

  sim.use('/api/*', authenticate);

  sim.get('/api/services', (c) => {
    const identifier = c.req.query('identifier') ?? '';
    const services = IDENTIFIERS.has(identifier) ? SERVICES.filter((s) => s.category === identifier) : [];
    return c.json({ response_description: '000', content: services.map(serviceListing) });
  });

  sim.get('/api/service-variations', (c) => {
    const service = findService(c.req.query('serviceID') ?? '');
    if (!service) return vtpassError(c, '012', 'PRODUCT DOES NOT EXIST');
    return c.json({ response_description: '000', content: variationsListing(service) });
  });

  sim.post('/api/merchant-verify', async (c) => {
    const body = z.object({ serviceID: z.string(), billersCode: z.union([z.string(), z.number()]).transform(String), type: z.string().optional() }).safeParse(await jsonOrNull(c));
    if (!body.success) return vtpassError(c, '011', 'INVALID ARGUMENTS');
    const service = findService(body.data.serviceID);
    if (!service || (service.category !== 'electricity-bill' && service.category !== 'tv-subscription')) return vtpassError(c, '012', 'PRODUCT DOES NOT EXIST');
    const customer = verifiedCustomer(service, body.data.billersCode, body.data.type, Date.now());
    if (customer) return c.json({ code: '000', content: customer });
    const error = `This ${service.category === 'electricity-bill' ? 'meter' : 'smartcard'} number is not correct or is not a valid ${service.name} number. Please check and try again`;
    return c.json({ code: '000', content: { error, WrongBillersCode: true } });
  });

  sim.post('/api/pay', async (c) => {
    const parsed = payBody.safeParse(await jsonOrNull(c));
    if (!parsed.success) return vtpassError(c, '011', 'INVALID ARGUMENTS');
    const body = parsed.data;
    const now = Date.now();
    if (!requestIdIsValid(body.request_id, now)) return vtpassError(c, '085', 'IMPROPER REQUEST ID');
    const service = findService(body.serviceID);
    if (!service) return vtpassError(c, '012', 'PRODUCT DOES NOT EXIST');
    const order = priceOrder(service, body);
    if ('error' in order) return vtpassError(c, order.error.code, order.error.description);

    const db = database(c.env.DB);
    const scenario = scenarioFor(order.recipient);
    if (scenario.kind === 'no-response') {
      if (await findTransaction(db, body.request_id)) return vtpassError(c, '014', 'REQUEST ID ALREADY EXIST');
      return c.body(null, 504);
    }
    const status = scenario.kind === 'pending' ? 'pending' : scenario.kind === 'delivered' || scenario.kind === 'timeout' ? 'delivered' : 'failed';
    const row = await recordTransaction(db, {
      requestId: body.request_id,
      transactionId: newTransactionId(now),
      serviceId: service.serviceId,
      productName: service.name,
      productType: service.category,
      recipient: order.recipient,
      variationCode: body.variation_code ?? null,
      phone: body.phone ?? null,
      amountKobo: order.amountKobo,
      status,
      settlesTo: scenario.kind === 'pending' ? scenario.settlesTo : null,
      createdAt: now,
      updatedAt: now,
    });
    if (!row) return vtpassError(c, '014', 'REQUEST ID ALREADY EXIST');
    if (scenario.kind === 'garbage') return c.body('{"code":"000","content":{"transactions":{"status":"deliv', 200, { 'content-type': 'application/json' });
    if (scenario.kind === 'timeout') await new Promise((resolve) => setTimeout(resolve, c.var.config.SIM_VTPASS_TIMEOUT_MS));
    return c.json(payAnswer(row));
  });

  sim.post('/api/requery', async (c) => {
    const body = z.object({ request_id: z.string().min(1) }).safeParse(await jsonOrNull(c));
    if (!body.success) return vtpassError(c, '011', 'INVALID ARGUMENTS');
    const row = await requeryTransaction(database(c.env.DB), body.data.request_id, c.var.config.SIM_VTPASS_PENDING_REQUERIES, Date.now());
    if (!row) return vtpassError(c, '015', 'INVALID REQUEST ID');
    return c.json(requeryAnswer(row));
  });

  sim.get('/api/balance', async (c) => c.json({ code: 1, contents: { balance: await floatBalanceNaira(database(c.env.DB)) } }));

  sim.post('/flush', async (c) => {
    const requestId = z.object({ request_id: z.string().optional() }).catch({}).parse(await jsonOrNull(c)).request_id;
    const db = database(c.env.DB);
    const now = Date.now();
    const settled = await settlePending(db, now, requestId);
    const callbacks = await deliverCallbacks(db, callbackFetch(c.env), callbackUrl(c), now, requestId);
    return c.json({ settled, callbacks });
  });

  sim.post('/reverse', async (c) => {
    const body = z.object({ request_id: z.string().min(1) }).safeParse(await jsonOrNull(c));
    if (!body.success) return c.json({ error: 'request_id is required' }, 400);
    const db = database(c.env.DB);
    const now = Date.now();
    const row = await reverseDelivered(db, body.data.request_id, now);
    if (!row) return c.json({ error: 'no delivered transaction with that request_id' }, 404);
    const callbacks = await deliverCallbacks(db, callbackFetch(c.env), callbackUrl(c), now, row.requestId);
    return c.json({ reversed: row.requestId, callbacks });
  });

  return sim;
}

/**
 * api-key + public-key on GET, api-key + secret-key on POST, or Basic with the account login;
 * anything else is 087. @see providers.md §2.2
 */
const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.var.config;
  const authorization = c.req.header('authorization');
  const apiKey = c.req.header('api-key');
  const pairKey = c.req.method === 'GET' ? c.req.header('public-key') : c.req.header('secret-key');
  const expectedPair = c.req.method === 'GET' ? config.VTPASS_PUBLIC_KEY : config.VTPASS_SECRET_KEY;
  const ok = authorization?.startsWith('Basic ')
    ? timingSafeEqualText(authorization, `Basic ${btoa(`${config.SIM_VTPASS_EMAIL}:${config.SIM_VTPASS_PASSWORD}`)}`)
    : apiKey !== undefined && pairKey !== undefined && timingSafeEqualText(apiKey, config.VTPASS_API_KEY) && timingSafeEqualText(pairKey, expectedPair);
  if (!ok) return vtpassError(c, '087', 'INVALID CREDENTIALS');
  await next();
});

function vtpassError(c: Context<AppEnv>, code: string, description: string) {
  return c.json({ code, response_description: description, content: { errors: [description] } });
}

async function jsonOrNull(c: Context<AppEnv>): Promise<unknown> {
  return c.req.json().catch(() => null);
}

function callbackUrl(c: Context<AppEnv>): string {
  return c.var.config.SIM_VTPASS_CALLBACK_URL ?? `${c.var.config.APP_URL.replace(/\/+$/, '')}/webhooks/vtpass`;
}

/**
 * First 12 characters: a real Lagos date and time of today (a few minutes' grace across
 * midnight), then letters and digits only. @see providers.md §2.3
 */
function requestIdIsValid(requestId: string, now: number): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})[A-Za-z0-9]*$/.exec(requestId);
  if (!match) return false;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const lagosWallClock = Date.UTC(year, month - 1, day, hour, minute);
  const stamp = new Date(lagosWallClock).toISOString().slice(0, 16).replace(/\D/g, '');
  if (stamp !== requestId.slice(0, 12)) return false;
  const today = new Date(now + LAGOS_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
  return requestId.startsWith(today) || Math.abs(lagosWallClock - LAGOS_OFFSET_MS - now) <= MIDNIGHT_GRACE_MS;
}

type PricedOrder = { recipient: string; amountKobo: number } | { error: { code: string; description: string } };

/**
 * Who the purchase is for and what it costs, VTpass's way: a plan's price comes from its
 * variation (any `amount` is ignored), airtime and electricity use `amount` within the
 * service's limits, TV renewals pay the given amount. @see providers.md §2.4, §2.6
 */
function priceOrder(service: SimService, body: PayBody): PricedOrder {
  const recipient = service.category === 'airtime' ? body.phone : body.billersCode;
  if (!recipient || !body.phone) return refusal('011', 'INVALID ARGUMENTS');
  const variation = service.variations.find((v) => v.code === body.variation_code);
  const isPlan = service.category === 'data' || (service.category === 'tv-subscription' && body.subscription_type !== 'renew');
  if ((isPlan || service.category === 'electricity-bill') && !variation) return refusal('010', 'VARIATION CODE DOES NOT EXIST');
  const listPrice = isPlan && variation ? variation.naira * 100 * (body.quantity ?? 1) : null;
  const amountKobo = service.category === 'data' || body.amount === undefined ? listPrice : nairaToKobo(body.amount);
  if (amountKobo === null || amountKobo <= 0) return refusal('011', 'INVALID ARGUMENTS');
  if (amountKobo < service.minimumNaira * 100) return refusal('013', 'BELOW MINIMUM AMOUNT ALLOWED');
  if (amountKobo > service.maximumNaira * 100) return refusal('017', 'ABOVE MAXIMUM AMOUNT ALLOWED');
  return { recipient, amountKobo };
}

function refusal(code: string, description: string): PricedOrder {
  return { error: { code, description } };
}
