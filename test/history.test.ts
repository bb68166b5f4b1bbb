import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { deposits, purchases } from '../src/db/schema';
import { newId } from '../src/lib/crypto';
import { describePurchase, exportHistory, historyQuery, listHistory, type HistoryFilters } from '../src/services/history';
import { walletLedger } from '../src/services/wallets';
import { call, postJson, signUpUser } from './helpers';

/*
 * Listing tests insert purchase and deposit rows with drizzle (only the listing is under test, and
 * exact times are needed for the date filters); one test goes through the real purchase and M-Pesa
 * flows to show that rows made by them are listed.
 */

const db = database(env.DB);
let seq = 0;
const at = (iso: string) => Date.parse(iso);

async function insertPurchase(userId: string, createdAt: number, fields: Partial<typeof purchases.$inferInsert> = {}) {
  seq += 1;
  const id = fields.id ?? newId('pur', createdAt);
  await db.insert(purchases).values({
    id,
    userId,
    serviceId: 'mtn',
    category: 'airtime',
    recipient: '08011111111',
    phone: '08011111111',
    amount: 10_000,
    status: 'delivered',
    requestId: `req-${id}`,
    idempotencyKey: `key-${seq}`,
    requestHash: 'h',
    createdAt,
    updatedAt: createdAt,
    ...fields,
  });
  return id;
}

async function insertDeposit(userId: string, createdAt: number, fields: Partial<typeof deposits.$inferInsert> = {}) {
  const id = fields.id ?? newId('dep', createdAt);
  await db.insert(deposits).values({ id, userId, method: 'mpesa', currency: 'KES', amount: 150_000, status: 'succeeded', phone: '254708374149', expiresAt: createdAt, createdAt, updatedAt: createdAt, ...fields });
  return id;
}

/** Money as pages print it (Intl puts a no-break space after the currency code). */
const money = (text: string) => text.replace(' ', '\u00a0');

// Service names come from the catalogue, which the first catalogue request fills from the simulator.
beforeAll(async () => {
  expect((await call('/api/v1/catalog')).status).toBe(200);
});

const filters = (query: Record<string, string> = {}): HistoryFilters => historyQuery.parse(query);

async function page(cookie: string, path: string, headers: Record<string, string> = {}) {
  const response = await call(path, { headers: { cookie, ...headers } });
  return { status: response.status, html: await response.text(), response };
}

/** Row ids in page order, from the `history-<id>` row ids. */
const rowIds = (html: string) => [...html.matchAll(/<tr id="history-([^"]+)"/g)].map((m) => m[1]);
const olderHref = (html: string) => html.match(/href="([^"]+)"[^>]*>Older</)?.[1]?.replaceAll('&amp;', '&') ?? null;

/** A customer with a known set of items, plus another customer's items that must never show. */
async function seeded() {
  const { user, cookie } = await signUpUser();
  const other = await signUpUser();
  const ids = {
    airtime: await insertPurchase(user.id, at('2025-01-10T09:00:00Z')),
    data: await insertPurchase(user.id, at('2025-01-12T09:00:00Z'), { serviceId: 'glo-data', category: 'data', variationCode: 'glo500', status: 'failed' }),
    // 23:30 in Lagos on 15 January (22:30 UTC): still the 15th for a naira item.
    electricity: await insertPurchase(user.id, at('2025-01-15T22:30:00Z'), { serviceId: 'ikeja-electric', category: 'electricity', recipient: '1111111111111', amount: 200_000, token: '26362054405982757802' }),
    tv: await insertPurchase(user.id, at('2025-01-14T09:00:00Z'), { serviceId: 'dstv', category: 'tv', recipient: '1212121212', status: 'reversed' }),
    pendingAirtime: await insertPurchase(user.id, at('2025-01-13T09:00:00Z'), { status: 'pending', recipient: '201000000000' }),
    // 01:00 in Nairobi on 16 January (22:00 UTC on the 15th): the 16th for a shilling item.
    mpesa: await insertDeposit(user.id, at('2025-01-15T22:00:00Z'), { receipt: 'NLJ7RT61SV' }),
    mpesaFailed: await insertDeposit(user.id, at('2025-01-11T09:00:00Z'), { status: 'failed', failureReason: 'cancelled' }),
    monnify: await insertDeposit(user.id, at('2025-01-09T09:00:00Z'), { method: 'monnify', currency: 'NGN', amount: 500_000, phone: null, receipt: 'MNFY|20250109|000001' }),
  };
  const foreign = [
    await insertPurchase(other.user.id, at('2025-01-15T10:00:00Z')),
    await insertDeposit(other.user.id, at('2025-01-15T11:00:00Z')),
    await insertPurchase(other.user.id, at('2025-01-13T10:00:00Z'), { status: 'reversed' }),
  ];
  return { user, cookie, ids, foreign };
}

