import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { deposits, providerEvents } from '../src/db/schema';
import type { Currency } from '../src/durable/ledger-types';
import { newId } from '../src/lib/crypto';
import { recordAudit } from '../src/services/audit';
import { monnifyTransferId } from '../src/services/monnify-deposits';
import { formatMoney } from '../src/views/components/money';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { call, postForm, postJson, signUpUser } from './helpers';
import { walletStub } from './ledger-support';

const db = database(env.DB);
let viewer: TestStaff;

beforeAll(async () => {
  viewer = await createStaff('viewer');
});

let phoneCounter = 0;
/** A fresh valid Safaricom number (the simulator pays it), so per-phone limits never collide. */
function freshPhone() {
  phoneCounter += 1;
  return `07${String(Date.now() % 1_000_000).padStart(6, '0')}${String(phoneCounter % 100).padStart(2, '0')}`;
}

type DepositJson = { id: string; status: string; checkoutUrl?: string };

async function startMpesa(cookie: string, phone: string, amount = 150_000): Promise<DepositJson> {
  const response = await postJson('/api/v1/deposits/mpesa', { amount, phone }, { cookie });
  expect(response.status).toBe(202);
  return ((await response.json()) as { data: DepositJson }).data;
}

async function row(id: string) {
  return (await db.query.deposits.findFirst({ where: eq(deposits.id, id) }))!;
}

/** Delivers the simulator's STK callback now (the test config holds callbacks until flushed). */
async function flush(checkoutRequestId: string) {
  expect((await call(`/__sim/mpesa/flush?checkoutRequestId=${encodeURIComponent(checkoutRequestId)}`, { method: 'POST' })).status).toBe(200);
}

/** Copies the wallet's journal to the D1 projection now, as its alarm would. */
async function project(userId: string, currency: Currency) {
  await runInDurableObject(walletStub({ userId, currency }), (instance) => instance.alarm());
}

async function page(path: string, status = 200) {
  const response = await adminGet(viewer, path);
  expect(response.status).toBe(status);
  return response.text();
}

let inserted = 0;
/** A deposit row at a chosen moment (ids carry their creation time), for listing tests only. */
async function insertDeposit(userId: string, fields: Partial<typeof deposits.$inferInsert> & { at: number }) {
  inserted += 1;
  const id = newId('dep', fields.at);
  await db.insert(deposits).values({
    id,
    userId,
    method: 'mpesa',
    currency: 'KES',
    amount: 100_000,
    status: 'succeeded',
    expiresAt: fields.at + 60_000,
    createdAt: fields.at,
    updatedAt: fields.at,
    ...fields,
  });
  return id;
}

const link = (id: string) => `href="/admin/deposits/${id}"`;

