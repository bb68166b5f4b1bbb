import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../src/index';
import { describe, expect, it } from 'vitest';
import { call, postJson, signUpUser } from './helpers';
import { expectLedgerInvariants } from './invariants';
import { database } from '../src/db/client';
import { retryDelaySeconds } from '../src/jobs/queue';
import { redactPath } from '../src/middleware/request-context';
import { parseConfig } from '../src/config';
import { parseStkCallback } from '../src/providers/mpesa';
import { handleMpesaCallback, isFinalFailure, settleSucceeded } from '../src/services/mpesa-deposits';

let phoneCounter = 0;
/** A fresh valid Safaricom number (the simulator pays any non-magic number), so per-phone limits never collide. */
function freshPhone() {
  phoneCounter += 1;
  return `07${String(Date.now() % 1_000_000).padStart(6, '0')}${String(phoneCounter % 100).padStart(2, '0')}`;
}

type DepositJson = { id: string; status: string; amount: number; receipt?: string; failureReason?: string; phone?: string };

async function deposit(cookie: string, body: unknown, headers: Record<string, string> = {}) {
  return postJson('/api/v1/deposits/mpesa', body, { cookie, ...headers });
}

async function startDeposit(cookie: string, phone: string, amount = 150_000) {
  const response = await deposit(cookie, { amount, phone });
  expect(response.status).toBe(202);
  return ((await response.json()) as { data: DepositJson }).data;
}

async function getDeposit(cookie: string, id: string) {
  const response = await call(`/api/v1/deposits/${id}`, { headers: { cookie } });
  return { status: response.status, deposit: response.status === 200 ? ((await response.json()) as { data: DepositJson }).data : null };
}

function depositRow(id: string) {
  return env.DB.prepare('SELECT * FROM deposits WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

/** Makes the simulator deliver this deposit's callback now (the vitest config turns auto-delivery off). */
async function flush(checkoutRequestId: string) {
  const response = await call(`/__sim/mpesa/flush?checkoutRequestId=${encodeURIComponent(checkoutRequestId)}`, { method: 'POST' });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { delivered: string[] } }).data.delivered;
}

async function settleThroughCallback(cookie: string, phone: string, amount = 150_000) {
  const started = await startDeposit(cookie, phone, amount);
  const row = await depositRow(started.id);
  await flush(String(row!.checkout_request_id));
  return (await getDeposit(cookie, started.id)).deposit!;
}

