import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { app } from '../src/app';
import { getConfig } from '../src/config';
import { database } from '../src/db/client';
import { catalogVariations } from '../src/db/schema';
import { providerFetch } from '../src/providers/http';
import { vtpassClientFromConfig } from '../src/providers/vtpass';
import { purchaseDeps, REQUERY_DELAYS_SECONDS, startPurchase, type PurchaseDeps } from '../src/services/purchases';
import { walletLedger } from '../src/services/wallets';
import { call, postJson, signUpUser } from './helpers';
import { expectLedgerInvariants } from './invariants';

type PurchaseJson = { id: string; serviceId: string; category: string; recipient: string; amount: number; status: string; token?: string; units?: string; failureReason?: string; subscription?: string };

let keyCounter = 0;
const newKey = () => `key-${Date.now()}-${(keyCounter += 1)}`;

/** A customer with `amount` kobo in the NGN wallet. */
async function fundedUser(amount = 1_000_000) {
  const signed = await signUpUser();
  if (amount > 0) await walletLedger(env, signed.user.id, 'NGN').credit({ id: `fund-${signed.user.id}`, amount, account: 'monnify:clearing' });
  return signed;
}

async function buy(cookie: string, body: unknown, key: string | null = newKey()) {
  const response = await postJson('/api/v1/purchases', body, { cookie, ...(key === null ? {} : { 'idempotency-key': key }) });
  const json = (await response.json()) as { data?: PurchaseJson; error?: { code: string; details?: Record<string, string[]> } };
  return { status: response.status, purchase: json.data!, error: json.error };
}

async function getPurchase(cookie: string, id: string) {
  const response = await call(`/api/v1/purchases/${id}`, { headers: { cookie } });
  return { status: response.status, purchase: response.status === 200 ? ((await response.json()) as { data: PurchaseJson }).data : null };
}

async function requestIdOf(purchaseId: string) {
  const row = await env.DB.prepare('SELECT request_id FROM purchases WHERE id = ?').bind(purchaseId).first<{ request_id: string }>();
  return row!.request_id;
}

async function simControl(path: '/flush' | '/reverse', requestId: string) {
  const response = await postJson(`/__sim/vtpass${path}`, { request_id: requestId });
  expect(response.status).toBe(200);
}

