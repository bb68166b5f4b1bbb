import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { providerEvents, purchases } from '../src/db/schema';
import { newId } from '../src/lib/crypto';
import { recordAudit } from '../src/services/audit';
import { escalate } from '../src/services/purchases';
import { walletLedger } from '../src/services/wallets';
import { formatMoney } from '../src/views/components/money';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { hrefsOf } from './console-pages';
import { call, postJson, signUpUser } from './helpers';
import { walletStub } from './ledger-support';

const db = database(env.DB);
let viewer: TestStaff;

beforeAll(async () => {
  viewer = await createStaff('viewer');
});

let keyCounter = 0;

/** A customer with ₦10,000 in the NGN wallet. */
async function fundedUser(overrides: Record<string, unknown> = {}) {
  const signed = await signUpUser(overrides);
  await walletLedger(env, signed.user.id, 'NGN').credit({ id: `fund-${signed.user.id}`, amount: 1_000_000, account: 'monnify:clearing' });
  return signed;
}

/** A real purchase through the API, the VTpass client and its simulator. */
async function buy(cookie: string, recipient: string, amount = 10_000) {
  keyCounter += 1;
  const response = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient, amount }, { cookie, 'idempotency-key': `admin-test-${Date.now()}-${keyCounter}` });
  expect([201, 202]).toContain(response.status);
  return ((await response.json()) as { data: { id: string; status: string } }).data;
}

async function row(id: string) {
  return (await db.query.purchases.findFirst({ where: eq(purchases.id, id) }))!;
}

async function page(path: string, status = 200) {
  const response = await adminGet(viewer, path);
  expect(response.status).toBe(status);
  return response.text();
}

let inserted = 0;
/** A purchase row at a chosen moment (ids carry their creation time), for listing tests only. */
async function insertPurchase(userId: string, fields: Partial<typeof purchases.$inferInsert> & { at: number }) {
  inserted += 1;
  const id = newId('pur', fields.at);
  await db.insert(purchases).values({
    id,
    userId,
    serviceId: 'mtn',
    category: 'airtime',
    recipient: '08011111111',
    phone: '08011111111',
    amount: 10_000,
    status: 'delivered',
    requestId: `${fields.at}-test-${inserted}`,
    idempotencyKey: `k-${id}`,
    requestHash: 'h',
    createdAt: fields.at,
    updatedAt: fields.at,
    ...fields,
  });
  return id;
}

const link = (id: string) => `href="/admin/purchases/${id}"`;

