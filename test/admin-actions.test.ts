import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { anomalies, apiKeys } from '../src/db/schema';
import { newId, sha256Hex } from '../src/lib/crypto';
import { ACCESS_HEADER } from '../src/middleware/access';
import { listAudit } from '../src/services/audit';
import { walletLedger } from '../src/services/wallets';
import { AnomalyActions, CustomerActions, DepositActions, PurchaseActions } from '../src/views/admin/actions';
import { adminGet, adminPost, auditRowsFor, createStaff, type TestStaff } from './admin-helpers';
import { call, cookieFrom, postForm, postJson, signUpUser } from './helpers';
import { expectLedgerInvariants } from './invariants';

const db = () => database(env.DB);
let keyCounter = 0;

async function pendingPurchase(recipient = '201000000000') {
  const signed = await signUpUser();
  await walletLedger(env, signed.user.id, 'NGN').credit({ id: `fund-${signed.user.id}`, amount: 100_000, account: 'monnify:clearing' });
  keyCounter += 1;
  const response = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient, amount: 10_000 }, { cookie: signed.cookie, 'idempotency-key': `adm-${Date.now()}-${keyCounter}` });
  const { data } = (await response.json()) as { data: { id: string; status: string } };
  return { ...signed, purchase: data };
}

const purchaseRow = (id: string) => db().query.purchases.findFirst({ where: (t, { eq }) => eq(t.id, id) });
const depositRow = (id: string) => db().query.deposits.findFirst({ where: (t, { eq }) => eq(t.id, id) });
const anomalyRow = (id: string) => db().query.anomalies.findFirst({ where: (t, { eq }) => eq(t.id, id) });
const userRow = (id: string) => db().query.users.findFirst({ where: (t, { eq }) => eq(t.id, id) });
const json = (text: string | null) => JSON.parse(text ?? 'null') as Record<string, unknown>;

async function mpesaDeposit(cookie: string, phone = '254700000005') {
  const response = await postJson('/api/v1/deposits/mpesa', { amount: 150_000, phone }, { cookie });
  expect(response.status).toBe(202);
  return ((await response.json()) as { data: { id: string } }).data;
}

/** Lets the simulator's STK query answer now (254700000005 then says paid, yet never calls back). */
async function makeDue(depositId: string) {
  const row = (await depositRow(depositId))!;
  const response = await call(`/__sim/mpesa/flush?checkoutRequestId=${encodeURIComponent(row.checkoutRequestId!)}`, { method: 'POST' });
  expect(((await response.json()) as { data: { delivered: string[] } }).data.delivered).toEqual([]);
}

async function openAnomaly() {
  const id = newId('anm');
  await db().insert(anomalies).values({ id, kind: 'callback_mismatch', provider: 'mpesa', details: '{"problems":["amount"]}', createdAt: Date.now() });
  return id;
}

function expectRedirect(response: Response, location: string) {
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(location);
}

/** Renders a panel to its HTML, as the detail pages do. */
async function render(node: unknown) {
  return String(await (node as { toString(): string | Promise<string> }).toString());
}