/** Runs the real queue consumer on one deposit.check message, as the JOBS queue would. */
async function runCheck(depositId: string, attempt = 0) {
  const batch = createMessageBatch('malipo-jobs', [{ id: `msg-${depositId}-${attempt}`, timestamp: new Date(), attempts: 1, body: { type: 'deposit.check', depositId, attempt } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('M-Pesa deposits: every simulator outcome end to end', () => {
  it('paid: the callback credits the wallet once, with the receipt', async () => {
    const { user, cookie } = await signUpUser();
    const settled = await settleThroughCallback(cookie, freshPhone());
    expect(settled).toMatchObject({ status: 'succeeded', amount: 150_000, receipt: expect.stringMatching(/^[A-Z0-9]{10}$/) });
    const balance = await expectLedgerInvariants(user.id, 'KES');
    expect(balance).toMatchObject({ balance: 150_000, held: 0, available: 150_000 });
  });

  const failures: [string, string, string][] = [
    ['cancelled', '254700000001', 'cancelled'],
    ['timeout', '254700000002', 'timeout'],
    ['insufficient M-Pesa balance', '254700000003', 'insufficient_funds'],
    ['wrong PIN', '254700000004', 'wrong_pin'],
  ];
  it.each(failures)('%s: the deposit fails with a plain reason and nothing is credited', async (_, phone, reason) => {
    const { user, cookie } = await signUpUser();
    const settled = await settleThroughCallback(cookie, phone);
    expect(settled).toMatchObject({ status: 'failed', failureReason: reason });
    const page = await (await call(`/deposit/${settled.id}/status`, { headers: { cookie } })).text();
    expect(page).toContain('Payment not completed');
    const balance = await expectLedgerInvariants(user.id, 'KES');
    expect(balance.balance).toBe(0);
  });

  it('no callback: the queued STK query settles it, without a receipt', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, '254700000005');
    const row = await depositRow(started.id);
    expect(await flush(String(row!.checkout_request_id))).toEqual([]); // the simulator never calls back
    expect((await getDeposit(cookie, started.id)).deposit!.status).toBe('pending');

    const result = await runCheck(started.id);
    expect(result.explicitAcks).toEqual([`msg-${started.id}-0`]);
    const settled = (await getDeposit(cookie, started.id)).deposit!;
    expect(settled.status).toBe('succeeded');
    expect(settled.receipt).toBeUndefined();
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(150_000);
  });

  it('duplicated callback: one credit, the second event recorded as a duplicate', async () => {
    const { user, cookie } = await signUpUser();
    const settled = await settleThroughCallback(cookie, '254700000006');
    expect(settled.status).toBe('succeeded');
    const events = await env.DB.prepare('SELECT outcome FROM provider_events WHERE deposit_id = ? ORDER BY received_at').bind(settled.id).all();
    expect(events.results.map((e) => e.outcome)).toEqual(['applied', 'duplicate']);
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(150_000);
  });

  it('pending query answers schedule the next check with a growing delay', async () => {
    const { cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    const result = await runCheck(started.id, 2);
    expect(result.explicitAcks).toHaveLength(1);
    const row = await depositRow(started.id);
    expect(row!.status).toBe('pending');
    expect(row!.checks).toBe(1);
    const wait = Number(row!.next_check_at) - Date.now();
    expect(wait).toBeGreaterThan(100_000); // the fourth check waits 120 s
    expect(wait).toBeLessThanOrEqual(120_000);
  });
});

describe('M-Pesa callback security', () => {
  it('an unknown token is 404 and changes nothing', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    const row = await depositRow(started.id);
    const forged = { Body: { stkCallback: { MerchantRequestID: 'x', CheckoutRequestID: row!.checkout_request_id, ResultCode: 0, ResultDesc: 'ok', CallbackMetadata: { Item: [{ Name: 'Amount', Value: 1500 }, { Name: 'MpesaReceiptNumber', Value: 'FORGED0001' }, { Name: 'PhoneNumber', Value: 254708374149 }] } } } };
    const response = await postJson('/webhooks/mpesa/not-the-token', forged);
    expect(response.status).toBe(404);
    expect((await depositRow(started.id))!.status).toBe('pending');
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
    const rejected = await env.DB.prepare("SELECT count(*) AS n FROM provider_events WHERE outcome = 'rejected' AND payload LIKE '%FORGED0001%'").first();
    expect(rejected).toEqual({ n: 1 });
  });

  it('amount mismatch, wrong checkout id and a callback after the final state never credit', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    // Capture the real callback (URL with the secret token) by reading the simulator's record of it.
    const sim = await env.DB.prepare('SELECT callback_url, checkout_request_id FROM sim_mpesa_payments WHERE checkout_request_id = (SELECT checkout_request_id FROM deposits WHERE id = ?)').bind(started.id).first<{ callback_url: string; checkout_request_id: string }>();
    const path = new URL(sim!.callback_url).pathname;
    const body = (amount: number, checkout: string, code = 0) => ({
      Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: checkout, ResultCode: code, ResultDesc: 'x', ...(code === 0 ? { CallbackMetadata: { Item: [{ Name: 'Amount', Value: amount }, { Name: 'MpesaReceiptNumber', Value: 'RCPT000001' }, { Name: 'PhoneNumber', Value: 254708374149 }] } } : {}) } },
    });
    expect((await postJson(path, body(1, sim!.checkout_request_id))).status).toBe(200);
    expect((await postJson(path, body(1500, 'ws_CO_someone_else'))).status).toBe(200);
    expect((await depositRow(started.id))!.status).toBe('pending');
    const anomalies = await env.DB.prepare("SELECT kind FROM anomalies WHERE deposit_id = ?").bind(started.id).all();
    expect(anomalies.results.map((a) => a.kind)).toEqual(['callback_mismatch', 'callback_mismatch']);

    expect((await postJson(path, body(1500, sim!.checkout_request_id, 1032))).status).toBe(200);
    expect((await depositRow(started.id))!.status).toBe('failed');
    expect((await postJson(path, body(1500, sim!.checkout_request_id))).status).toBe(200);
    const final = await depositRow(started.id);
    expect(final!.status).toBe('failed'); // a final state never changes
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
    const late = await env.DB.prepare("SELECT count(*) AS n FROM anomalies WHERE deposit_id = ? AND details LIKE '%paid after%'").bind(started.id).first();
    expect(late).toEqual({ n: 1 });
  });

  it('malformed JSON is 400, stored as rejected, changes nothing', async () => {
    const { cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    const sim = await env.DB.prepare('SELECT callback_url FROM sim_mpesa_payments WHERE checkout_request_id = (SELECT checkout_request_id FROM deposits WHERE id = ?)').bind(started.id).first<{ callback_url: string }>();
    const response = await call(new URL(sim!.callback_url).pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Body": {' });
    expect(response.status).toBe(400);
    expect((await depositRow(started.id))!.status).toBe('pending');
  });
});

describe('M-Pesa deposit requests', () => {
  const bad: [string, unknown][] = [
    ['zero', { amount: 0, phone: freshPhone() }],
    ['below KES 1', { amount: 50, phone: freshPhone() }],
    ['above KES 250,000', { amount: 25_000_100, phone: freshPhone() }],
    ['cents', { amount: 150_050, phone: freshPhone() }],
    ['a float', { amount: 1500.5, phone: freshPhone() }],
    ['a string amount', { amount: '1500', phone: freshPhone() }],
    ['a foreign phone', { amount: 150_000, phone: '+2348011111111' }],
    ['a landline', { amount: 150_000, phone: '020 123 4567' }],
    ['no phone', { amount: 150_000 }],
  ];
  it.each(bad)('rejects %s with 400 and stores nothing', async (_, body) => {
    const { user, cookie } = await signUpUser();
    const response = await deposit(cookie, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const count = await env.DB.prepare('SELECT count(*) AS n FROM deposits WHERE user_id = ?').bind(user.id).first();
    expect(count).toEqual({ n: 0 });
  });

  it('requires a session', async () => {
    expect((await postJson('/api/v1/deposits/mpesa', { amount: 150_000, phone: freshPhone() })).status).toBe(401);
  });

  it('one customer cannot read another customer’s deposit', async () => {
    const alice = await signUpUser();
    const bob = await signUpUser();
    const started = await startDeposit(alice.cookie, freshPhone());
    expect((await getDeposit(bob.cookie, started.id)).status).toBe(404);
    expect((await call(`/deposit/${started.id}/status`, { headers: { cookie: bob.cookie } })).status).toBe(404);
    const list = (await (await call('/api/v1/deposits', { headers: { cookie: bob.cookie } })).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
  });

  it('honours Idempotency-Key: same body replays, another body is 409', async () => {
    const { user, cookie } = await signUpUser();
    const phone = freshPhone();
    const first = await deposit(cookie, { amount: 150_000, phone }, { 'idempotency-key': 'key-1' });
    const again = await deposit(cookie, { amount: 150_000, phone: `+254 ${phone.slice(1)}` }, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { data: DepositJson }).data.id).toBe(((await first.json()) as { data: DepositJson }).data.id);
    const reused = await deposit(cookie, { amount: 200_000, phone }, { 'idempotency-key': 'key-1' });
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const count = await env.DB.prepare('SELECT count(*) AS n FROM deposits WHERE user_id = ?').bind(user.id).first();
    expect(count).toEqual({ n: 1 });
  });

  it('rate limits prompts to one phone', async () => {
    const { cookie } = await signUpUser();
    const other = await signUpUser();
    const phone = '0711000111';
    for (let i = 0; i < 5; i++) expect((await deposit(i % 2 ? cookie : other.cookie, { amount: 10_000, phone })).status).toBe(202);
    const limited = await deposit(cookie, { amount: 10_000, phone });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('lists deposits newest first', async () => {
    const { cookie } = await signUpUser();
    const a = await startDeposit(cookie, '0722000001', 10_000);
    const b = await startDeposit(cookie, '0722000002', 20_000);
    const list = (await (await call('/api/v1/deposits', { headers: { cookie } })).json()) as { data: DepositJson[] };
    expect(list.data.map((d) => d.id)).toEqual([b.id, a.id]);
  });
});

describe('settling without a callback', () => {
  it('the cron sweep re-enqueues deposits whose checks were lost', async () => {
    const { cookie } = await signUpUser();
    const started = await startDeposit(cookie, '0733000001');
    await env.DB.prepare('UPDATE deposits SET next_check_at = ? WHERE id = ?').bind(Date.now() - 5 * 60_000, started.id).run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env);
    await waitOnExecutionContext(ctx);
    const row = await depositRow(started.id);
    expect(Number(row!.next_check_at)).toBeGreaterThan(Date.now()); // rescheduled, not left stale
  });

  it('a deposit past its expiry with no answer goes to staff, still pending', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, '0733000002');
    await env.DB.prepare('UPDATE deposits SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, started.id).run();
    await runCheck(started.id, 6);
    expect((await depositRow(started.id))!.status).toBe('pending');
    const anomaly = await env.DB.prepare("SELECT kind FROM anomalies WHERE deposit_id = ?").bind(started.id).first();
    expect(anomaly).toEqual({ kind: 'deposit_unresolved' });
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
  });

  it('backs off failed jobs with a growing delay', () => {
    expect([1, 2, 3, 4, 10].map(retryDelaySeconds)).toEqual([15, 30, 60, 120, 900]);
  });

  it('acks messages there is nothing to do for, and unreadable ones', async () => {
    const batch = createMessageBatch('malipo-jobs', [{ id: 'bad-1', timestamp: new Date(), attempts: 3, body: { type: 'deposit.check', depositId: 'dep_missing', attempt: 0 } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(['bad-1']); // an unknown deposit is nothing to do

    const garbage = createMessageBatch('malipo-jobs', [{ id: 'bad-2', timestamp: new Date(), attempts: 1, body: { type: 'nope' } }]);
    const ctx2 = createExecutionContext();
    await worker.queue(garbage, env);
    expect((await getQueueResult(garbage, ctx2)).explicitAcks).toEqual(['bad-2']);
  });
});

describe('review follow-ups', () => {
  it('treats only documented ResultCodes as final failures', () => {
    for (const code of [1, 1032, 1037, 2001, '1019', 'SFC_IC0003']) expect(isFinalFailure(code)).toBe(true);
    for (const code of [0, 4999, '9998', 'SOMETHING_NEW']) expect(isFinalFailure(code)).toBe(false);
  });

  it('a callback for a deposit without a CheckoutRequestID on record is not credited', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    const sim = await env.DB.prepare('SELECT callback_url, checkout_request_id FROM sim_mpesa_payments WHERE checkout_request_id = (SELECT checkout_request_id FROM deposits WHERE id = ?)').bind(started.id).first<{ callback_url: string; checkout_request_id: string }>();
    await env.DB.prepare('UPDATE deposits SET checkout_request_id = NULL WHERE id = ?').bind(started.id).run();
    await flush(sim!.checkout_request_id);
    expect((await depositRow(started.id))!.status).toBe('pending');
    const anomaly = await env.DB.prepare('SELECT kind FROM anomalies WHERE deposit_id = ?').bind(started.id).first();
    expect(anomaly).toEqual({ kind: 'callback_mismatch' });
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
  });

  it('a credit that loses the race to a recorded failure goes to staff, and is never repeated', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    const stale = (await database(env.DB).query.deposits.findFirst({ where: (d, { eq }) => eq(d.id, started.id) }))!;
    await env.DB.prepare("UPDATE deposits SET status = 'failed', failure_reason = 'timeout' WHERE id = ?").bind(started.id).run();
    await settleSucceeded(env, database(env.DB), stale, 'RCPT000009');
    await settleSucceeded(env, database(env.DB), stale, 'RCPT000009');
    expect((await depositRow(started.id))!.status).toBe('failed');
    const anomalies = await env.DB.prepare("SELECT count(*) AS n FROM anomalies WHERE deposit_id = ? AND kind = 'credited_but_failed'").bind(started.id).first();
    expect(anomalies).toEqual({ n: 2 });
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(150_000); // credited exactly once
  });

  it('never logs the callback token', () => {
    expect(redactPath('/webhooks/mpesa/abcDEF123_-xyz')).toBe('/webhooks/mpesa/:token');
    expect(redactPath('/api/v1/deposits')).toBe('/api/v1/deposits');
  });
});

describe('callback source IP allowlist', () => {
  async function pendingWithCallback() {
    const { user, cookie } = await signUpUser();
    const started = await startDeposit(cookie, freshPhone());
    const sim = await env.DB.prepare('SELECT callback_url, checkout_request_id FROM sim_mpesa_payments WHERE checkout_request_id = (SELECT checkout_request_id FROM deposits WHERE id = ?)').bind(started.id).first<{ callback_url: string; checkout_request_id: string }>();
    const token = new URL(sim!.callback_url).pathname.split('/').pop()!;
    const body = JSON.stringify({
      Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: sim!.checkout_request_id, ResultCode: 0, ResultDesc: 'ok', CallbackMetadata: { Item: [{ Name: 'Amount', Value: 1500 }, { Name: 'MpesaReceiptNumber', Value: 'IPTEST0001' }, { Name: 'PhoneNumber', Value: Number(started.phone) }] } } },
    });
    return { user, started, token, body };
  }
  const configWith = (mode: 'log' | 'enforce') => ({ ...parseConfig(env as unknown as Record<string, unknown>), MPESA_CALLBACK_IP_MODE: mode, MPESA_CALLBACK_IPS: '196.201.214.200,196.201.214.206' });

  it('log mode: an unlisted IP is recorded for staff and the payment still settles', async () => {
    const { user, started, token, body } = await pendingWithCallback();
    const result = await handleMpesaCallback({ db: database(env.DB), env, config: configWith('log') }, token, body, '203.0.113.9', parseStkCallback);
    expect(result.status).toBe(200);
    expect((await depositRow(started.id))!.status).toBe('succeeded');
    const anomaly = await env.DB.prepare("SELECT kind FROM anomalies WHERE deposit_id = ?").bind(started.id).first();
    expect(anomaly).toEqual({ kind: 'callback_ip_not_allowed' });
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(150_000);
  });

  it('enforce mode: an unlisted IP is refused and nothing is credited; a listed one settles', async () => {
    const { user, started, token, body } = await pendingWithCallback();
    const deps = { db: database(env.DB), env, config: configWith('enforce') };
    expect((await handleMpesaCallback(deps, token, body, '203.0.113.9', parseStkCallback)).status).toBe(403);
    expect((await depositRow(started.id))!.status).toBe('pending');
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
    expect((await handleMpesaCallback(deps, token, body, '196.201.214.206', parseStkCallback)).status).toBe(200);
    expect((await depositRow(started.id))!.status).toBe('succeeded');
  });
});