describe('/admin/purchases list', () => {
  it('needs Access: no token is 401', async () => {
    const response = await call('/admin/purchases', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('/__sim/access/login?redirect=%2Fadmin%2Fpurchases');
  });

  it('shows real purchases with customer, service, recipient, amount, status and pending age', async () => {
    const { user, cookie } = await fundedUser();
    const delivered = await buy(cookie, '08011111111', 10_000);
    const pending = await buy(cookie, '201000000000', 25_000);
    expect(delivered.status).toBe('delivered');
    expect(pending.status).toBe('pending');
    const html = await page(`/admin/purchases?q=${encodeURIComponent(user.email)}`);
    expect(html).toContain(link(delivered.id));
    expect(html).toContain(link(pending.id));
    expect(html).toContain(`href="/admin/customers/${user.id}"`);
    expect(html).toContain(formatMoney(25_000, 'NGN'));
    expect(html).toContain('mtn (airtime)');
    expect(html).toMatch(/<span class="status pending">pending<\/span><span class="pending-age"> for \d+ s<\/span>/);
    expect(html.indexOf(link(pending.id))).toBeLessThan(html.indexOf(link(delivered.id)));
    for (const label of ['filter-q', 'filter-category', 'filter-status', 'filter-escalated', 'filter-from', 'filter-to']) expect(html).toContain(`<label for="${label}">`);
  });

  it('searches by purchase id, VTpass request id, recipient and customer email', async () => {
    const { user, cookie } = await fundedUser();
    const target = await buy(cookie, '08011111111');
    const { requestId } = await row(target.id);
    const other = await fundedUser();
    const decoy = await buy(other.cookie, '201000000000');
    for (const q of [target.id, requestId, user.email.toUpperCase()]) {
      const html = await page(`/admin/purchases?q=${encodeURIComponent(q)}`);
      expect(html, q).toContain(link(target.id));
      expect(html, q).not.toContain(link(decoy.id));
    }
    const byRecipient = await page('/admin/purchases?q=201000000000');
    expect(byRecipient).toContain(link(decoy.id));
    expect(byRecipient).not.toContain(link(target.id));
  });

  it('filters by category, status and escalation', async () => {
    const { user, cookie } = await fundedUser();
    const at = Date.now();
    const data = await insertPurchase(user.id, { at, category: 'data', status: 'failed', serviceId: 'mtn-data' });
    const tv = await insertPurchase(user.id, { at: at + 1, category: 'tv', status: 'reversed', serviceId: 'dstv' });
    const stuck = await buy(cookie, '201000000000');
    await escalate(db, await row(stuck.id), 'no answer in the test');
    const all = [data, tv, stuck.id];
    const q = `q=${encodeURIComponent(user.email)}`;
    const cases: [string, string[]][] = [
      ['category=data', [data]],
      ['category=tv', [tv]],
      ['category=airtime', [stuck.id]],
      ['status=reversed', [tv]],
      ['status=pending', [stuck.id]],
      ['escalated=yes', [stuck.id]],
      ['escalated=no', [data, tv]],
      ['category=&status=&escalated=', all],
    ];
    for (const [filter, expected] of cases) {
      const html = await page(`/admin/purchases?${q}&${filter}`);
      for (const id of all) {
        if (expected.includes(id)) expect(html, `${filter} ${id}`).toContain(link(id));
        else expect(html, `${filter} ${id}`).not.toContain(link(id));
      }
    }
  });

  it('filters by date on Lagos days, both ends inclusive', async () => {
    const { user } = await signUpUser();
    // 23:30 UTC on 10 March is 00:30 on 11 March in Lagos; 22:30 UTC is still 10 March there.
    const afterMidnight = await insertPurchase(user.id, { at: Date.parse('2026-03-10T23:30:00Z') });
    const beforeMidnight = await insertPurchase(user.id, { at: Date.parse('2026-03-10T22:30:00Z') });
    const q = `q=${encodeURIComponent(user.email)}`;
    const on11 = await page(`/admin/purchases?${q}&from=2026-03-11&to=2026-03-11`);
    expect(on11).toContain(link(afterMidnight));
    expect(on11).not.toContain(link(beforeMidnight));
    const on10 = await page(`/admin/purchases?${q}&from=2026-03-10&to=2026-03-10`);
    expect(on10).toContain(link(beforeMidnight));
    expect(on10).not.toContain(link(afterMidnight));
  });

  it('answers bad filters with 400 and a message', async () => {
    expect(await page('/admin/purchases?category=crypto', 400)).toContain('Category: Choose one of: airtime, data, electricity, tv');
    expect(await page('/admin/purchases?escalated=maybe', 400)).toContain('Escalated: Choose one of: yes, no');
    expect(await page('/admin/purchases?to=31-01-2026', 400)).toContain('To date: Use a date like 2026-01-31');
    expect(await page('/admin/purchases?limit=0', 400)).toContain('Page size');
  });

  it('pages newest first, the cursor keeping the filters', async () => {
    const { user } = await signUpUser();
    const base = Date.parse('2026-07-01T06:00:00Z');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await insertPurchase(user.id, { at: base + i * 1000 }));
    const q = `q=${encodeURIComponent(user.email)}`;
    const first = await page(`/admin/purchases?${q}&escalated=no&limit=2`);
    expect(first).toContain(link(ids[2]!));
    expect(first).toContain(link(ids[1]!));
    expect(first).not.toContain(link(ids[0]!));
    expect(first).toContain(`escalated=no&amp;limit=2&amp;cursor=${ids[1]}`);
    const second = await page(`/admin/purchases?${q}&escalated=no&limit=2&cursor=${ids[1]}`);
    expect(second).toContain(link(ids[0]!));
    expect(second).not.toContain(link(ids[2]!));
    expect(second).toContain('End of list');
  });
});

