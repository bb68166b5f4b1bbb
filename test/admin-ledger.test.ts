import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../src/index';
import { dayNumber } from '../src/services/console/overview';
import { walletLedger } from '../src/services/wallets';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { hrefsOf, projected, textOf } from './console-pages';
import { call, postJson, signUpUser } from './helpers';

let viewer: TestStaff;
const fixture = { kesUser: '', ngnUser: '', depositId: '', monnifyDepositId: '', monnifyTransferId: '', purchaseId: '', adjustmentId: '' };

/** Runs the real `monnify.reserve-account` job for a customer, as the JOBS queue would. */
async function reserveAccount(userId: string) {
  const message = { id: `msg-${userId}`, timestamp: new Date(), attempts: 1, body: { type: 'monnify.reserve-account', userId }, ack() {}, retry() {} };
  await worker.queue({ queue: 'malipo-jobs', messages: [message], ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>, env);
}

const links = (html: string) => hrefsOf(html).filter((h) => h.startsWith('/admin/ledger/'));
const transferLink = (id: string) => `/admin/ledger/${encodeURIComponent(id)}`;
const nairobiToday = () => new Date(dayNumber(Date.now()) * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  viewer = await createStaff('viewer');
  // KES: an M-Pesa deposit paid through the simulator, then a manual adjustment.
  const kes = await signUpUser();
  fixture.kesUser = kes.user.id;
  const started = await postJson('/api/v1/deposits/mpesa', { amount: 150_000, phone: '254708374149' }, { cookie: kes.cookie });
  fixture.depositId = ((await started.json()) as { data: { id: string } }).data.id;
  const checkout = await env.DB.prepare('SELECT checkout_request_id AS c FROM deposits WHERE id = ?').bind(fixture.depositId).first<{ c: string }>();
  await call(`/__sim/mpesa/flush?checkoutRequestId=${encodeURIComponent(checkout!.c)}`, { method: 'POST' });
  fixture.adjustmentId = `adj_${Date.now().toString(36)}`;
  await walletLedger(env, kes.user.id, 'KES').credit({ id: fixture.adjustmentId, amount: 2_500, account: 'adjustments', reference: 'goodwill' });
  // NGN: a transfer into the customer's Monnify account, then an airtime purchase (hold, then post).
  const ngn = await signUpUser();
  fixture.ngnUser = ngn.user.id;
  await reserveAccount(ngn.user.id);
  const account = (await (await call('/api/v1/deposits/monnify/account', { headers: { cookie: ngn.cookie } })).json()) as { data: { accounts: { accountNumber: string }[] } };
  const transfer = await postJson('/__sim/monnify/transfers', { accountNumber: account.data.accounts[0]!.accountNumber, amount: 300_000 });
  const reference = ((await transfer.json()) as { data: { transactionReference: string } }).data.transactionReference;
  fixture.monnifyTransferId = `mnfy:${reference.replace(/\|/g, ':')}`;
  fixture.monnifyDepositId = (await env.DB.prepare('SELECT id FROM deposits WHERE receipt = ?').bind(reference).first<{ id: string }>())!.id;
  const bought = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient: '08011111111', amount: 10_000 }, { cookie: ngn.cookie, 'idempotency-key': 'ledger-test-1' });
  fixture.purchaseId = ((await bought.json()) as { data: { id: string; status: string } }).data.id;
  await projected(kes.user.id, 'KES', 4);
  await projected(ngn.user.id, 'NGN', 6);
});