describe('/admin/deposits list', () => {
  it('needs Access: no token is 401', async () => {
    const response = await call('/admin/deposits', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('/__sim/access/login?redirect=%2Fadmin%2Fdeposits');
  });

  it('shows real M-Pesa deposits with customer, amount, status and how long a pending one has waited', async () => {
    const { user, cookie } = await signUpUser();
    const paid = await startMpesa(cookie, freshPhone(), 150_000);
    await flush((await row(paid.id)).checkoutRequestId!);
    const waiting = await startMpesa(cookie, '254700000005', 20_000);
    expect((await row(paid.id)).status).toBe('succeeded');

    const html = await page(`/admin/deposits?q=${encodeURIComponent(user.email)}`);
    expect(html).toContain(link(paid.id));
    expect(html).toContain(link(waiting.id));
    expect(html).toContain(`href="/admin/customers/${user.id}"`);
    expect(html).toContain(formatMoney(150_000, 'KES'));
    expect(html).toContain((await row(paid.id)).receipt!);
    expect(html).toMatch(/<span class="status pending">pending<\/span><span class="pending-age"> for \d+ s<\/span>/);
    expect(html.indexOf(link(waiting.id))).toBeLessThan(html.indexOf(link(paid.id)));
    for (const label of ['filter-q', 'filter-method', 'filter-status', 'filter-currency', 'filter-from', 'filter-to']) expect(html).toContain(`<label for="${label}">`);
  });

  it('searches by deposit id, phone in any Kenyan form, receipt (any case), checkout request id and email', async () => {
    const { user, cookie } = await signUpUser();
    const phone = freshPhone();
    const target = await startMpesa(cookie, phone);
    const stored = await row(target.id);
    await flush(stored.checkoutRequestId!);
    const receipt = (await row(target.id)).receipt!;
    const other = await signUpUser();
    const decoy = await startMpesa(other.cookie, freshPhone());

    for (const q of [target.id, phone, `+254${phone.slice(1)}`, receipt.toLowerCase(), stored.checkoutRequestId!, user.email.toUpperCase()]) {
      const html = await page(`/admin/deposits?q=${encodeURIComponent(q)}`);
      expect(html, q).toContain(link(target.id));
      expect(html, q).not.toContain(link(decoy.id));
    }
  });

  it('filters by method, status and currency', async () => {
    const { user } = await signUpUser();
    const at = Date.now();
    const mpesaOk = await insertDeposit(user.id, { at, method: 'mpesa', currency: 'KES', status: 'succeeded' });
    const mpesaFailed = await insertDeposit(user.id, { at: at + 1, method: 'mpesa', currency: 'KES', status: 'failed', failureReason: 'cancelled' });
    const monnifyPending = await insertDeposit(user.id, { at: at + 2, method: 'monnify', currency: 'NGN', status: 'pending' });
    const q = `q=${encodeURIComponent(user.email)}`;
    const cases: [string, string[]][] = [
      ['method=monnify', [monnifyPending]],
      ['method=mpesa', [mpesaOk, mpesaFailed]],
      ['status=failed', [mpesaFailed]],
      ['status=pending', [monnifyPending]],
      ['currency=KES', [mpesaOk, mpesaFailed]],
      ['currency=NGN&status=pending&method=monnify', [monnifyPending]],
      ['method=&status=&currency=', [mpesaOk, mpesaFailed, monnifyPending]],
    ];
    for (const [filter, expected] of cases) {
      const html = await page(`/admin/deposits?${q}&${filter}`);
      for (const id of [mpesaOk, mpesaFailed, monnifyPending]) {
        if (expected.includes(id)) expect(html, `${filter} ${id}`).toContain(link(id));
        else expect(html, `${filter} ${id}`).not.toContain(link(id));
      }
    }
  });

  it('filters by date on Nairobi days, both ends inclusive', async () => {
    const { user } = await signUpUser();
    // 21:30 UTC on 10 March is 00:30 on 11 March in Nairobi.
    const lateNight = await insertDeposit(user.id, { at: Date.parse('2026-03-10T21:30:00Z') });
    const evening = await insertDeposit(user.id, { at: Date.parse('2026-03-10T20:30:00Z') });
    const q = `q=${encodeURIComponent(user.email)}`;
    const on11 = await page(`/admin/deposits?${q}&from=2026-03-11&to=2026-03-11`);
    expect(on11).toContain(link(lateNight));
    expect(on11).not.toContain(link(evening));
    const on10 = await page(`/admin/deposits?${q}&to=2026-03-10`);
    expect(on10).toContain(link(evening));
    expect(on10).not.toContain(link(lateNight));
    expect(await page(`/admin/deposits?${q}&from=2026-03-12`)).toContain('No deposits match these filters.');
  });

  it('answers bad filters with 400 and says which, keeping what was typed', async () => {
    const bad = await page('/admin/deposits?method=paypal&from=2026-02-30&q=%3Cb%3E', 400);
    expect(bad).toContain('Method: Choose one of: mpesa, monnify');
    expect(bad).toContain('From date: Not a real date');
    expect(bad).toContain('value="&lt;b&gt;"');
    expect(await page('/admin/deposits?from=2026-03-02&to=2026-03-01', 400)).toContain('To date: The end date is before the start date');
    expect(await page('/admin/deposits?currency=USD', 400)).toContain('Currency');
  });

  it('pages newest first, the cursor keeping the filters', async () => {
    const { user } = await signUpUser();
    const base = Date.parse('2026-05-01T06:00:00Z');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await insertDeposit(user.id, { at: base + i * 1000 }));
    const q = `q=${encodeURIComponent(user.email)}`;
    const first = await page(`/admin/deposits?${q}&status=succeeded&limit=2`);
    expect(first).toContain(link(ids[2]!));
    expect(first).toContain(link(ids[1]!));
    expect(first).not.toContain(link(ids[0]!));
    expect(first).toContain(`status=succeeded&amp;limit=2&amp;cursor=${ids[1]}`);
    const second = await page(`/admin/deposits?${q}&status=succeeded&limit=2&cursor=${ids[1]}`);
    expect(second).toContain(link(ids[0]!));
    expect(second).not.toContain(link(ids[1]!));
    expect(second).toContain('End of list');
  });
});