describe('/admin/purchases.csv', () => {
  it('exports the filtered purchases in naira with a currency column, formula-safe', async () => {
    const { user } = await signUpUser();
    const at = Date.parse('2026-08-01T12:00:00Z');
    const one = await insertPurchase(user.id, { at, amount: 123_456, recipient: '=cmd|calc', requestId: 'REQ-CSV-1', providerCode: '000', escalatedAt: at + 5000 });
    await insertPurchase(user.id, { at: at + 1000, status: 'failed' });
    const response = await adminGet(viewer, `/admin/purchases.csv?q=${encodeURIComponent(user.email)}&status=delivered`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="malipo-purchases-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,created_utc,customer_id,customer_email,service_id,category,recipient,variation_code,currency,amount,status,vtpass_request_id,provider_code,failure_reason,requeries,escalated_utc,settled_utc',
    );
    expect(lines.slice(1)).toEqual([`${one},2026-08-01T12:00:00.000Z,${user.id},${user.email},mtn,airtime,'=cmd|calc,,NGN,1234.56,delivered,REQ-CSV-1,000,,0,2026-08-01T12:00:05.000Z,`]);
    expect((await adminGet(viewer, '/admin/purchases.csv?from=yesterday')).status).toBe(400);
  });
});

describe('/admin/purchases/:id', () => {
  it('shows every field, the customer, all its ledger transfers, VTpass events and audit rows', async () => {
    const { user, cookie } = await fundedUser({ name: '<img src=x onerror=alert(1)>' });
    const bought = await buy(cookie, '08011111111', 10_000);
    const before = await row(bought.id);
    expect((await postJson('/__sim/vtpass/reverse', { request_id: before.requestId })).status).toBe(200);
    const p = await row(bought.id);
    expect(p.status).toBe('reversed');
    await runInDurableObject(walletStub({ userId: user.id, currency: 'NGN' }), (instance) => instance.alarm());
    const [event] = await db.select().from(providerEvents).where(eq(providerEvents.externalId, p.requestId));
    const staff = await createStaff('operator');
    await recordAudit(db, { ...staff, name: 'Ops' }, { action: 'purchase.requery', targetType: 'purchase', targetId: p.id, reason: 'Customer says no airtime' });

    const html = await page(`/admin/purchases/${p.id}`);
    for (const value of [p.id, p.requestId, p.recipient, p.providerCode!, p.providerTransactionId!, p.idempotencyKey, p.requestHash]) expect(html).toContain(value);
    expect(html).toContain(formatMoney(10_000, 'NGN'));
    expect(html).toContain('<dt>Requeries made</dt>');
    expect(html).toContain('<dt>Escalated to staff</dt>');
    expect(html).toContain(`href="/admin/customers/${user.id}"`);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    for (const transfer of [p.id, `${p.id}:post`, `${p.id}:refund`]) expect(html).toContain(`<code>${transfer}</code></td><td>`);
    expect(html).toContain(`<code>${p.id}</code></td><td>hold</td><td>wallet</td>`);
    expect(html).toContain(`<code>${p.id}:refund</code></td><td>reversal</td>`);
    expect(event).toBeDefined();
    expect(html).toContain(`href="/admin/events/${event!.id}"`);
    expect(html).toContain('purchase.requery');
    expect(html).toContain('Customer says no airtime');
  });

  it('shows the electricity token and units kept for the receipt', async () => {
    const { cookie } = await fundedUser();
    keyCounter += 1;
    const response = await postJson(
      '/api/v1/purchases',
      { serviceId: 'ikeja-electric', recipient: '1111111111111', variationCode: 'prepaid', amount: 200_000, phone: '08011111111' },
      { cookie, 'idempotency-key': `admin-test-power-${keyCounter}` },
    );
    const { data } = (await response.json()) as { data: { id: string } };
    const p = await row(data.id);
    expect(p.token).toBeTruthy();
    const html = await page(`/admin/purchases/${p.id}`);
    expect(html).toContain(p.token!);
    expect(html).toContain(p.units!);
  });

  it('shows the first 50 events of a flooded request id and links to the rest', async () => {
    const { cookie } = await fundedUser();
    const p = await row((await buy(cookie, '08011111111')).id);
    // The VTpass webhook is unsigned: anyone who knows a request id can add events to it.
    for (let i = 0; i < 60; i++) {
      expect((await postJson('/webhooks/vtpass', { type: 'transaction-update', data: { code: '000', requestId: p.requestId, content: { transactions: { status: 'delivered' } } } })).status).toBe(200);
    }
    const html = await page(`/admin/purchases/${p.id}`);
    expect(hrefsOf(html).filter((h) => h.startsWith('/admin/events/evt_'))).toHaveLength(50);
    expect(html).toContain(`The first 50 are shown. <a href="/admin/events?q=${p.requestId}">`);
  });

  it('is a 404 page for an unknown id', async () => {
    expect(await page('/admin/purchases/pur_nope', 404)).toContain('No purchase with this id');
  });
});
