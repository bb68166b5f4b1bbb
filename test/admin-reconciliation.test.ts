import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { deposits, purchases } from '../src/db/schema';
import type { Currency } from '../src/durable/ledger-types';
import { newId } from '../src/lib/crypto';
import { VtpassError } from '../src/providers/vtpass';
import { creditDeposit, type Deposit } from '../src/services/deposits';
import { monnifyTransferId } from '../src/services/monnify-deposits';
import { checkWallets, periodOf } from '../src/services/reconciliation';
import { vtpassFloat } from '../src/services/reconciliation-providers';
import { ledgerStub, walletLedger } from '../src/services/wallets';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { postJson, signUpUser } from './helpers';

const db = () => database(env.DB);

/** A deposit our flows settled: the row says succeeded and the credit went through `creditDeposit`, as the flows do it. */
async function settledDeposit(userId: string, method: 'mpesa' | 'monnify', amount: number, reference: string | null = null): Promise<Deposit> {
  const now = Date.now();
  const deposit: Deposit = {
    ...(await depositRow(userId, method, amount, now)),
    receipt: reference,
    checkoutRequestId: reference,
  };
  await db().insert(deposits).values(deposit);
  await creditDeposit(env, deposit, method === 'monnify' && reference ? { transferId: await monnifyTransferId(reference) } : {});
  return deposit;
}

async function depositRow(userId: string, method: 'mpesa' | 'monnify', amount: number, now: number): Promise<Deposit> {
  return {
    id: newId('dep', now),
    userId,
    method,
    currency: method === 'mpesa' ? 'KES' : 'NGN',
    amount,
    status: 'succeeded',
    phone: null,
    callbackTokenHash: null,
    merchantRequestId: null,
    checkoutRequestId: null,
    receipt: null,
    failureReason: null,
    resultCode: null,
    resultDesc: null,
    idempotencyKey: null,
    requestHash: null,
    checks: 0,
    nextCheckAt: null,
    expiresAt: now,
    createdAt: now,
    updatedAt: now,
    settledAt: now,
  };
}

/** Copies the wallet's journal to D1 now instead of after the object's short delay. */
async function project(userId: string, currency: Currency) {
  await runInDurableObject(ledgerStub(env, { userId, currency }), (instance) => instance.alarm());
}

async function page(member: TestStaff, path = '/admin/reconciliation') {
  const response = await adminGet(member, path);
  expect(response.status).toBe(200);
  return response.text();
}

let viewer: TestStaff;
let customer: { id: string };

beforeAll(async () => {
  viewer = await createStaff('viewer');
  const signed = await signUpUser();
  customer = signed.user;
  await settledDeposit(customer.id, 'mpesa', 150_000);
  await settledDeposit(customer.id, 'monnify', 500_000, 'MNFY|20|20261123|000123');
  await settledDeposit(customer.id, 'monnify', 20_000, 'MNFY 20 with spaces');
  const bought = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient: '08011111111', amount: 10_000 }, { cookie: signed.cookie, 'idempotency-key': 'recon-airtime' });
  expect(bought.status).toBe(201);
  await project(customer.id, 'KES');
  await project(customer.id, 'NGN');
});

