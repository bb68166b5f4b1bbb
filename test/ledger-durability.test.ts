import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { database } from '../src/db/client';
import { ledgerEntries } from '../src/db/schema';
import type { WalletOwner } from '../src/durable/ledger-types';
import type { WalletLedger } from '../src/durable/wallet-ledger';
import { jobMessage } from '../src/jobs/messages';
import { reconcileWallet } from '../src/services/wallets';
import { freshWallet, readStorage, walletStub } from './ledger-support';

const HOUR = 3600_000;

/** Runs the alarm handler inside the object and waits for it, however the real alarm is timed. */
function fireAlarm(stub: DurableObjectStub<WalletLedger>) {
  return runInDurableObject(stub, (instance) => instance.alarm());
}

async function projected(owner: WalletOwner) {
  return database(env.DB)
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.userId, owner.userId), eq(ledgerEntries.currency, owner.currency)))
    .orderBy(ledgerEntries.seq);
}

/** Makes every insert into the D1 copy fail, as an outage would. */
async function breakProjection() {
  await env.DB.prepare(`CREATE TRIGGER IF NOT EXISTS injected_outage BEFORE INSERT ON ledger_entries BEGIN SELECT RAISE(ABORT, 'injected outage'); END`).run();
}

async function repairProjection() {
  await env.DB.prepare('DROP TRIGGER IF EXISTS injected_outage').run();
}

async function someHistory() {
  const wallet = freshWallet('NGN');
  const { owner, stub } = wallet;
  await stub.credit(owner, { id: 'dep_1', amount: 10_000, account: 'monnify:clearing', reference: 'monnify:MNFY|1' });
  await stub.hold(owner, { id: 'pur_1', amount: 2_500, account: 'vtpass:float', reference: 'purchase:pur_1', timeoutMs: HOUR, onDeadline: 'notify' });
  await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1', amount: 2_000 });
  await stub.debit(owner, { id: 'fee_1', amount: 100, account: 'fees:revenue' });
  await stub.reverse(owner, { id: 'fee_1:refund', reverses: 'fee_1' });
  return wallet;
}

describe('eviction and restart', () => {
  it('keeps its journal, balance, chain and idempotency across a restart', async () => {
    const { owner, stub: beforeRestart } = await someHistory();
    const before = { balance: await beforeRestart.balance(owner), entries: await beforeRestart.entries(owner, { limit: 100 }) };

    await abortAllDurableObjects();
    const stub = walletStub(owner);

    expect(await stub.balance(owner)).toEqual(before.balance);
    expect(await stub.entries(owner, { limit: 100 })).toEqual(before.entries);
    expect(await stub.credit(owner, { id: 'dep_1', amount: 10_000, account: 'monnify:clearing', reference: 'monnify:MNFY|1' })).toMatchObject({
      ok: true,
      replayed: true,
    });
    const next = await stub.credit(owner, { id: 'dep_2', amount: 1, account: 'monnify:clearing' });
    expect(next).toMatchObject({ ok: true, replayed: false, transfer: { balanceAfter: before.balance.balance + 1 } });
    expect(await stub.verify(owner)).toEqual({ ok: true, checkedFrom: 1, lastSeq: 12, problems: [] });
  });
});

describe('hold deadlines', () => {
  it('releases a release-at-deadline hold once, however often the alarm fires', async () => {
    const { owner, stub } = freshWallet();
    await stub.credit(owner, { id: 'dep_1', amount: 1_000, account: 'mpesa:clearing' });
    const hold = await stub.hold(owner, { id: 'quote_1', amount: 600, account: 'crypto:desk', reference: 'crypto-quote:q1', timeoutMs: 1_000, onDeadline: 'release' });
    const deadline = hold.ok ? hold.transfer.deadline! : 0;
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeLessThanOrEqual(deadline);
    expect(await stub.balance(owner)).toEqual({ balance: 1_000, held: 600, available: 400 });

    await scheduler.wait(1_100);
    await runDurableObjectAlarm(stub);
    await fireAlarm(stub);
    await fireAlarm(stub);

    expect(await stub.balance(owner)).toEqual({ balance: 1_000, held: 0, available: 1_000 });
    const page = await stub.entries(owner);
    expect('entries' in page && page.entries.map((e) => [e.transferId, e.kind, e.status])).toEqual([
      ['quote_1:expired', 'void', 'voided'],
      ['quote_1', 'hold', 'voided'],
      ['dep_1', 'credit', 'posted'],
    ]);
    expect(await stub.postHold(owner, { id: 'quote_1:post', holdId: 'quote_1' })).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await stub.verify(owner)).toMatchObject({ ok: true });
  });

  it('tells the owning flow through the queue, once, and keeps the hold for it to settle', async () => {
    const { owner, stub } = freshWallet('NGN');
    await stub.credit(owner, { id: 'dep_1', amount: 5_000, account: 'monnify:clearing' });
    const delivered: unknown[] = [];
    let queueDown = true;
    const sendBatch = await runInDurableObject(stub, (instance) =>
      vi.spyOn((instance as unknown as { env: Env }).env.JOBS, 'sendBatch').mockImplementation(async (messages) => {
        if (queueDown) throw new Error('queue unavailable');
        delivered.push(...[...messages].map((message) => message.body));
        return { metadata: { metrics: { backlogCount: delivered.length, backlogBytes: 0 } } };
      }),
    );
    const notices = () => runInDurableObject(stub, (_instance, state) => state.storage.sql.exec('SELECT count(*) AS n FROM notices').one().n);
    await stub.hold(owner, { id: 'pur_9', amount: 1_500, account: 'vtpass:float', reference: 'purchase:pur_9', timeoutMs: 20, onDeadline: 'notify' });
    await scheduler.wait(30);

    await fireAlarm(stub);
    expect(await notices()).toBe(1);
    expect(delivered).toEqual([]);

    queueDown = false;
    await fireAlarm(stub);
    await fireAlarm(stub);
    sendBatch.mockRestore();

    expect(await notices()).toBe(0);
    expect(delivered).toHaveLength(1);
    expect(jobMessage.parse(delivered[0])).toEqual({
      type: 'ledger.hold-deadline',
      userId: owner.userId,
      currency: 'NGN',
      holdId: 'pur_9',
      reference: 'purchase:pur_9',
      amount: 1_500,
      deadline: expect.any(Number),
    });
    expect(await stub.balance(owner)).toEqual({ balance: 5_000, held: 1_500, available: 3_500 });
    expect(await stub.postHold(owner, { id: 'pur_9:post', holdId: 'pur_9' })).toMatchObject({ ok: true, replayed: false });
  });
});

