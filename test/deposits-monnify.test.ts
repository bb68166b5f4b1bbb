import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { ACCOUNT_POLL_MS } from '../src/views/pages/deposit';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { getConfig } from '../src/config';
import { providerFetch } from '../src/providers/http';
import { monnifyClientFromConfig } from '../src/providers/monnify';
import { signMonnifyBody } from '../src/providers/monnify-webhook';
import { call, postForm, postJson, signUpUser } from './helpers';
import { expectLedgerInvariants } from './invariants';

const SECRET = getConfig(env).MONNIFY_SECRET_KEY;

type Account = { status: string; accountReference: string; accounts: { bankName: string; bankCode: string; accountNumber: string; accountName: string }[] };
type DepositJson = { id: string; method: string; currency: string; status: string; amount: number; receipt?: string; failureReason?: string; checkoutUrl?: string | null };

let messageCounter = 0;
/**
 * Runs the real queue consumer on one `monnify.reserve-account` message, as the JOBS queue would.
 * A hand-made batch, because the test harness's queue result does not report retry delays.
 */
async function runReserveJob(userId: string, attempts = 1) {
  messageCounter += 1;
  const result = { explicitAcks: [] as string[], retryMessages: [] as { msgId: string; delaySeconds?: number }[] };
  const id = `msg-reserve-${messageCounter}`;
  const message = {
    id,
    timestamp: new Date(),
    attempts,
    body: { type: 'monnify.reserve-account', userId },
    ack: () => void result.explicitAcks.push(id),
    retry: (options?: { delaySeconds?: number }) => void result.retryMessages.push({ msgId: id, delaySeconds: options?.delaySeconds }),
  };
  const batch = { queue: 'malipo-jobs', messages: [message], ackAll: () => {}, retryAll: () => {} } as unknown as MessageBatch<unknown>;
  await worker.queue(batch, env);
  return result;
}

async function sweep() {
  await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env);
}

async function sim<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await postJson(`/__sim/monnify${path}`, body);
  return { status: response.status, body: (await response.json()) as T };
}

async function getAccount(cookie: string) {
  const response = await call('/api/v1/deposits/monnify/account', { headers: { cookie } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Account }).data;
}

/** A signed-up customer whose dedicated account exists, created by the real job. */
async function customerWithAccount() {
  const signedUp = await signUpUser({ name: 'Ada Obi' });
  const result = await runReserveJob(signedUp.user.id);
  expect(result.retryMessages).toEqual([]);
  const account = await getAccount(signedUp.cookie);
  expect(account.status).toBe('active');
  return { ...signedUp, accountNumber: account.accounts[0]!.accountNumber };
}

/** A transfer into a reserved account whose notification the simulator holds (not sent). */
async function heldTransfer(accountNumber: string, amount: number) {
  const transfer = await sim<{ data: { transactionReference: string } }>('/transfers', { accountNumber, amount, deliver: 'later' });
  expect(transfer.status).toBe(201);
  const reference = transfer.body.data.transactionReference;
  const row = await env.DB.prepare('SELECT body FROM sim_monnify_webhooks WHERE transaction_reference = ? LIMIT 1').bind(reference).first<{ body: string }>();
  return { reference, body: row!.body };
}