describe('purchase requery', () => {
  it('asks VTpass through the purchase service, one audit row per requery, until delivered (charged once)', async () => {
    const operator = await createStaff('operator');
    const { user, purchase } = await pendingPurchase();
    expect(purchase.status).toBe('pending');

    expectRedirect(await adminPost(operator, `/admin/purchases/${purchase.id}/requery`, { reason: 'customer says no airtime' }), `/admin/purchases/${purchase.id}`);
    expect((await purchaseRow(purchase.id))!.status).toBe('pending');
    expectRedirect(await adminPost(operator, `/admin/purchases/${purchase.id}/requery`, { reason: 'asking again' }), `/admin/purchases/${purchase.id}`);
    expect((await purchaseRow(purchase.id))!.status).toBe('delivered');

    const rows = await auditRowsFor('purchase', purchase.id);
    expect(rows.map((r) => r.action)).toEqual(['purchase.requery', 'purchase.requery']);
    expect(rows[0]).toMatchObject({ staffId: operator.id, staffEmail: operator.email, reason: 'customer says no airtime' });
    expect(json(rows[0]!.before)).toMatchObject({ status: 'pending', escalated: false });
    expect(json(rows[0]!.after)).toMatchObject({ status: 'pending', outcome: expect.stringContaining('still pending') });
    expect(json(rows[1]!.after)).toMatchObject({ status: 'delivered', outcome: 'settled: delivered' });
    // The page the action redirects to shows its outcome.
    const page = await adminGet(operator, `/admin/purchases/${purchase.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Last action: <strong>purchase.requery</strong> by ${operator.email}`);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
  });

  it('works for an escalated purchase, and on a final one says it is final', async () => {
    const operator = await createStaff('operator');
    const { user, purchase } = await pendingPurchase();
    await env.DB.prepare('UPDATE purchases SET escalated_at = ?, next_check_at = NULL, requeries = 1 WHERE id = ?').bind(Date.now(), purchase.id).run();
    await adminPost(operator, `/admin/purchases/${purchase.id}/requery`, { reason: 'escalated, checking' });
    await adminPost(operator, `/admin/purchases/${purchase.id}/requery`, { reason: 'escalated, checking again' });
    expect((await purchaseRow(purchase.id))!.status).toBe('delivered');
    expect(json((await auditRowsFor('purchase', purchase.id))[0]!.before)).toMatchObject({ escalated: true });

    expectRedirect(await adminPost(operator, `/admin/purchases/${purchase.id}/requery`, { reason: 'any reversal?' }), `/admin/purchases/${purchase.id}`);
    const last = (await auditRowsFor('purchase', purchase.id)).at(-1)!;
    expect(json(last.after)).toMatchObject({ status: 'delivered', outcome: 'delivered and final; VTpass reports no reversal' });
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });

    const failed = await pendingPurchase('08099999999');
    expect(failed.purchase.status).toBe('failed');
    const refused = await adminPost(operator, `/admin/purchases/${failed.purchase.id}/requery`, { reason: 'double-check' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('a final state never changes, so VTpass was not asked');
    expect(await auditRowsFor('purchase', failed.purchase.id)).toEqual([]);
  });
});