describe('/history: access', () => {
  it('sends visitors without a session to login, for the page and the CSV', async () => {
    for (const path of ['/history', '/history.csv', '/history?type=airtime']) {
      const response = await call(path);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path.split('?')[0]!)}`);
    }
  });

  it('shows a new customer a helpful empty state and a labelled GET filter form', async () => {
    const { cookie } = await signUpUser();
    const { status, html } = await page(cookie, '/history');
    expect(status).toBe(200);
    expect(html).toContain('No purchases or top-ups yet');
    expect(html).toContain('href="/deposit"');
    expect(html).toMatch(/<form[^>]*method="get"[^>]*action="\/history"/);
    expect(html).toMatch(/<form[^>]*hx-get="\/history"[^>]*hx-push-url="true"[^>]*hx-indicator="#history-loading"/);
    expect(html).toContain('id="history-loading"');
    for (const field of ['type', 'status', 'from', 'to']) {
      expect(html).toContain(`<label for="field-${field}">`);
      expect(html).toContain(`id="field-${field}"`);
    }
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).not.toContain('style=');
  });
});

describe('/history: the list', () => {
  it('lists purchases and deposits together, newest first, each with words, money and its link', async () => {
    const { cookie, ids, foreign } = await seeded();
    const { status, html } = await page(cookie, '/history');
    expect(status).toBe(200);
    expect(rowIds(html)).toEqual([ids.electricity, ids.mpesa, ids.tv, ids.pendingAirtime, ids.data, ids.mpesaFailed, ids.airtime, ids.monnify]);
    for (const id of foreign) expect(html).not.toContain(id);
    expect(html).toContain(`<a href="/purchases/${ids.airtime}">MTN airtime to 08011111111</a>`);
    expect(html).toContain('Glo data to 08011111111');
    expect(html).toContain('Electricity (IKEDC) for meter 1111111111111');
    expect(html).toContain('DStv subscription for smartcard 1212121212');
    expect(html).toContain('M-Pesa top-up from 254708374149');
    expect(html).toContain(`href="/deposit/monnify/return?paymentReference=${ids.monnify}"`);
    expect(html).toContain(money('NGN 2,000.00'));
    expect(html).toContain(money('KES 1,500.00'));
    for (const words of ['Delivered', 'Received', 'Pending', 'Failed', 'Reversed, refunded']) expect(html).toContain(`>${words}</span>`);
    // Each item in its own country's time.
    expect(html).toContain('15 Jan 2025, 23:30 WAT');
    expect(html).toContain('16 Jan 2025, 01:00 EAT');
  });

  it('filters by type', async () => {
    const { cookie, ids } = await seeded();
    expect(rowIds((await page(cookie, '/history?type=airtime')).html)).toEqual([ids.pendingAirtime, ids.airtime]);
    expect(rowIds((await page(cookie, '/history?type=electricity')).html)).toEqual([ids.electricity]);
    expect(rowIds((await page(cookie, '/history?type=tv')).html)).toEqual([ids.tv]);
    expect(rowIds((await page(cookie, '/history?type=data')).html)).toEqual([ids.data]);
    expect(rowIds((await page(cookie, '/history?type=deposit')).html)).toEqual([ids.mpesa, ids.mpesaFailed, ids.monnify]);
  });

  it('filters by status across both kinds', async () => {
    const { cookie, ids } = await seeded();
    expect(rowIds((await page(cookie, '/history?status=completed')).html)).toEqual([ids.electricity, ids.mpesa, ids.airtime, ids.monnify]);
    expect(rowIds((await page(cookie, '/history?status=failed')).html)).toEqual([ids.data, ids.mpesaFailed]);
    expect(rowIds((await page(cookie, '/history?status=pending')).html)).toEqual([ids.pendingAirtime]);
    expect(rowIds((await page(cookie, '/history?status=reversed')).html)).toEqual([ids.tv]);
    expect(rowIds((await page(cookie, '/history?status=failed&type=deposit')).html)).toEqual([ids.mpesaFailed]);
    const none = await page(cookie, '/history?status=reversed&type=deposit');
    expect(rowIds(none.html)).toEqual([]);
    expect(none.html).toContain('Nothing matches these filters');
  });

  it('filters by date, each item on its own country\'s calendar (Lagos for NGN, Nairobi for KES)', async () => {
    const { cookie, ids } = await seeded();
    // The 15th: the Lagos 23:30 purchase is in; the Nairobi 01:00 deposit (earlier in UTC) is the 16th.
    expect(rowIds((await page(cookie, '/history?from=2025-01-15&to=2025-01-15')).html)).toEqual([ids.electricity]);
    expect(rowIds((await page(cookie, '/history?from=2025-01-16')).html)).toEqual([ids.mpesa]);
    expect(rowIds((await page(cookie, '/history?to=2025-01-10')).html)).toEqual([ids.airtime, ids.monnify]);
    expect(rowIds((await page(cookie, '/history?from=2025-01-11&to=2025-01-13&type=all&status=')).html)).toEqual([ids.pendingAirtime, ids.data, ids.mpesaFailed]);
  });

  it('pages with an "Older" link that keeps the filters, never repeating or skipping an item', async () => {
    const { user, cookie } = await signUpUser();
    const expected: string[] = [];
    const base = at('2025-03-01T12:00:00Z');
    for (let i = 0; i < 30; i++) {
      const when = base - i * 60_000;
      expected.push(i % 3 === 0 ? await insertDeposit(user.id, when, { method: 'monnify', currency: 'NGN', phone: null }) : await insertPurchase(user.id, when));
    }
    const first = await page(cookie, '/history?status=completed');
    expect(rowIds(first.html)).toEqual(expected.slice(0, 25));
    const older = olderHref(first.html)!;
    expect(older).toMatch(/^\/history\?status=completed&cursor=\d+\.[a-z]{3}_[0-9a-z]+$/);
    const second = await page(cookie, older);
    expect(rowIds(second.html)).toEqual(expected.slice(25));
    expect(olderHref(second.html)).toBeNull();
    expect(second.html).toContain('Back to the newest');
  });

  it('keeps a total order when items share a timestamp across both tables', async () => {
    const { user } = await signUpUser();
    const all: string[] = [];
    for (let i = 0; i < 12; i++) {
      const when = at('2025-04-01T08:00:00Z') + Math.floor(i / 4) * 1000;
      all.push(i % 2 ? await insertDeposit(user.id, when) : await insertPurchase(user.id, when));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await listHistory(db, user.id, { ...filters(), cursor }, 5);
      seen.push(...result.items.map((item) => item.id));
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen)).toEqual(new Set(all));
    const inOnePage = (await listHistory(db, user.id, filters(), 100)).items.map((item) => item.id);
    expect(seen).toEqual(inOnePage);
  });

  it('answers htmx with only the list (and a full page for a history restore)', async () => {
    const { cookie, ids } = await seeded();
    const fragment = await page(cookie, '/history?type=deposit', { 'hx-request': 'true', 'hx-target': 'history-results' });
    expect(fragment.status).toBe(200);
    expect(fragment.html).not.toContain('<html');
    expect(fragment.html).toMatch(/^<section id="history-results"/);
    expect(rowIds(fragment.html)).toEqual([ids.mpesa, ids.mpesaFailed, ids.monnify]);
    expect(fragment.html).toContain('href="/history.csv?type=deposit"');
    expect(fragment.response.headers.get('hx-push-url')).toBe('/history?type=deposit');
    const fromForm = await page(cookie, '/history?type=deposit&status=all&from=&to=', { 'hx-request': 'true', 'hx-target': 'history-results' });
    expect(rowIds(fromForm.html)).toEqual([ids.mpesa, ids.mpesaFailed, ids.monnify]);
    expect(fromForm.response.headers.get('hx-push-url')).toBe('/history?type=deposit');
    const restore = await page(cookie, '/history?type=deposit', { 'hx-request': 'true', 'hx-target': 'history-results', 'hx-history-restore-request': 'true' });
    expect(restore.html).toContain('<html');
  });
});

describe('describePurchase', () => {
  it('names what was bought in words, with or without the catalogue name', () => {
    expect(describePurchase('airtime', 'etisalat', '9mobile Airtime VTU', '08091234567')).toBe('9mobile airtime to 08091234567');
    expect(describePurchase('data', 'airtel-data', null, '08021234567')).toBe('Airtel data to 08021234567');
    expect(describePurchase('electricity', 'eko-electric', 'Eko Electric Payment - EKEDC', '1010101010101')).toBe('Electricity (EKEDC) for meter 1010101010101');
    expect(describePurchase('electricity', 'kano-electric', null, '123456')).toBe('Electricity (Kano Electric) for meter 123456');
    expect(describePurchase('tv', 'gotv', 'Gotv Payment', '1212121212')).toBe('GOtv subscription for smartcard 1212121212');
    expect(describePurchase('tv', 'newtv', null, '99')).toBe('Newtv for smartcard 99');
  });
});

describe('/history: bad filters', () => {
  it.each([
    ['/history?from=2025-02-30', 'From date'],
    ['/history?to=15-01-2025', 'To date'],
    ['/history?from=2025-02-10&to=2025-02-01', 'The end date is before the start date'],
    ['/history?type=crypto', 'Choose a type from the list'],
    ['/history?status=lost', 'Choose a status from the list'],
  ])('%s → 400 page that says what is wrong, the field marked', async (path, words) => {
    const { cookie } = await signUpUser();
    const { status, html } = await page(cookie, path);
    expect(status).toBe(400);
    expect(html).toContain('<html');
    expect(html).toContain(words);
    expect(html).toContain('aria-invalid="true"');
  });

  it('a forged cursor is a 400 page too, never part of a query', async () => {
    const { cookie } = await signUpUser();
    const { status, html } = await page(cookie, `/history?cursor=${encodeURIComponent("1' OR 1=1 --")}`);
    expect(status).toBe(400);
    expect(html).toContain('This is not a page of this list');
  });

  it('htmx gets the message in place of the list (422, which htmx swaps)', async () => {
    const { cookie } = await signUpUser();
    const { status, html } = await page(cookie, '/history?from=nope', { 'hx-request': 'true', 'hx-target': 'history-results' });
    expect(status).toBe(422);
    expect(html).toMatch(/^<section id="history-results"/);
    expect(html).toContain('role="alert"');
    expect(html).toContain('From date');
  });

  it('the CSV refuses bad filters with 400 too', async () => {
    const { cookie } = await signUpUser();
    const response = await call('/history.csv?from=2025-13-01', { headers: { cookie } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.text()).toContain('From date');
  });
});

describe('/history.csv', () => {
  it('downloads the filtered items as CSV: header, major units, currency, ISO times, owner only', async () => {
    const { cookie, ids, foreign } = await seeded();
    const response = await call('/history.csv', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const today = new Date().toISOString().slice(0, 10);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="malipo-history-${today}.csv"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe('date,type,description,status,direction,currency,amount,reference,receipt');
    expect(lines).toHaveLength(1 + 8 + 1);
    expect(lines[1]).toBe(`2025-01-15T23:30:00+01:00,electricity,Electricity (IKEDC) for meter 1111111111111,completed,out,NGN,2000.00,${ids.electricity},26362054405982757802`);
    expect(lines[2]).toBe(`2025-01-16T01:00:00+03:00,deposit,M-Pesa top-up from 254708374149,completed,in,KES,1500.00,${ids.mpesa},NLJ7RT61SV`);
    expect(lines).toContain(`2025-01-14T10:00:00+01:00,tv,DStv subscription for smartcard 1212121212,reversed,out,NGN,100.00,${ids.tv},`);
    for (const id of foreign) expect(text).not.toContain(id);
  });

  it('uses the same filters as the page and ignores the page cursor', async () => {
    const { cookie, ids } = await seeded();
    const text = await (await call('/history.csv?type=deposit&status=completed&cursor=1.x', { headers: { cookie } })).text();
    const refs = text.trim().split('\r\n').slice(1).map((line) => line.split(',')[7]);
    expect(refs).toEqual([ids.mpesa, ids.monnify]);
  });

  it('neutralises formula injection from provider-supplied text', async () => {
    const { user, cookie } = await signUpUser();
    await insertDeposit(user.id, at('2025-02-01T10:00:00Z'), { method: 'monnify', currency: 'NGN', phone: null, receipt: '=HYPERLINK("http://evil.example","x")' });
    await insertDeposit(user.id, at('2025-02-01T09:00:00Z'), { method: 'monnify', currency: 'NGN', phone: null, receipt: '@SUM(1+1)' });
    const text = await (await call('/history.csv', { headers: { cookie } })).text();
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")"\r\n`);
    expect(text).toContain(",'@SUM(1+1)\r\n");
    expect(text).not.toMatch(/,=HYPERLINK/);
  });

  it('is bounded: at most the cap, newest first, and says when it stopped early', async () => {
    const { user } = await signUpUser();
    for (let i = 0; i < 7; i++) await insertPurchase(user.id, at('2025-05-01T00:00:00Z') + i * 1000);
    const capped = await exportHistory(db, user.id, filters(), 5);
    expect(capped.items).toHaveLength(5);
    expect(capped.truncated).toBe(true);
    expect(capped.items[0]?.createdAt).toBe(at('2025-05-01T00:00:06Z'));
    const whole = await exportHistory(db, user.id, filters(), 7);
    expect(whole).toMatchObject({ truncated: false });
    expect(whole.items).toHaveLength(7);
  });
});

