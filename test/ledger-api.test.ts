import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { walletLedger } from '../src/services/wallets';
import { call, signUpUser } from './helpers';

const HOUR = 3600_000;

async function customerWithHistory(entries = 0) {
  const customer = await signUpUser();
  const kes = walletLedger(env, customer.user.id, 'KES');
  await kes.credit({ id: `dep_${customer.user.id}`, amount: 1_000_00, account: 'mpesa:clearing', reference: 'deposit:1' });
  await kes.hold({ id: `pur_${customer.user.id}`, amount: 250_00, account: 'vtpass:float', reference: 'purchase:1', timeoutMs: HOUR, onDeadline: 'notify' });
  for (let i = 0; i < entries; i++) await kes.credit({ id: `bonus_${customer.user.id}_${i}`, amount: 1_00, account: 'referral:expense' });
  return customer;
}

async function getJson(path: string, cookie: string) {
  const response = await call(path, { headers: { cookie } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('GET /api/v1/wallets', () => {
  it('needs a signed-in user', async () => {
    const response = await call('/api/v1/wallets');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('always lists KES and NGN, zero for a new customer', async () => {
    const { cookie } = await signUpUser();
    expect(await getJson('/api/v1/wallets', cookie)).toEqual({
      status: 200,
      body: {
        data: [
          { currency: 'KES', balance: 0, held: 0, available: 0 },
          { currency: 'NGN', balance: 0, held: 0, available: 0 },
        ],
      },
    });
  });

  it('shows held money separately from what is available', async () => {
    const { cookie } = await customerWithHistory();
    const { body } = await getJson('/api/v1/wallets', cookie);
    expect(body.data[0]).toEqual({ currency: 'KES', balance: 1_000_00, held: 250_00, available: 750_00 });
  });
});

describe('GET /api/v1/wallets/{currency}/entries', () => {
  it('lists entries newest first with exactly the public fields', async () => {
    const { cookie, user } = await customerWithHistory();
    const { status, body } = await getJson('/api/v1/wallets/KES/entries', cookie);

    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.data).toEqual([
      {
        id: expect.stringMatching(/^ent_/),
        transferId: `pur_${user.id}`,
        kind: 'hold',
        direction: 'debit',
        amount: 250_00,
        balanceAfter: 1_000_00,
        status: 'pending',
        reference: 'purchase:1',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
      {
        id: expect.stringMatching(/^ent_/),
        transferId: `dep_${user.id}`,
        kind: 'credit',
        direction: 'credit',
        amount: 1_000_00,
        balanceAfter: 1_000_00,
        status: 'posted',
        reference: 'deposit:1',
        createdAt: expect.any(String),
      },
    ]);
  });

  it('pages with a cursor until the oldest entry', async () => {
    const { cookie } = await customerWithHistory(3);
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const { body } = await getJson(`/api/v1/wallets/kes/entries?limit=2${cursor ? `&cursor=${cursor}` : ''}`, cookie);
      seen.push(...body.data.map((entry: { transferId: string }) => entry.transferId));
      cursor = body.nextCursor;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.at(-1)).toMatch(/^dep_/);
  });

  it('keeps each customer to their own wallet', async () => {
    await customerWithHistory();
    const stranger = await signUpUser();
    expect((await getJson('/api/v1/wallets/KES/entries', stranger.cookie)).body).toEqual({ data: [], nextCursor: null });
  });

  it('answers 404 for a currency without a wallet and 400 for bad paging', async () => {
    const { cookie } = await signUpUser();
    expect(await getJson('/api/v1/wallets/USD/entries', cookie)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await getJson('/api/v1/wallets/KES/entries?limit=0', cookie)).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', details: { limit: expect.any(Array) } } },
    });
    expect(await getJson('/api/v1/wallets/KES/entries?cursor=abc', cookie)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });
});

describe('/wallet page', () => {
  it('sends visitors to log in first', async () => {
    const response = await call('/wallet', { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2Fwallet');
  });

  it('shows both wallets with available and held money, and the history', async () => {
    const { cookie } = await customerWithHistory();
    const response = await call('/wallet', { headers: { cookie } });
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).toContain('Kenyan shilling wallet');
    expect(html).toContain('Nigerian naira wallet');
    expect(html).toMatch(/data-field="available">KES\s750\.00</);
    expect(html).toMatch(/Held for payments in progress: <strong>KES\s250\.00<\/strong>/);
    expect(html).toMatch(/data-field="available">NGN\s0\.00</);
    expect(html).toMatch(/Money in · M-Pesa/);
    expect(html).toMatch(/KES\s250\.00 reserved/);
    expect(html).toMatch(/Reserved · Airtime and bills<\/td><td><span class="status pending">Pending</);
    expect(html).not.toContain('Load more');
  });

  it('loads older history with htmx, a page of rows at a time', async () => {
    const { cookie } = await customerWithHistory(25);
    const html = await (await call('/wallet?currency=KES', { headers: { cookie } })).text();
    expect(html.match(/<tr id="entry-/g)).toHaveLength(20);
    const next = html.match(/hx-get="(\/wallet\/entries\?currency=KES&amp;cursor=\d+)"/)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeDefined();

    const fragment = await call(next!, { headers: { cookie, 'hx-request': 'true' } });
    const rows = await fragment.text();
    expect(fragment.status).toBe(200);
    expect(rows).not.toContain('<html');
    expect(rows.match(/<tr id="entry-/g)).toHaveLength(7);
    expect(rows).toMatch(/Money in · M-Pesa/);
    expect(rows).not.toContain('Load more');
  });
});