describe('deposit re-check', () => {
  it('M-Pesa: an STK query settles a deposit whose callback never came, without touching the queue schedule', async () => {
    const operator = await createStaff('operator');
    const { user, cookie } = await signUpUser();
    const started = await mpesaDeposit(cookie);
    await makeDue(started.id);
    const before = (await depositRow(started.id))!;
    expectRedirect(await adminPost(operator, `/admin/deposits/${started.id}/recheck`, { reason: 'customer sent the SMS receipt' }), `/admin/deposits/${started.id}`);
    const after = (await depositRow(started.id))!;
    expect(after.status).toBe('succeeded');
    expect(after.checks).toBe(before.checks);
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(150_000);
    const rows = await auditRowsFor('deposit', started.id);
    expect(rows).toHaveLength(1);
    expect(json(rows[0]!.before)).toEqual({ status: 'pending' });
    expect(json(rows[0]!.after)).toMatchObject({ status: 'succeeded', outcome: 'settled: succeeded (M-Pesa STK query: completed)' });

    // Final states never change: refused, nothing written, balance the same.
    const again = await adminPost(operator, `/admin/deposits/${started.id}/recheck`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('a final state never changes');
    expect(await auditRowsFor('deposit', started.id)).toHaveLength(1);
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(150_000);
  });

  it('M-Pesa: still pending at the provider stays pending, its next scheduled check unchanged', async () => {
    const operator = await createStaff('operator');
    const { cookie } = await signUpUser();
    const started = await mpesaDeposit(cookie, `07${String(Date.now() % 100_000_000).padStart(8, '0')}`);
    const before = (await depositRow(started.id))!;
    await adminPost(operator, `/admin/deposits/${started.id}/recheck`, { reason: 'is it stuck?' });
    const after = (await depositRow(started.id))!;
    expect(after).toMatchObject({ status: before.status, checks: before.checks, nextCheckAt: before.nextCheckAt });
    expect(await auditRowsFor('deposit', started.id)).toHaveLength(1);
  });

  it('Monnify checkout: a verify credits a paid checkout whose webhook is held back', async () => {
    const operator = await createStaff('operator');
    const { user, cookie } = await signUpUser();
    const response = await postJson('/api/v1/deposits/monnify', { amount: 300_000 }, { cookie });
    const { data } = (await response.json()) as { data: { id: string; checkoutUrl: string } };
    expect((await postForm(new URL(data.checkoutUrl).pathname, { outcome: 'paid', deliver: 'later' })).status).toBe(303);
    expect((await depositRow(data.id))!.status).toBe('pending');
    expectRedirect(await adminPost(operator, `/admin/deposits/${data.id}/recheck`, { reason: 'paid by card, not credited' }), `/admin/deposits/${data.id}`);
    expect((await depositRow(data.id))!.status).toBe('succeeded');
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(300_000);
    expect(json((await auditRowsFor('deposit', data.id))[0]!.after)).toMatchObject({ status: 'succeeded' });
  });
});

describe('anomaly resolve', () => {
  it('open → resolved with who, when and the resolution, in one batch with its audit row; twice → 409', async () => {
    const operator = await createStaff('operator');
    const id = await openAnomaly();
    expectRedirect(await adminPost(operator, `/admin/anomalies/${id}/resolve`, { reason: 'Refunded by M-Pesa, no action' }), `/admin/anomalies/${id}`);
    expect(await anomalyRow(id)).toMatchObject({ status: 'resolved', resolvedBy: operator.email, resolution: 'Refunded by M-Pesa, no action', resolvedAt: expect.any(Number) });
    const rows = await auditRowsFor('anomaly', id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'anomaly.resolve', reason: 'Refunded by M-Pesa, no action' });
    expect(json(rows[0]!.before)).toEqual({ status: 'open' });

    const again = await adminPost(operator, `/admin/anomalies/${id}/resolve`, { reason: 'me too' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(`already resolved by ${operator.email}`);
    expect(await auditRowsFor('anomaly', id)).toHaveLength(1);
  });

  it('two operators resolving at once: one wins, one audit row', async () => {
    const [a, b] = await Promise.all([createStaff('operator'), createStaff('operator')]);
    const id = await openAnomaly();
    const statuses = (await Promise.all([adminPost(a, `/admin/anomalies/${id}/resolve`, { reason: 'by a' }), adminPost(b, `/admin/anomalies/${id}/resolve`, { reason: 'by b' })])).map((r) => r.status);
    expect(statuses.sort()).toEqual([303, 409]);
    const rows = await auditRowsFor('anomaly', id);
    expect(rows).toHaveLength(1);
    expect((await anomalyRow(id))!.resolution).toBe(rows[0]!.reason);
  });
});

describe('customer suspend and reactivate', () => {
  it('suspend ends every session and refuses the API; reactivate lets them log in again', async () => {
    const operator = await createStaff('operator');
    const { user, cookie, password } = await signUpUser();
    const key = `mk_test_${newId('key')}`;
    await db().insert(apiKeys).values({ id: newId('key'), userId: user.id, name: 'reseller', keyHash: await sha256Hex(key), createdAt: Date.now() });
    expect((await call('/api/v1/me', { headers: { cookie } })).status).toBe(200);

    expectRedirect(await adminPost(operator, `/admin/customers/${user.id}/suspend`, { reason: 'chargeback fraud report' }), `/admin/customers/${user.id}`);
    expect((await userRow(user.id))!.status).toBe('suspended');
    expect((await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').bind(user.id).first())!.n).toBe(0);
    expect((await call('/api/v1/me', { headers: { cookie } })).status).toBe(401);
    expect((await call('/api/v1/wallets', { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    expect((await postJson('/api/v1/auth/login', { email: user.email, password })).status).toBe(403);
    expect((await adminPost(operator, `/admin/customers/${user.id}/suspend`, { reason: 'again' })).status).toBe(409);

    expectRedirect(await adminPost(operator, `/admin/customers/${user.id}/reactivate`, { reason: 'cleared by risk team' }), `/admin/customers/${user.id}`);
    const login = await postJson('/api/v1/auth/login', { email: user.email, password });
    expect(login.status).toBe(200);
    expect((await call('/api/v1/me', { headers: { cookie: cookieFrom(login) } })).status).toBe(200);
    expect((await call('/api/v1/wallets', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    const rows = await auditRowsFor('customer', user.id);
    expect(rows.map((r) => [r.action, json(r.before).status, json(r.after).status])).toEqual([
      ['customer.suspend', 'active', 'suspended'],
      ['customer.reactivate', 'suspended', 'active'],
    ]);
  });
});

describe('refusals write nothing', () => {
  it('a viewer gets 403 on every action; an operator cannot request an adjustment', async () => {
    const viewer = await createStaff('viewer');
    const operator = await createStaff('operator');
    const { user, purchase } = await pendingPurchase();
    const anomaly = await openAnomaly();
    const paths = [
      [`/admin/purchases/${purchase.id}/requery`, 'purchase', purchase.id],
      [`/admin/anomalies/${anomaly}/resolve`, 'anomaly', anomaly],
      [`/admin/customers/${user.id}/suspend`, 'customer', user.id],
      [`/admin/customers/${user.id}/reactivate`, 'customer', user.id],
      [`/admin/customers/${user.id}/adjustments`, 'customer', user.id],
    ] as const;
    for (const [path, type, id] of paths) {
      const response = await adminPost(viewer, path, { reason: 'trying my luck', currency: 'KES', direction: 'credit', amount: '10', requestKey: 'k-viewer' });
      expect(response.status, path).toBe(403);
      expect(await auditRowsFor(type, id)).toEqual([]);
    }
    expect((await adminPost(viewer, '/admin/deposits/dep_none/recheck', { reason: 'trying' })).status).toBe(403);
    expect((await adminPost(operator, `/admin/customers/${user.id}/adjustments`, { reason: 'goodwill', currency: 'KES', direction: 'credit', amount: '10', requestKey: 'k-operator' })).status).toBe(403);
    expect((await purchaseRow(purchase.id))!.status).toBe('pending');
    expect((await anomalyRow(anomaly))!.status).toBe('open');
    expect((await userRow(user.id))!.status).toBe('active');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM adjustments WHERE user_id = ?').bind(user.id).first()).toEqual({ n: 0 });
  });

  it('CSRF: each action posted cross-site is refused (403), nothing changes, no audit row', async () => {
    const admin = await createStaff('admin');
    const { user, cookie, purchase } = await pendingPurchase();
    const deposit = await mpesaDeposit(cookie);
    const anomaly = await openAnomaly();
    const forms = [
      [`/admin/purchases/${purchase.id}/requery`, 'purchase', purchase.id],
      [`/admin/deposits/${deposit.id}/recheck`, 'deposit', deposit.id],
      [`/admin/anomalies/${anomaly}/resolve`, 'anomaly', anomaly],
      [`/admin/customers/${user.id}/suspend`, 'customer', user.id],
      [`/admin/customers/${user.id}/reactivate`, 'customer', user.id],
      [`/admin/customers/${user.id}/adjustments`, 'customer', user.id],
      ['/admin/catalog/mtn/enabled', 'catalog_service', 'mtn'],
      ['/admin/catalog/mtn-data/margin', 'catalog_service', 'mtn-data'],
      ['/admin/catalog/sync', 'catalog', 'vtpass'],
      [`/admin/staff/${admin.id}/role`, 'staff', admin.id],
      [`/admin/staff/${admin.id}/active`, 'staff', admin.id],
    ] as const;
    for (const [path, type, id] of forms) {
      const response = await call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', [ACCESS_HEADER]: admin.token },
        body: new URLSearchParams({ reason: 'csrf attempt', currency: 'KES', direction: 'credit', amount: '10', requestKey: 'k-csrf', enabled: 'false', margin: '0', role: 'viewer', active: 'false' }).toString(),
      });
      expect(response.status, path).toBe(403);
      expect(await auditRowsFor(type, id)).toEqual([]);
    }
    expect((await purchaseRow(purchase.id))!.status).toBe('pending');
    expect((await depositRow(deposit.id))!.status).toBe('pending');
    expect((await anomalyRow(anomaly))!.status).toBe('open');
    expect((await userRow(user.id))!.status).toBe('active');
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
  });

  it('a bad form re-renders a clear error page (400; 422 for htmx) and changes nothing', async () => {
    const operator = await createStaff('operator');
    const anomaly = await openAnomaly();
    const response = await adminPost(operator, `/admin/anomalies/${anomaly}/resolve`, { reason: ' ' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('That action was not done');
    expect(html).toContain('Say why (at least 3 characters)');
    expect(html).toContain(`href="/admin/anomalies/${anomaly}"`);
    const htmx = await postForm(`/admin/anomalies/${anomaly}/resolve`, {}, { [ACCESS_HEADER]: operator.token, 'hx-request': 'true' });
    expect(htmx.status).toBe(422);
    expect(htmx.headers.get('hx-push-url')).toBe('false');
    expect((await anomalyRow(anomaly))!.status).toBe('open');
    expect(await auditRowsFor('anomaly', anomaly)).toEqual([]);
    expect((await adminPost(operator, '/admin/anomalies/anm_missing/resolve', { reason: 'not there' })).status).toBe(404);
  });
});

describe('action panels', () => {
  const member = (s: TestStaff) => ({ id: s.id, email: s.email, name: 'Test', role: s.role });
  /** What a detail page hands its panel: the record's newest audit row and its time zone. */
  const panel = async (targetType: string, targetId: string) => ({
    lastAction: (await listAudit(database(env.DB), { targetType, targetId, limit: 1 })).entries[0] ?? null,
    zone: 'Africa/Lagos' as const,
  });
  const thresholds = { KES: 1_000_000, NGN: 5_000_000 };

  it('show forms only to roles that may use them, each with a labelled Reason, and the last action', async () => {
    const [viewer, operator, admin] = await Promise.all([createStaff('viewer'), createStaff('operator'), createStaff('admin')]);
    const { user, cookie, purchase } = await pendingPurchase();
    const row = (await purchaseRow(purchase.id))!;
    const customer = (await userRow(user.id))!;

    const asViewer = await render(PurchaseActions({ purchase: row, staff: member(viewer), ...(await panel('purchase', purchase.id)) }));
    expect(asViewer).not.toContain('<form');
    expect(asViewer).toContain('No staff action on this purchase yet');

    const asOperator = await render(PurchaseActions({ purchase: row, staff: member(operator), ...(await panel('purchase', purchase.id)) }));
    expect(asOperator).toContain(`action="/admin/purchases/${purchase.id}/requery"`);
    expect(asOperator).toMatch(/<label for="requery-reason">Reason<\/label>/);
    expect(asOperator).toContain('id="requery-reason" name="reason" required');
    expect(asOperator).toContain('hx-disabled-elt="find button"');

    await adminPost(operator, `/admin/purchases/${purchase.id}/requery`, { reason: 'checking <script>' });
    const after = await render(PurchaseActions({ purchase: (await purchaseRow(purchase.id))!, staff: member(viewer), ...(await panel('purchase', purchase.id)) }));
    expect(after).toContain(`Last action: <strong>purchase.requery</strong> by ${operator.email}`);
    expect(after).toContain('still pending');
    expect(after).toContain('checking &lt;script&gt;');

    const operatorCustomer = await render(CustomerActions({ customer, staff: member(operator), latestAdjustment: null, thresholds, ...(await panel('customer', user.id)) }));
    expect(operatorCustomer).toContain(`action="/admin/customers/${user.id}/suspend"`);
    expect(operatorCustomer).not.toContain('/adjustments"');
    const adminCustomer = await render(CustomerActions({ customer, staff: member(admin), latestAdjustment: null, thresholds, ...(await panel('customer', user.id)) }));
    expect(adminCustomer).toContain(`action="/admin/customers/${user.id}/adjustments"`);
    expect(adminCustomer).toContain('Up to KES\u00a010,000.00 or NGN\u00a050,000.00 is applied at once');
    expect(adminCustomer).toMatch(/<label for="adjust-amount">Amount<\/label>/);

    const deposit = await mpesaDeposit(cookie);
    const pendingDeposit = await render(DepositActions({ deposit: (await depositRow(deposit.id))!, staff: member(operator), ...(await panel('deposit', deposit.id)) }));
    expect(pendingDeposit).toContain(`action="/admin/deposits/${deposit.id}/recheck"`);
    await makeDue(deposit.id);
    await adminPost(operator, `/admin/deposits/${deposit.id}/recheck`, { reason: 'stuck' });
    const settled = await render(DepositActions({ deposit: (await depositRow(deposit.id))!, staff: member(operator), ...(await panel('deposit', deposit.id)) }));
    expect(settled).not.toContain('<form');
    expect(settled).toContain('a final state never changes');

    const anomaly = await openAnomaly();
    expect(await render(AnomalyActions({ anomaly: (await anomalyRow(anomaly))!, staff: member(operator), ...(await panel('anomaly', anomaly)) }))).toContain(`action="/admin/anomalies/${anomaly}/resolve"`);
    expect(await render(AnomalyActions({ anomaly: (await anomalyRow(anomaly))!, staff: member(viewer), ...(await panel('anomaly', anomaly)) }))).not.toContain('<form');
  });
});