describe('/admin/ledger: one row per transfer', () => {
  it('lists a customer’s transfers newest first, with the other account and the reference', async () => {
    const response = await adminGet(viewer, `/admin/ledger?userId=${fixture.ngnUser}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(links(html)).toEqual([transferLink(`${fixture.purchaseId}:post`), transferLink(fixture.purchaseId), transferLink(fixture.monnifyTransferId)]);
    expect(textOf(html)).toContain(`hold out vtpass:float`);
    expect(textOf(html)).toContain(`purchase:${fixture.purchaseId}`);
    expect(hrefsOf(html)).toContain(`/admin/customers/${fixture.ngnUser}`);
  });

  it.each([
    ['account', () => `userId=${fixture.kesUser}&account=mpesa:clearing`, () => [fixture.depositId]],
    ['account (adjustments)', () => `account=adjustments&currency=KES&userId=${fixture.kesUser}`, () => [fixture.adjustmentId]],
    ['kind', () => `userId=${fixture.ngnUser}&kind=hold`, () => [fixture.purchaseId]],
    ['status', () => `userId=${fixture.ngnUser}&status=pending`, () => [fixture.purchaseId]],
    ['currency', () => `userId=${fixture.ngnUser}&currency=KES`, () => []],
    ['search by purchase id (its reference)', () => `q=${fixture.purchaseId}`, () => [`${fixture.purchaseId}:post`, fixture.purchaseId]],
    ['search by transfer id', () => `q=${encodeURIComponent(`${fixture.purchaseId}:post`)}`, () => [`${fixture.purchaseId}:post`]],
    ['search by reference', () => 'q=goodwill', () => [fixture.adjustmentId]],
    ['a date range of today', () => `userId=${fixture.kesUser}&from=${nairobiToday()}&to=${nairobiToday()}`, () => [fixture.adjustmentId, fixture.depositId]],
    ['a date range that excludes today', () => `userId=${fixture.kesUser}&to=2020-01-01`, () => []],
  ])('filters by %s', async (_, query, expected) => {
    const response = await adminGet(viewer, `/admin/ledger?${query()}`);
    expect(response.status).toBe(200); // an error page has no links either
    expect(links(await response.text())).toEqual(expected().map(transferLink));
  });

  it('refuses filters that do not parse with a 400 that names them, keeping the form', async () => {
    const response = await adminGet(viewer, '/admin/ledger?account=bank&from=2026-02-30&cursor=nope');
    expect(response.status).toBe(400);
    const text = textOf(await response.text());
    expect(text).toContain('Some filters are not valid.');
    expect(text).toContain('Other account:');
    expect(text).toContain('From: Not a real date');
    expect(text).toContain('Page: This is not a page of this list');
  });

  it('pages with a cursor that keeps the filters, every transfer once', async () => {
    const seen: string[] = [];
    let path: string | undefined = `/admin/ledger?userId=${fixture.ngnUser}&limit=2`;
    for (let pages = 0; path && pages < 5; pages++) {
      const html = await (await adminGet(viewer, path)).text();
      seen.push(...links(html));
      path = hrefsOf(html).find((h) => h.startsWith('/admin/ledger?') && h.includes('cursor='));
      if (path) expect(path).toContain(`userId=${fixture.ngnUser}`);
    }
    expect(seen).toEqual([transferLink(`${fixture.purchaseId}:post`), transferLink(fixture.purchaseId), transferLink(fixture.monnifyTransferId)]);
  });

  it('exports the same filters as CSV', async () => {
    const html = await (await adminGet(viewer, `/admin/ledger?userId=${fixture.kesUser}`)).text();
    expect(hrefsOf(html)).toContain(`/admin/ledger.csv?userId=${fixture.kesUser}`);
    const response = await adminGet(viewer, `/admin/ledger.csv?userId=${fixture.kesUser}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="malipo-ledger-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('created_utc,transfer_id,customer_id,currency,kind,wallet_direction,other_account,amount,status,balance_after,held_after,reference,related_id,seq');
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual([fixture.adjustmentId, fixture.depositId]);
    expect(lines[1]).toContain(`,KES,credit,credit,adjustments,25.00,posted,1525.00,0.00,goodwill,,3`);
  });
});

describe('/admin/ledger/:transferId', () => {
  it('shows both sides of a post, the hold it settles, the customer and the purchase (ids with ":" encoded or not)', async () => {
    const id = `${fixture.purchaseId}:post`;
    for (const path of [transferLink(id), `/admin/ledger/${id}`]) {
      const response = await adminGet(viewer, path);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(textOf(html)).toContain(`wallet NGN of ${fixture.ngnUser} debit`);
      expect(textOf(html)).toMatch(/vtpass:float credit/);
      const hrefs = hrefsOf(html);
      expect(hrefs).toContain(`/admin/purchases/${fixture.purchaseId}`);
      expect(hrefs).toContain(`/admin/customers/${fixture.ngnUser}`);
      expect(hrefs).toContain(transferLink(fixture.purchaseId));
    }
  });

  it('shows, from the hold, the post that settled it', async () => {
    const html = await (await adminGet(viewer, transferLink(fixture.purchaseId))).text();
    expect(textOf(html)).toContain('Status when written pending');
    expect(hrefsOf(html)).toContain(transferLink(`${fixture.purchaseId}:post`));
  });

  it.each([
    ['an M-Pesa credit', () => fixture.depositId, () => `/admin/deposits/${fixture.depositId}`],
    ['a Monnify credit', () => fixture.monnifyTransferId, () => `/admin/deposits/${fixture.monnifyDepositId}`],
    ['an adjustment', () => fixture.adjustmentId, () => '/admin/adjustments'],
  ])('links %s to what it was for', async (_, id, target) => {
    const html = await (await adminGet(viewer, transferLink(id()))).text();
    expect(hrefsOf(html)).toContain(target());
  });

  it('is 404 for an unknown or impossible transfer id', async () => {
    expect((await adminGet(viewer, '/admin/ledger/nope-not-a-transfer')).status).toBe(404);
    expect((await adminGet(viewer, `/admin/ledger/${encodeURIComponent('<script>alert(1)</script>')}`)).status).toBe(404);
  });
});