/** Runs the real queue consumer on one message, as the JOBS queue would. */
async function runJob(body: Record<string, unknown>) {
  const batch = createMessageBatch('malipo-jobs', [{ id: `msg-${Math.random()}`, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const airtime = (recipient: string, amount = 10_000) => ({ serviceId: 'mtn', recipient, amount });

describe('purchases: sandbox numbers end to end through the client and the simulator', () => {
  it('08011111111: delivered at once, the hold posted', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { status, purchase } = await buy(cookie, airtime('08011111111'));
    expect(status).toBe(201);
    expect(purchase).toMatchObject({ status: 'delivered', amount: 10_000, category: 'airtime', recipient: '08011111111' });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
  });

  it('electricity: delivered with the token and units kept for the receipt', async () => {
    const { user, cookie } = await fundedUser();
    const { status, purchase } = await buy(cookie, { serviceId: 'ikeja-electric', recipient: '1111111111111', variationCode: 'prepaid', amount: 200_000, phone: '08011111111' });
    expect(status).toBe(201);
    expect(purchase.status).toBe('delivered');
    expect(purchase.token).toMatch(/^\d{20}$/);
    expect(purchase.units).toBeTruthy();
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(800_000);
  });

  it('201000000000: pending (202, money held), then delivered after flush + callback + requery', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { status, purchase } = await buy(cookie, airtime('201000000000'));
    expect(status).toBe(202);
    expect(purchase.status).toBe('pending');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 10_000, available: 90_000 });
    await simControl('/flush', await requestIdOf(purchase.id));
    expect((await getPurchase(cookie, purchase.id)).purchase!.status).toBe('delivered');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
    const events = await env.DB.prepare("SELECT outcome FROM provider_events WHERE provider = 'vtpass' AND external_id = ?").bind(await requestIdOf(purchase.id)).all();
    expect(events.results.map((e) => e.outcome)).toEqual(['applied']);
  });

  it('201000000000: the queued requeries settle it without any callback, charged once', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { purchase } = await buy(cookie, airtime('201000000000'));
    for (let attempt = 0; attempt < 3 && (await getPurchase(cookie, purchase.id)).purchase!.status === 'pending'; attempt++) {
      const result = await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt });
      expect(result.retryMessages).toEqual([]);
    }
    expect((await getPurchase(cookie, purchase.id)).purchase!.status).toBe('delivered');
    await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt: 3 });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
  });

  it('201000000009: pending, then reversed by VTpass → hold released once, status reversed', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { status, purchase } = await buy(cookie, airtime('201000000009'));
    expect(status).toBe(202);
    await simControl('/flush', await requestIdOf(purchase.id));
    expect((await getPurchase(cookie, purchase.id)).purchase).toMatchObject({ status: 'reversed', failureReason: 'reversed' });
    await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt: 0 });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
  });

  it('a delivered purchase reversed later is refunded once through a reversal transfer', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { purchase } = await buy(cookie, airtime('08011111111'));
    const requestId = await requestIdOf(purchase.id);
    await simControl('/reverse', requestId);
    expect((await getPurchase(cookie, purchase.id)).purchase!.status).toBe('reversed');
    // The same callback again, and a stray requery: nothing more moves.
    const again = await postJson('/webhooks/vtpass', { type: 'transaction-update', data: { code: '000', requestId, content: { transactions: { status: 'reversed' } } } });
    expect(await again.json()).toEqual({ response: 'success' });
    await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt: 0 });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
    const entries = await walletLedger(env, user.id, 'NGN').entries({ limit: 20 });
    expect(entries.entries.filter((e) => e.kind === 'reversal')).toHaveLength(1);
  });

  it('300000000000: a timeout that was in fact delivered ends delivered and charged once', async () => {
    const { user } = await fundedUser(100_000);
    const base = purchaseDeps(env, getConfig(env));
    const deps: PurchaseDeps = { ...base, vtpass: vtpassClientFromConfig(getConfig(env), providerFetch(env), { timeoutMs: 300 }), scheduleRequery: async () => {} };
    const { purchase } = await startPurchase(deps, user.id, airtime('300000000000'), newKey());
    expect(purchase).toMatchObject({ status: 'pending', providerReason: 'timeout' });
    expect((await expectLedgerInvariants(user.id, 'NGN')).held).toBe(10_000);
    await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt: 0 });
    const row = await env.DB.prepare('SELECT status FROM purchases WHERE id = ?').bind(purchase.id).first();
    expect(row).toMatchObject({ status: 'delivered' });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
  });

  it('400000000000: no answer ever → stays pending, escalated to staff, never refunded blindly', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { status, purchase } = await buy(cookie, airtime('400000000000'));
    expect(status).toBe(202);
    await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt: 0 });
    await runJob({ type: 'purchase.requery', purchaseId: purchase.id, attempt: REQUERY_DELAYS_SECONDS.length - 1 });
    const deadline = await runJob({ type: 'ledger.hold-deadline', userId: user.id, currency: 'NGN', holdId: purchase.id, reference: `purchase:${purchase.id}`, amount: 10_000, deadline: Date.now() });
    expect(deadline.retryMessages).toEqual([]);
    const row = await env.DB.prepare('SELECT status, escalated_at FROM purchases WHERE id = ?').bind(purchase.id).first<{ status: string; escalated_at: number | null }>();
    expect(row!.status).toBe('pending');
    expect(row!.escalated_at).toBeTypeOf('number');
    const anomalies = await env.DB.prepare("SELECT COUNT(*) AS n FROM anomalies WHERE kind = 'purchase_unresolved' AND details LIKE ?").bind(`%${purchase.id}%`).first<{ n: number }>();
    expect(anomalies!.n).toBe(1);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 10_000, available: 90_000 });
  });

  it('any other number: failed, the hold voided', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { status, purchase } = await buy(cookie, airtime('08099999999'));
    expect(status).toBe(201);
    expect(purchase).toMatchObject({ status: 'failed', failureReason: 'transaction-failed' });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
  });

  it('014 (request id exists) is answered by a requery, never a second pay', async () => {
    const { user } = await fundedUser(100_000);
    const base = purchaseDeps(env, getConfig(env));
    let pays = 0;
    const vtpass = { ...base.vtpass, pay: async (order: Parameters<typeof base.vtpass.pay>[0]) => {
      pays += 1;
      await base.vtpass.pay(order);
      return base.vtpass.pay(order); // VTpass already has this request id: 014
    } };
    const { purchase } = await startPurchase({ ...base, vtpass, scheduleRequery: async () => {} }, user.id, airtime('08011111111'), newKey());
    expect(pays).toBe(1);
    expect(purchase.status).toBe('delivered');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
  });
});