describe('/admin/reconciliation', () => {
  it('shows "No differences" on clean data, with the system accounts and the VTpass float', async () => {
    const html = await page(viewer);
    expect(html).toContain('No differences on this page.');
    expect(html.match(/<p class="recon-clean">No differences<\/p>/g)).toHaveLength(3);
    expect(html).toContain('Checked 2 wallet(s)');
    expect(html).toContain(`${customer.id}:KES`);
    // mpesa:clearing paid 1,500 KES into a wallet: a debit on its side, so its net is negative.
    expect(html).toMatch(/<td>mpesa:clearing<\/td><td>KES<\/td><td class="num"><span class="money">KES\s0\.00<\/span><\/td><td class="num"><span class="money">KES\s1,500\.00<\/span><\/td><td class="num"><span class="money">-KES\s1,500\.00<\/span>/);
    expect(html).toMatch(/<td>vtpass:float<\/td><td>NGN<\/td><td class="num"><span class="money">NGN\s100\.00/);
    expect(html).toContain('KES: the nets of all accounts sum to zero.');
    expect(html).toContain('VTpass float balance (now, from VTpass)');
    expect(html).not.toContain('unavailable');
    expect(html).toContain('wallet credit is a debit here');
  });

  it('lists a wallet whose D1 copy lost an entry, and the books no longer sum to zero', async () => {
    const row = await env.DB.prepare("SELECT id FROM ledger_entries WHERE user_id = ? AND currency = 'KES' AND account = 'wallet' LIMIT 1").bind(customer.id).first<{ id: string }>();
    await env.DB.prepare('DELETE FROM ledger_entries WHERE id = ?').bind(row!.id).run();
    const html = await page(viewer);
    expect(html).toContain('missing entries');
    expect(html).toContain(row!.id);
    expect(html).toContain(`href="/admin/ledger?userId=${customer.id}&amp;currency=KES"`);
    expect(html).toContain('balance differs');
    expect(html).toContain('KES: the nets do not sum to zero');
    expect(html).not.toContain('No differences on this page.');
  });

  it('lists a succeeded deposit with no credit, a credit with no deposit and a delivered purchase never charged', async () => {
    const now = Date.now();
    const uncredited = await depositRow(customer.id, 'mpesa', 99_900, now);
    await db().insert(deposits).values(uncredited);
    await walletLedger(env, customer.id, 'NGN').credit({ id: 'stray-credit-1', amount: 7_700, account: 'monnify:clearing' });
    const purchaseId = newId('pur', now);
    await db().insert(purchases).values({
      id: purchaseId, userId: customer.id, serviceId: 'mtn', category: 'airtime', recipient: '08011111111', phone: '08011111111', amount: 5_000,
      status: 'delivered', requestId: `202611231200${purchaseId.slice(-8)}`, idempotencyKey: purchaseId, requestHash: 'x', createdAt: now, updatedAt: now, settledAt: now,
    });
    await project(customer.id, 'NGN');

    const html = await page(viewer);
    expect(html).toContain('succeeded deposit without a credit');
    expect(html).toContain(`href="/admin/deposits/${uncredited.id}"`);
    expect(html).toContain('credit without a succeeded deposit');
    expect(html).toContain('href="/admin/ledger/stray-credit-1"');
    expect(html).toContain('delivered purchase without a posted hold');
    expect(html).toContain(`href="/admin/purchases/${purchaseId}"`);
    // The honest deposits (M-Pesa, Monnify, and Monnify under a hashed transfer id) are not listed.
    expect(html.match(/succeeded deposit without a credit/g)).toHaveLength(1);
    // Amounts read as money, never as bare minor units.
    expect(html).toContain('KES 999.00 credited from mpesa:clearing');
    expect(html).toContain('NGN 77.00 from monnify:clearing');
    expect(html).toContain(`${purchaseId}:post of NGN 50.00`);
  });

  it('exports the differences as CSV', async () => {
    const response = await adminGet(viewer, '/admin/reconciliation.csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe('section,kind,subject,expected,actual,detail,recent,link');
    const kinds = lines.slice(1).map((line) => line.split(',').slice(0, 2).join(','));
    expect(kinds).toEqual(
      expect.arrayContaining([
        'wallet,missing entries',
        'accounts,accounts do not sum to zero',
        'deposit,succeeded deposit without a credit',
        'deposit,credit without a succeeded deposit',
        'purchase,delivered purchase without a posted hold',
      ]),
    );
  });

  it('checks wallets a page at a time and resumes after the last one', async () => {
    const first = await checkWallets(env, db(), undefined, 1);
    expect(first.checked).toBe(1);
    expect(first.nextAfter).toBe(first.last);
    const second = await checkWallets(env, db(), first.nextAfter!, 1);
    expect(second.first).not.toBe(first.first);
    expect(second.first! > first.first!).toBe(true);
    const html = await page(viewer, `/admin/reconciliation?after=${encodeURIComponent(first.nextAfter!)}`);
    expect(html).toContain(`Checked ${(await checkWallets(env, db(), first.nextAfter!)).checked} wallet(s), ${second.first}`);
  });

  it('says the VTpass float is unavailable when VTpass does not answer', async () => {
    const failing = { balance: async (): Promise<{ balanceKobo: number }> => Promise.reject(new VtpassError('timeout', 'VTpass balance: no answer within 5000 ms')) };
    const float = await vtpassFloat(db(), failing, periodOf({}));
    expect(float).toEqual({ provider: { ok: false, reason: 'timeout' }, periodNet: 10_000 });
  });
});