describe('projection to D1', () => {
  it('converges after delivery fails and the object restarts, without duplicates', async () => {
    await breakProjection();
    const { owner, stub: crashed } = await someHistory();
    await fireAlarm(crashed);
    expect(await projected(owner)).toEqual([]);
    const lagging = await reconcileWallet(env, owner.userId, owner.currency);
    expect(lagging).toMatchObject({ ok: true, journalEntries: 10, projectedEntries: 0, undelivered: 10, missing: [], mismatched: [] });

    await abortAllDurableObjects();
    await repairProjection();
    const stub = walletStub(owner);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await fireAlarm(stub);

    const rows = await projected(owner);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const report = await reconcileWallet(env, owner.userId, owner.currency);
    expect(report).toEqual({
      wallet: `${owner.userId}:NGN`,
      ok: true,
      journalEntries: 10,
      projectedEntries: 10,
      undelivered: 0,
      missing: [],
      mismatched: [],
      unexpected: [],
      balance: { journal: 8_000, projection: 8_000 },
    });
  });

  it('resends harmlessly when the delivered mark was lost after D1 answered', async () => {
    const { owner, stub: crashed } = await someHistory();
    await fireAlarm(crashed);
    const first = await projected(owner);
    expect(first).toHaveLength(10);

    await runInDurableObject(crashed, (_instance, state) => {
      state.storage.sql.exec('UPDATE projection SET delivered_seq = 0');
    });
    await abortAllDurableObjects();
    const stub = walletStub(owner);
    await fireAlarm(stub);

    expect(await projected(owner)).toEqual(first);
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec('SELECT delivered_seq AS n FROM projection').one().n)).toBe(10);
  });

  it('keeps the system side, so every transfer sums to zero across accounts', async () => {
    const { owner, stub } = await someHistory();
    await fireAlarm(stub);
    const rows = await projected(owner);
    const byTransfer = new Map<string, number>();
    for (const row of rows) byTransfer.set(row.transferId, (byTransfer.get(row.transferId) ?? 0) + (row.direction === 'credit' ? row.amount : -row.amount));
    expect([...byTransfer.values()].every((sum) => sum === 0)).toBe(true);
    expect(rows.filter((r) => r.account === 'monnify:clearing').map((r) => [r.direction, r.amount])).toEqual([['debit', 10_000]]);
  });

  it('reports every kind of difference between the copy and the journal', async () => {
    const { owner, stub } = await someHistory();
    await fireAlarm(stub);
    const rows = await projected(owner);
    const db = database(env.DB);
    await env.DB.prepare('UPDATE ledger_entries SET amount = amount + 1 WHERE id = ?').bind(rows[0]!.id).run();
    await env.DB.prepare('DELETE FROM ledger_entries WHERE id = ?').bind(rows[3]!.id).run();
    await db.insert(ledgerEntries).values({ ...rows[9]!, id: 'ent_forged', seq: 11 });

    const report = await reconcileWallet(env, owner.userId, owner.currency);

    expect(report).toMatchObject({
      ok: false,
      journalEntries: 10,
      projectedEntries: 10,
      undelivered: 0,
      missing: [rows[3]!.id],
      mismatched: [rows[0]!.id],
      unexpected: ['ent_forged'],
      balance: { journal: 8_000, projection: 8_001 },
    });
    expect((await readStorage(stub)).entryCount).toBe(10);
  });
});