describe('/history with the real flows', () => {
  it('lists a purchase made through VTpass and a top-up started through M-Pesa', async () => {
    const { user, cookie } = await signUpUser();
    await walletLedger(env, user.id, 'NGN').credit({ id: `fund-${user.id}`, amount: 100_000, account: 'monnify:clearing' });
    const bought = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient: '08011111111', amount: 10_000 }, { cookie, 'idempotency-key': `history-${user.id}` });
    expect(bought.status).toBe(201);
    const purchase = ((await bought.json()) as { data: { id: string } }).data;
    const phone = `07${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const topUp = await postJson('/api/v1/deposits/mpesa', { amount: 150_000, phone }, { cookie });
    expect(topUp.status).toBe(202);
    const deposit = ((await topUp.json()) as { data: { id: string } }).data;

    const { html } = await page(cookie, '/history');
    expect(rowIds(html)).toEqual([deposit.id, purchase.id]);
    expect(html).toContain(`<a href="/purchases/${purchase.id}">MTN airtime to 08011111111</a>`);
    expect(html).toContain(money('NGN 100.00'));
    expect(html).toContain(money('KES 1,500.00'));
    expect(rowIds((await page(cookie, '/history?status=pending')).html)).toEqual([deposit.id]);
    const csv = await (await call('/history.csv?type=airtime', { headers: { cookie } })).text();
    expect(csv).toContain(`,airtime,MTN airtime to 08011111111,completed,out,NGN,100.00,${purchase.id},`);
  });
});