describe('purchases: money and input rules', () => {
  it('50 concurrent purchases against a balance for 10: exactly 10 accepted, the rest 402', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const results = await Promise.all(Array.from({ length: 50 }, () => buy(cookie, airtime('08011111111'))));
    const accepted = results.filter((r) => r.status === 201);
    expect(accepted).toHaveLength(10);
    expect(accepted.every((r) => r.purchase.status === 'delivered')).toBe(true);
    expect(results.filter((r) => r.status === 402).every((r) => r.error?.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(results.filter((r) => r.status === 402)).toHaveLength(40);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 0, held: 0, available: 0 });
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM purchases WHERE user_id = ?').bind(user.id).first<{ n: number }>();
    expect(rows!.n).toBe(10);
  });

  it('the same key and body replays the first purchase; another body is 409', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const key = newKey();
    const first = await buy(cookie, airtime('08011111111'), key);
    const second = await buy(cookie, airtime('08011111111'), key);
    expect(second.status).toBe(201);
    expect(second.purchase.id).toBe(first.purchase.id);
    const reused = await buy(cookie, airtime('08011111111', 20_000), key);
    expect(reused.status).toBe(409);
    expect(reused.error!.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The key belongs to this customer only.
    const other = await fundedUser(100_000);
    expect((await buy(other.cookie, airtime('08011111111'), key)).status).toBe(201);
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(90_000);
  });

  it('price tampering: a plan costs its catalogue price whatever the client says', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const tampered = await buy(cookie, { serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-1gb-500', amount: 100 });
    expect(tampered.status).toBe(400);
    expect(tampered.error!.details).toHaveProperty('amount');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
    const honest = await buy(cookie, { serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-1gb-500' });
    expect(honest).toMatchObject({ status: 201, purchase: { status: 'delivered', amount: 51_000 } });
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(49_000);
  });

  it('a plan priced below what VTpass charges is sold once at our price, then withdrawn and reported to staff', async () => {
    const { user, cookie } = await fundedUser(200_000);
    const plan = and(eq(catalogVariations.serviceId, 'mtn-data'), eq(catalogVariations.code, 'mtn-3-5gb-2500'));
    const db = database(env.DB);
    expect((await call('/api/v1/catalog')).status).toBe(200); // fills the catalogue on first use
    const [listed] = await db.select().from(catalogVariations).where(plan);
    // A mistyped cost: we sell at ₦1,010 what VTpass charges ₦2,500 for.
    await db.update(catalogVariations).set({ costAmount: 100_000, price: 101_000 }).where(plan);
    try {
      const sold = await buy(cookie, { serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-3-5gb-2500' });
      expect(sold).toMatchObject({ status: 201, purchase: { status: 'delivered', amount: 101_000 } });
      expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 99_000, held: 0, available: 99_000 });
      const anomaly = await db.query.anomalies.findFirst({ where: (t, { eq }) => and(eq(t.kind, 'purchase_underpriced'), like(t.details, `%${sold.purchase.id}%`)) });
      expect(JSON.parse(anomaly!.details)).toMatchObject({ purchaseId: sold.purchase.id, charged: 101_000, providerAmount: 250_000, planWithdrawn: true });
      expect((await db.select().from(catalogVariations).where(plan))[0]!.enabled).toBe(false);
      const refused = await buy(cookie, { serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-3-5gb-2500' });
      expect(refused.status).toBe(400);
      expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(99_000);
    } finally {
      await db.update(catalogVariations).set(listed!).where(plan);
    }
  });

  it('bad input is 400 and nothing is held or recorded', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const cases: [unknown, string | null][] = [
      [airtime('08011111111'), null],
      [{ serviceId: 'mtn', recipient: '08011111111' }, newKey()],
      [airtime('08011111111', 100), newKey()],
      [airtime('08011111111', 10_050), newKey()],
      [airtime('0801'), newKey()],
      [{ serviceId: 'nope', recipient: '08011111111', amount: 10_000 }, newKey()],
      [{ serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'no-such-plan' }, newKey()],
      [{ serviceId: 'ikeja-electric', recipient: '1111111111111', amount: 200_000 }, newKey()],
      [{ ...airtime('08011111111'), extra: true }, newKey()],
      [{ ...airtime('08011111111'), amount: 100.5 }, newKey()],
    ];
    for (const [body, key] of cases) {
      const result = await buy(cookie, body, key);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.error!.code).toBe('VALIDATION_FAILED');
    }
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM purchases WHERE user_id = ?').bind(user.id).first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });

  it('a purchase is visible to its owner only, and listed newest first', async () => {
    const { cookie } = await fundedUser(100_000);
    const a = await buy(cookie, airtime('08011111111'));
    const b = await buy(cookie, airtime('08099999999'));
    const list = (await (await call('/api/v1/purchases', { headers: { cookie } })).json()) as { data: PurchaseJson[] };
    expect(list.data.map((p) => p.id)).toEqual([b.purchase.id, a.purchase.id]);
    const stranger = await signUpUser();
    expect((await getPurchase(stranger.cookie, a.purchase.id)).status).toBe(404);
    expect((await call('/api/v1/purchases')).status).toBe(401);
  });

  it('a webhook for an unknown request id is answered success, stored, and changes nothing', async () => {
    const raw = JSON.stringify({ type: 'transaction-update', data: { code: '000', requestId: '202501151430unknown', content: { transactions: { status: 'delivered' } } } });
    const response = await call('/webhooks/vtpass', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response: 'success' });
    const event = await env.DB.prepare("SELECT outcome, note FROM provider_events WHERE provider = 'vtpass' AND external_id = '202501151430unknown'").first();
    expect(event).toMatchObject({ outcome: 'ignored', note: 'unknown request id' });
  });
});

describe('purchases: TV renewal priced by VTpass verify', () => {
  const renew = (extra: Record<string, unknown> = {}) => ({ serviceId: 'dstv', recipient: '1212121212', subscription: 'renew', phone: '08011111111', ...extra });

  it('charges exactly the renewal amount merchant-verify gives and sends VTpass a renew', async () => {
    const { user, cookie } = await fundedUser(5_000_000);
    const { status, purchase } = await buy(cookie, renew());
    expect(status).toBe(201);
    expect(purchase).toMatchObject({ status: 'delivered', category: 'tv', amount: 1_900_000, subscription: 'renew' });
    expect(purchase).not.toHaveProperty('variationCode');
    const sent = await env.DB.prepare('SELECT amount_kobo, variation_code FROM sim_vtpass_transactions WHERE request_id = ?').bind(await requestIdOf(purchase.id)).first();
    expect(sent).toEqual({ amount_kobo: 1_900_000, variation_code: null });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 3_100_000, held: 0, available: 3_100_000 });
  });

  it('the order handed to the client is a tv-renew with the verified amount', async () => {
    const { user } = await fundedUser(5_000_000);
    const base = purchaseDeps(env, getConfig(env));
    const orders: Parameters<typeof base.vtpass.pay>[0][] = [];
    const vtpass = { ...base.vtpass, pay: async (order: Parameters<typeof base.vtpass.pay>[0]) => (orders.push(order), base.vtpass.pay(order)) };
    const { purchase } = await startPurchase({ ...base, vtpass }, user.id, { serviceId: 'gotv', recipient: '1212121212', subscription: 'renew', phone: '08011111111' }, newKey());
    expect(purchase).toMatchObject({ status: 'delivered', amount: 850_000, variationCode: null });
    expect(orders).toEqual([{ kind: 'tv-renew', requestId: purchase.requestId, serviceId: 'gotv', smartcardNumber: '1212121212', amountKobo: 850_000, phone: '08011111111' }]);
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(4_150_000);
  });

  it('a client amount other than the renewal amount is refused; the right one is accepted', async () => {
    const { user, cookie } = await fundedUser(5_000_000);
    const cheap = await buy(cookie, renew({ amount: 100_000 }));
    expect(cheap.status).toBe(400);
    expect(cheap.error!.details).toHaveProperty('amount');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 5_000_000, held: 0, available: 5_000_000 });
    const exact = await buy(cookie, renew({ amount: 1_900_000 }));
    expect(exact).toMatchObject({ status: 201, purchase: { amount: 1_900_000, status: 'delivered' } });
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(3_100_000);
  });

  it('refuses a renewal with a bouquet, of a non-TV service, or of an unknown smartcard, holding nothing', async () => {
    const { user, cookie } = await fundedUser(5_000_000);
    const cases: [unknown, string][] = [
      [renew({ variationCode: 'dstv79' }), 'variationCode'],
      [{ ...airtime('08011111111'), subscription: 'renew' }, 'subscription'],
      [renew({ recipient: '9999999999' }), 'recipient'],
      [renew({ subscription: 'pause' }), 'subscription'],
    ];
    for (const [body, field] of cases) {
      const result = await buy(cookie, body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.error!.details, JSON.stringify(body)).toHaveProperty(field);
    }
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 5_000_000, held: 0, available: 5_000_000 });
  });

  it('a bouquet change still works, and "change" sent explicitly replays the same key as before', async () => {
    const { user, cookie } = await fundedUser(5_000_000);
    const key = newKey();
    const change = { serviceId: 'gotv', recipient: '1212121212', variationCode: 'gotv-max', phone: '08011111111' };
    const first = await buy(cookie, change, key);
    expect(first).toMatchObject({ status: 201, purchase: { status: 'delivered', subscription: 'change', amount: 858_500 } });
    const explicit = await buy(cookie, { ...change, subscription: 'change' }, key);
    expect(explicit.purchase.id).toBe(first.purchase.id);
    const renewal = await buy(cookie, { serviceId: 'gotv', recipient: '1212121212', phone: '08011111111', subscription: 'renew' }, key);
    expect(renewal.status).toBe(409);
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(5_000_000 - 858_500);
  });
});