async function postWebhook(body: string, headers: Record<string, string>) {
  return call('/webhooks/monnify', { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': '35.242.133.146', ...headers }, body });
}

async function signedHeaders(body: string, secret = SECRET) {
  return { 'monnify-signature': await signMonnifyBody(body, secret) };
}

async function ngnBalance(userId: string) {
  return (await expectLedgerInvariants(userId, 'NGN')).balance;
}

async function startCheckout(cookie: string, amount = 500_000, headers: Record<string, string> = {}) {
  const response = await postJson('/api/v1/deposits/monnify', { amount }, { cookie, ...headers });
  expect(response.status).toBe(201);
  return ((await response.json()) as { data: DepositJson }).data;
}

async function depositOf(cookie: string, id: string) {
  const response = await call(`/api/v1/deposits/${id}`, { headers: { cookie } });
  return ((await response.json()) as { data: DepositJson }).data;
}

function payCheckout(checkoutUrl: string, fields: Record<string, string>) {
  return postForm(new URL(checkoutUrl).pathname, fields);
}

function anomaliesFor(column: 'deposit_id' | 'kind', value: string) {
  return env.DB.prepare(`SELECT kind, details FROM anomalies WHERE ${column} = ?`).bind(value).all<{ kind: string; details: string }>();
}

describe('Monnify reserved accounts', () => {
  it('/deposit checks by itself while the account is being set up, and shows it once it exists', async () => {
    const { user, cookie, accountNumber } = await customerWithAccount();
    const poll = (since: number) => call(`/deposit/monnify/account?since=${since}`, { headers: { cookie, 'hx-request': 'true' } });
    // Held in set-up on purpose: the reserve job has already run, so nothing changes it behind the test.
    await env.DB.prepare("UPDATE monnify_accounts SET status = 'pending' WHERE user_id = ?").bind(user.id).run();
    const page = await (await call('/deposit', { headers: { cookie } })).text();
    expect(page).toMatch(/hx-get="\/deposit\/monnify\/account\?since=\d+" hx-trigger="every 5s" hx-swap="outerHTML"/);
    const waiting = await poll(Date.now());
    expect(waiting.status).toBe(204); // nothing to swap, nothing re-announced
    const gaveUp = await poll(Date.now() - ACCOUNT_POLL_MS);
    expect(gaveUp.status).toBe(286); // htmx stops polling
    const card = await gaveUp.text();
    expect(card).toContain('taking longer than usual');
    expect(card).not.toContain('hx-trigger');

    await env.DB.prepare("UPDATE monnify_accounts SET status = 'active' WHERE user_id = ?").bind(user.id).run();
    const ready = await poll(Date.now());
    expect(ready.status).toBe(200);
    const html = await ready.text();
    expect(html).toContain(accountNumber);
    expect(html).not.toContain('hx-trigger');
  });

  it('is requested after signup, shown on /deposit and by the API, and a transfer into it credits the NGN wallet once', async () => {
    const { user, cookie, accountNumber } = await customerWithAccount();
    expect(accountNumber).toMatch(/^\d{10}$/);
    const page = await (await call('/deposit', { headers: { cookie } })).text();
    expect(page).toContain(accountNumber);
    expect(page).toContain(`data-copy="${accountNumber}"`);
    // Two forms on one page: each field keeps its own id, so each label names its own input.
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(page).toContain('<label for="monnify-amount">Amount (NGN)</label>');

    const transfer = await sim<{ data: { transactionReference: string } }>('/transfers', { accountNumber, amount: 300_000 });
    expect(transfer.status).toBe(201);
    expect(await ngnBalance(user.id)).toBe(300_000);
    const list = (await (await call('/api/v1/deposits', { headers: { cookie } })).json()) as { data: DepositJson[] };
    expect(list.data[0]).toMatchObject({ method: 'monnify', currency: 'NGN', amount: 300_000, status: 'succeeded', receipt: transfer.body.data.transactionReference });
    const entries = (await (await call('/api/v1/wallets/NGN/entries', { headers: { cookie } })).json()) as { data: { transferId?: string }[] };
    expect(JSON.stringify(entries.data)).toContain(transfer.body.data.transactionReference.replace(/\|/g, ':'));
  });

  it('creation is retried with a growing delay after provider errors, then succeeds', async () => {
    await sim('/faults', { createReservedAccount: 100 });
    try {
      const { user, cookie } = await signUpUser();
      expect((await getAccount(cookie)).status).toBe('pending');
      const first = await runReserveJob(user.id, 1);
      const second = await runReserveJob(user.id, 2);
      expect(first.explicitAcks).toEqual([]);
      expect(first.retryMessages).toHaveLength(1);
      expect(second.retryMessages).toHaveLength(1);
      expect(second.retryMessages[0]!.delaySeconds!).toBeGreaterThan(first.retryMessages[0]!.delaySeconds!);
      expect((await getAccount(cookie)).status).toBe('pending');

      await sim('/faults', { createReservedAccount: 0 });
      const third = await runReserveJob(user.id, 3);
      expect(third.retryMessages).toEqual([]);
      expect(third.explicitAcks).toHaveLength(1);
      const account = await getAccount(cookie);
      expect(account).toMatchObject({ status: 'active', accountReference: user.id });
      expect(account.accounts[0]!.accountNumber).toMatch(/^\d{10}$/);
      expect(await ngnBalance(user.id)).toBe(0);
    } finally {
      await sim('/faults', { createReservedAccount: 0 });
    }
  });

  it('the cron sweep queues customers that have no account request on record', async () => {
    const { user, cookie } = await signUpUser();
    await env.DB.prepare('DELETE FROM monnify_accounts WHERE user_id = ?').bind(user.id).run();
    await sweep();
    const row = await env.DB.prepare('SELECT status FROM monnify_accounts WHERE user_id = ?').bind(user.id).first<{ status: string }>();
    expect(row).not.toBeNull();
    expect((await getAccount(cookie)).accountReference).toBe(user.id);
  });

  it('an event that arrives before the account is stored locally still credits the right customer', async () => {
    const { user, cookie } = await signUpUser({ name: 'Chidi Okeke' });
    const client = monnifyClientFromConfig(getConfig(env), providerFetch(env));
    const made = await client.ensureReservedAccount({ accountReference: user.id, accountName: 'Chidi Okeke', customerEmail: user.email, customerName: 'Chidi Okeke' });
    expect(made.kind).toBe('reserved');
    if (made.kind !== 'reserved') return;
    await env.DB.prepare('DELETE FROM monnify_accounts WHERE user_id = ?').bind(user.id).run();

    const transfer = await sim('/transfers', { accountNumber: made.account.accounts[0]!.accountNumber, amount: 120_000 });
    expect(transfer.status).toBe(201);
    expect(await ngnBalance(user.id)).toBe(120_000);

    // The job then stores the same account; nothing is credited twice.
    expect((await runReserveJob(user.id)).retryMessages).toEqual([]);
    expect((await getAccount(cookie)).accounts[0]!.accountNumber).toBe(made.account.accounts[0]!.accountNumber);
    expect(await ngnBalance(user.id)).toBe(120_000);
  });
});

describe('Monnify webhook security and idempotency', () => {
  it('a tampered body, a wrong secret and a missing header are 401 and nothing is credited', async () => {
    const { user, accountNumber } = await customerWithAccount();
    const { reference, body } = await heldTransfer(accountNumber, 250_000);
    const tampered = body.replace('"amountPaid":2500', '"amountPaid":250000');
    expect(tampered).not.toBe(body);
    const attempts = [
      await postWebhook(tampered, await signedHeaders(body)),
      await postWebhook(body, await signedHeaders(body, 'not-the-secret')),
      await postWebhook(body, {}),
    ];
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(await ngnBalance(user.id)).toBe(0);
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM monnify_transactions WHERE transaction_reference = ?').bind(reference).first();
    expect(stored).toEqual({ n: 0 });
    const rejected = await env.DB.prepare("SELECT count(*) AS n FROM provider_events WHERE provider = 'monnify' AND outcome = 'rejected' AND payload LIKE ?").bind(`%${reference}%`).first();
    expect(rejected).toEqual({ n: 3 });
  });

  it('the same signed event five times at once is stored once and credited once', async () => {
    const { user, accountNumber } = await customerWithAccount();
    const { reference, body } = await heldTransfer(accountNumber, 410_000);
    const headers = await signedHeaders(body);
    const responses = await Promise.all(Array.from({ length: 5 }, () => postWebhook(body, headers)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await ngnBalance(user.id)).toBe(410_000);
    const events = await env.DB.prepare('SELECT outcome FROM provider_events WHERE external_id = ?').bind(reference).all();
    expect(events.results).toEqual([{ outcome: 'applied' }]);
    const deposits = await env.DB.prepare('SELECT count(*) AS n FROM deposits WHERE receipt = ?').bind(reference).first();
    expect(deposits).toEqual({ n: 1 });
    // A later redelivery by the simulator changes nothing either.
    await sim('/flush', { transactionReference: reference });
    expect(await ngnBalance(user.id)).toBe(410_000);
  });

  it('an unknown account reference is recorded, not credited, and answered 200; references match exactly', async () => {
    const { user, accountNumber } = await customerWithAccount();
    const { reference, body } = await heldTransfer(accountNumber, 90_000);
    // A prefix of a real reference must not match it (the old system's substring bug).
    const prefix = user.id.slice(0, -1);
    const forged = body.replace(JSON.stringify(user.id), JSON.stringify(prefix));
    expect(forged).not.toBe(body);
    const response = await postWebhook(forged, await signedHeaders(forged));
    expect(response.status).toBe(200);
    expect(await ngnBalance(user.id)).toBe(0);
    const event = await env.DB.prepare('SELECT outcome FROM provider_events WHERE external_id = ?').bind(reference).first();
    expect(event).toEqual({ outcome: 'anomaly' });
    const anomaly = await env.DB.prepare("SELECT kind FROM anomalies WHERE kind = 'unknown_account' AND details LIKE ?").bind(`%${reference}%`).first();
    expect(anomaly).toEqual({ kind: 'unknown_account' });
  });

  it('a processing failure answers non-200 and is recorded; the retry then credits once', async () => {
    const { user, accountNumber } = await customerWithAccount();
    const { reference, body } = await heldTransfer(accountNumber, 70_000);
    await sim('/faults', { verify: 1 });
    const failed = await postWebhook(body, await signedHeaders(body));
    expect(failed.status).toBe(503);
    expect(await ngnBalance(user.id)).toBe(0);
    const recorded = await env.DB.prepare('SELECT outcome FROM provider_events WHERE external_id = ?').bind(reference).all();
    expect(recorded.results).toEqual([{ outcome: 'rejected' }]);
    const retried = await postWebhook(body, await signedHeaders(body));
    expect(retried.status).toBe(200);
    expect(await ngnBalance(user.id)).toBe(70_000);
  });
});

describe('Monnify checkout', () => {
  it('an exact payment is credited once, and the return page shows the real status', async () => {
    const { user, cookie } = await signUpUser();
    const started = await startCheckout(cookie, 500_000);
    expect(started).toMatchObject({ method: 'monnify', currency: 'NGN', amount: 500_000, status: 'pending', checkoutUrl: expect.stringContaining('/checkout/') });

    // The return page before any payment: still pending, whatever the redirect says.
    const early = await call(`/deposit/monnify/return?paymentReference=${started.id}&paymentStatus=PAID`, { headers: { cookie } });
    expect(early.status).toBe(200);
    const earlyText = await early.text();
    expect(earlyText).toContain('Waiting for Monnify');
    expect(earlyText).toContain(`/deposit/${started.id}/status`);

    const paid = await payCheckout(started.checkoutUrl!, { outcome: 'paid', duplicate: 'on' });
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.get('location')!);
    expect(back.pathname).toBe('/deposit/monnify/return');
    expect(back.searchParams.get('paymentReference')).toBe(started.id);
    const page = await (await call(back.pathname + back.search, { headers: { cookie } })).text();
    expect(page).toContain('Payment received');

    const settled = await depositOf(cookie, started.id);
    expect(settled).toMatchObject({ status: 'succeeded', amount: 500_000, receipt: expect.stringMatching(/^MNFY\|/) });
    expect(await ngnBalance(user.id)).toBe(500_000);
  });

  it.each([
    ['partial', 'less'],
    ['over', 'more'],
  ])('a %s payment is an anomaly for staff, not credited', async (_, outcome) => {
    const { user, cookie } = await signUpUser();
    const started = await startCheckout(cookie, 200_000);
    expect((await payCheckout(started.checkoutUrl!, { outcome })).status).toBe(303);
    const settled = await depositOf(cookie, started.id);
    expect(settled).toMatchObject({ status: 'failed', failureReason: 'amount_mismatch' });
    const anomalies = await anomaliesFor('deposit_id', started.id);
    expect(anomalies.results.map((a) => a.kind)).toContain('amount_mismatch');
    expect(await ngnBalance(user.id)).toBe(0);
  });

  it('Idempotency-Key replays the first checkout; a different body is refused', async () => {
    const { user, cookie } = await signUpUser();
    const key = crypto.randomUUID();
    const first = await startCheckout(cookie, 150_000, { 'idempotency-key': key });
    const again = await startCheckout(cookie, 150_000, { 'idempotency-key': key });
    expect(again).toEqual(first);
    const other = await postJson('/api/v1/deposits/monnify', { amount: 160_000 }, { cookie, 'idempotency-key': key });
    expect(other.status).toBe(409);
    const tooSmall = await postJson('/api/v1/deposits/monnify', { amount: 9_999 }, { cookie });
    expect(tooSmall.status).toBe(400);
    expect(await ngnBalance(user.id)).toBe(0);
  });

  it('the /deposit form starts a checkout and sends the customer to Monnify', async () => {
    const { user, cookie } = await signUpUser();
    const page = await (await call('/deposit', { headers: { cookie } })).text();
    expect(page).toContain('Amount (NGN)');
    const response = await postForm('/deposit/monnify', { amount: '2,500', idempotencyKey: crypto.randomUUID() }, { cookie });
    // A link, not a 303: the page's CSP (form-action 'self') would block a redirect to Monnify.
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<a class="button" href="http:\/\/malipo\.test\/__sim\/monnify\/checkout\/[^"]+">Continue to Monnify<\/a>/);
    const viaHtmx = await postForm('/deposit/monnify', { amount: '2,500', idempotencyKey: crypto.randomUUID() }, { cookie, 'hx-request': 'true' });
    expect(viaHtmx.headers.get('hx-redirect')).toContain('/__sim/monnify/checkout/');
    const list = (await (await call('/api/v1/deposits', { headers: { cookie } })).json()) as { data: DepositJson[] };
    // Naira deposits read on Lagos time, labelled.
    const status = await (await call(`/deposit/monnify/return?paymentReference=${list.data[0]!.id}`, { headers: { cookie } })).text();
    expect(status).toMatch(/Started \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(Lagos time\)/);
    expect(list.data.slice(0, 2).map((d) => [d.method, d.amount, d.status])).toEqual([
      ['monnify', 250_000, 'pending'],
      ['monnify', 250_000, 'pending'],
    ]);
    const invalid = await postForm('/deposit/monnify', { amount: '50', idempotencyKey: crypto.randomUUID() }, { cookie });
    expect(invalid.status).toBe(422);
    expect(await ngnBalance(user.id)).toBe(0);
  });

  it("another customer's payment reference is not found on the return page", async () => {
    const owner = await signUpUser();
    const other = await signUpUser();
    const started = await startCheckout(owner.cookie);
    const response = await call(`/deposit/monnify/return?paymentReference=${started.id}`, { headers: { cookie: other.cookie } });
    expect(response.status).toBe(404);
    expect(await ngnBalance(owner.user.id)).toBe(0);
  });

  it('the sweep verifies a paid checkout whose webhook never came, and hands an unpaid one past expiry to staff', async () => {
    const { user, cookie } = await signUpUser();
    const paid = await startCheckout(cookie, 300_000);
    const unpaid = await startCheckout(cookie, 100_000);
    expect((await payCheckout(paid.checkoutUrl!, { outcome: 'paid', deliver: 'later' })).status).toBe(303);
    expect((await depositOf(cookie, paid.id)).status).toBe('pending');
    await env.DB.prepare('UPDATE deposits SET next_check_at = 0 WHERE id = ?').bind(paid.id).run();
    await env.DB.prepare('UPDATE deposits SET next_check_at = 0, expires_at = 0 WHERE id = ?').bind(unpaid.id).run();
    await sweep();
    expect(await depositOf(cookie, paid.id)).toMatchObject({ status: 'succeeded' });
    // Monnify still says PENDING, so money may yet arrive: not failed, but no longer checked, and staff are told.
    expect(await depositOf(cookie, unpaid.id)).toMatchObject({ status: 'pending' });
    const unresolved = await env.DB.prepare("SELECT count(*) AS n FROM anomalies WHERE deposit_id = ? AND kind = 'checkout_unresolved'").bind(unpaid.id).first();
    expect(unresolved).toEqual({ n: 1 });
    const row = await env.DB.prepare('SELECT next_check_at FROM deposits WHERE id = ?').bind(unpaid.id).first();
    expect(row).toEqual({ next_check_at: null });
    expect(await ngnBalance(user.id)).toBe(300_000);

    // The held webhook arriving late changes nothing.
    const reference = (await env.DB.prepare('SELECT receipt FROM deposits WHERE id = ?').bind(paid.id).first<{ receipt: string }>())!.receipt;
    await sim('/flush', { transactionReference: reference });
    expect(await ngnBalance(user.id)).toBe(300_000);
  });
});