describe('/admin/deposits.csv', () => {
  it('exports the filtered deposits with amounts in major units and a currency column', async () => {
    const { user } = await signUpUser();
    const at = Date.parse('2026-06-01T10:00:00Z');
    const kes = await insertDeposit(user.id, { at, amount: 150_050, phone: '254712000111', receipt: 'QWE123RTY9' });
    const ngn = await insertDeposit(user.id, { at: at + 1000, method: 'monnify', currency: 'NGN', amount: 500_000, receipt: 'MNFY|20|1' });
    const response = await adminGet(viewer, `/admin/deposits.csv?q=${encodeURIComponent(user.email)}&limit=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('x-export-truncated')).toBeNull();
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,created_utc,customer_id,customer_email,method,currency,amount,status,phone,receipt,checkout_request_id,failure_reason,settled_utc');
    expect(lines.slice(1)).toEqual([
      `${ngn},2026-06-01T10:00:01.000Z,${user.id},${user.email},monnify,NGN,5000.00,succeeded,,MNFY|20|1,,,`,
      `${kes},2026-06-01T10:00:00.000Z,${user.id},${user.email},mpesa,KES,1500.50,succeeded,254712000111,QWE123RTY9,,,`,
    ]);
    const onlyNgn = (await (await adminGet(viewer, `/admin/deposits.csv?q=${encodeURIComponent(user.email)}&currency=NGN`)).text()).trimEnd().split('\r\n');
    expect(onlyNgn).toHaveLength(2);
    expect(onlyNgn[1]).toContain(ngn);
    expect((await adminGet(viewer, '/admin/deposits.csv?status=lost')).status).toBe(400);
  });
});

describe('/admin/deposits/:id', () => {
  it('shows every field but the callback token hash, the customer, events, ledger entries and audit rows', async () => {
    const { user, cookie } = await signUpUser({ name: '<script>alert(1)</script>' });
    const started = await startMpesa(cookie, freshPhone(), 150_000);
    const before = await row(started.id);
    await flush(before.checkoutRequestId!);
    const settled = await row(started.id);
    await project(user.id, 'KES');
    const [event] = await db.select().from(providerEvents).where(eq(providerEvents.depositId, started.id));
    const staff = await createStaff('operator');
    await recordAudit(db, { ...staff, name: 'Ops' }, { action: 'deposit.recheck', targetType: 'deposit', targetId: started.id, reason: 'Customer called' });

    const html = await page(`/admin/deposits/${started.id}`);
    expect(settled.callbackTokenHash).toBeTruthy();
    expect(html).not.toContain(settled.callbackTokenHash!);
    for (const value of [settled.id, settled.phone!, settled.receipt!, settled.checkoutRequestId!, settled.merchantRequestId!, settled.resultCode!, settled.requestHash ?? settled.id]) {
      expect(html).toContain(value);
    }
    expect(html).toContain(formatMoney(150_000, 'KES'));
    expect(html).toContain(`href="/admin/customers/${user.id}"`);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(event).toBeDefined();
    expect(html).toContain(`href="/admin/events/${event!.id}"`);
    // Both sides of the credit, as projected to D1.
    expect(html).toMatch(new RegExp(`<code>${started.id}</code></td><td>credit</td><td>wallet</td>`));
    expect(html).toMatch(new RegExp(`<code>${started.id}</code></td><td>credit</td><td>mpesa:clearing</td>`));
    expect(html).toContain('deposit.recheck');
    expect(html).toContain('Customer called');
  });

  it('finds a Monnify deposit’s ledger entries under Monnify’s transaction reference, and links its anomalies', async () => {
    const { user, cookie } = await signUpUser();
    const paidResponse = await postJson('/api/v1/deposits/monnify', { amount: 500_000 }, { cookie });
    const paid = ((await paidResponse.json()) as { data: DepositJson }).data;
    expect((await postForm(new URL(paid.checkoutUrl!).pathname, { outcome: 'paid' })).status).toBe(303);
    const settled = await row(paid.id);
    expect(settled.status).toBe('succeeded');
    await project(user.id, 'NGN');
    const transferId = await monnifyTransferId(settled.receipt!);
    const html = await page(`/admin/deposits/${paid.id}`);
    expect(html).toContain('Monnify transaction reference');
    expect(html).toMatch(new RegExp(`<code>${transferId.replace(/[|.]/g, '\\$&')}</code></td><td>credit</td><td>wallet</td>`));

    const partialResponse = await postJson('/api/v1/deposits/monnify', { amount: 200_000 }, { cookie });
    const partial = ((await partialResponse.json()) as { data: DepositJson }).data;
    expect((await postForm(new URL(partial.checkoutUrl!).pathname, { outcome: 'less' })).status).toBe(303);
    const anomaly = await db.query.anomalies.findFirst({ where: (t, { eq: is }) => is(t.depositId, partial.id) });
    expect(anomaly).toBeDefined();
    const partialHtml = await page(`/admin/deposits/${partial.id}`);
    expect(partialHtml).toContain(`href="/admin/anomalies/${anomaly!.id}"`);
    expect(partialHtml).toContain('amount_mismatch');
    expect(partialHtml).toContain('No ledger entries recorded for these transfers.');
  });

  it('is a 404 page for an unknown id', async () => {
    expect(await page('/admin/deposits/dep_nope', 404)).toContain('No deposit with this id');
  });
});