describe('purchases: per-customer rate limit', () => {
  /** The purchase API with a lower PURCHASE_MAX_PER_MINUTE. */
  async function buyLimited(limit: number, cookie: string, body: unknown, key: string) {
    const request = new Request('http://malipo.test/api/v1/purchases', { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'idempotency-key': key }, body: JSON.stringify(body) });
    const response = await app.fetch(request, { ...env, PURCHASE_MAX_PER_MINUTE: String(limit) });
    const json = (await response.json()) as { data?: PurchaseJson; error?: { code: string } };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), purchase: json.data, error: json.error };
  }

  it('past the limit a new purchase is 429 with Retry-After and nothing held; a replay still replays', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const keys = [newKey(), newKey(), newKey()];
    const first = await buyLimited(2, cookie, airtime('08011111111'), keys[0]!);
    expect(first.status).toBe(201);
    expect((await buyLimited(2, cookie, airtime('08011111111'), keys[1]!)).status).toBe(201);
    const third = await buyLimited(2, cookie, airtime('08011111111'), keys[2]!);
    expect(third.status).toBe(429);
    expect(third.error!.code).toBe('RATE_LIMITED');
    expect(Number(third.retryAfter)).toBeGreaterThanOrEqual(1);
    const replay = await buyLimited(2, cookie, airtime('08011111111'), keys[0]!);
    expect(replay.status).toBe(201);
    expect(replay.purchase!.id).toBe(first.purchase!.id);
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM purchases WHERE user_id = ?').bind(user.id).first<{ n: number }>();
    expect(rows!.n).toBe(2);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 80_000, held: 0, available: 80_000 });
    // The limit is per customer.
    const other = await fundedUser(100_000);
    expect((await buyLimited(2, other.cookie, airtime('08011111111'), newKey())).status).toBe(201);
  });
});
