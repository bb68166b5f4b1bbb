import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { planPost } from '../src/durable/ledger-rules';
import type { PostingResult } from '../src/durable/ledger-types';
import { AppError } from '../src/lib/errors';
import { walletLedger } from '../src/services/wallets';
import { freshWallet, readStorage } from './ledger-support';

const HOUR = 3600_000;

function expectOk(result: PostingResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

async function funded(amount: number) {
  const wallet = freshWallet();
  expectOk(await wallet.stub.credit(wallet.owner, { id: 'dep_seed', amount, account: 'mpesa:clearing', reference: 'deposit:dep_seed' }));
  return wallet;
}

describe('credits and debits', () => {
  it('credits from a system account, recording a balanced pair of entries', async () => {
    const { owner, stub } = freshWallet();
    const result = expectOk(await stub.credit(owner, { id: 'dep_1', amount: 150_00, account: 'mpesa:clearing', reference: 'deposit:dep_1' }));

    expect(result).toMatchObject({ replayed: false, transfer: { id: 'dep_1', kind: 'credit', amount: 150_00, status: 'posted', balanceAfter: 150_00, heldAfter: 0 } });
    expect(await stub.balance(owner)).toEqual({ balance: 150_00, held: 0, available: 150_00 });
    const stored = await readStorage(stub);
    expect(stored.entries.map((e) => [e.account, e.direction, e.amount])).toEqual([
      ['wallet', 'credit', 150_00],
      ['mpesa:clearing', 'debit', 150_00],
    ]);
  });

  it('debits what is available and refuses to overdraw, writing nothing', async () => {
    const { owner, stub } = await funded(100_00);
    expectOk(await stub.debit(owner, { id: 'pay_1', amount: 60_00, account: 'vtpass:float' }));
    const before = await readStorage(stub);

    const refused = await stub.debit(owner, { id: 'pay_2', amount: 40_01, account: 'vtpass:float' });

    expect(refused).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
    expect(await stub.balance(owner)).toEqual({ balance: 40_00, held: 0, available: 40_00 });
    expect(await readStorage(stub)).toEqual(before);
  });

  it.each([
    ['zero', { amount: 0 }],
    ['negative', { amount: -5 }],
    ['fractional', { amount: 1.5 }],
    ['NaN', { amount: Number.NaN }],
    ['infinite', { amount: Number.POSITIVE_INFINITY }],
    ['beyond 2^53', { amount: 2 ** 53 }],
    ['a string amount', { amount: '100' }],
    ['an unknown account', { account: 'bank:anything' }],
    ['an id with spaces', { id: 'dep 1' }],
    ['an unexpected field', { memo: 'hi' }],
  ])('rejects %s before writing anything', async (_name, change) => {
    const { owner, stub } = freshWallet();
    const input = { id: 'dep_1', amount: 100, account: 'mpesa:clearing', ...change };

    const result = await stub.credit(owner, input as never);

    expect(result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(result.ok === false && result.details).toBeTruthy();
    expect(await readStorage(stub)).toMatchObject({ entryCount: 0, transferCount: 0, ownerRows: 0 });
  });

  it('refuses a credit that would take the balance past the largest safe integer', async () => {
    const { owner, stub } = await funded(Number.MAX_SAFE_INTEGER - 10);
    const result = await stub.credit(owner, { id: 'dep_2', amount: 11, account: 'mpesa:clearing' });
    expect(result).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect((await stub.balance(owner)).balance).toBe(Number.MAX_SAFE_INTEGER - 10);
  });
});

describe('idempotency', () => {
  it('returns the original result for the same id and fields, and writes nothing', async () => {
    const { owner, stub } = freshWallet();
    const input = { id: 'dep_1', amount: 500, account: 'mpesa:clearing', reference: 'deposit:dep_1' } as const;
    const first = expectOk(await stub.credit(owner, input));
    expectOk(await stub.credit(owner, { id: 'dep_2', amount: 700, account: 'mpesa:clearing' }));
    const before = await readStorage(stub);

    const again = expectOk(await stub.credit(owner, input));

    expect(again).toEqual({ ok: true, replayed: true, transfer: first.transfer });
    expect(await readStorage(stub)).toEqual(before);
  });

  it.each([
    ['a different amount', 'credit', { id: 'dep_1', amount: 501, account: 'mpesa:clearing' }],
    ['a different account', 'credit', { id: 'dep_1', amount: 500, account: 'monnify:clearing' }],
    ['a different reference', 'credit', { id: 'dep_1', amount: 500, account: 'mpesa:clearing', reference: 'other' }],
    ['a different kind', 'debit', { id: 'dep_1', amount: 500, account: 'mpesa:clearing' }],
  ] as const)('refuses the same id with %s (CONFLICT)', async (_name, method, input) => {
    const { owner, stub } = freshWallet();
    expectOk(await stub.credit(owner, { id: 'dep_1', amount: 500, account: 'mpesa:clearing' }));
    const before = await readStorage(stub);

    const result = await stub[method](owner, input);

    expect(result).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await readStorage(stub)).toEqual(before);
  });
});

describe('holds', () => {
  const hold = (id: string, amount: number, extra: Record<string, unknown> = {}) => ({
    id,
    amount,
    account: 'vtpass:float' as const,
    reference: `purchase:${id}`,
    timeoutMs: HOUR,
    onDeadline: 'notify' as const,
    ...extra,
  });

  it('reserves funds: available drops, the balance does not', async () => {
    const { owner, stub } = await funded(1000);
    const result = expectOk(await stub.hold(owner, hold('pur_1', 300)));
    expect(result.transfer).toMatchObject({ kind: 'hold', status: 'pending', balanceAfter: 1000, heldAfter: 300, onDeadline: 'notify' });
    expect(result.transfer.deadline).toBe(result.transfer.createdAt + HOUR);
    expect(await stub.balance(owner)).toEqual({ balance: 1000, held: 300, available: 700 });
  });

  it('refuses a hold larger than what is available', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, hold('pur_1', 600)));
    const result = await stub.hold(owner, hold('pur_2', 401));
    expect(result).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
    expect(await stub.balance(owner)).toEqual({ balance: 1000, held: 600, available: 400 });
  });

  it('posts a hold in full', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, hold('pur_1', 300)));
    const posted = expectOk(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1' }));
    expect(posted.transfer).toMatchObject({ kind: 'post', amount: 300, holdId: 'pur_1', account: 'vtpass:float', reference: 'purchase:pur_1' });
    expect(await stub.balance(owner)).toEqual({ balance: 700, held: 0, available: 700 });
  });

  it('posts part of a hold and releases the rest', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, hold('pur_1', 300)));
    expectOk(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1', amount: 120 }));
    expect(await stub.balance(owner)).toEqual({ balance: 880, held: 0, available: 880 });
  });

  it('refuses to post more than was held', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, hold('pur_1', 300)));
    expect(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1', amount: 301 })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await stub.balance(owner)).toEqual({ balance: 1000, held: 300, available: 700 });
  });

  it('settles a hold at most once', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, hold('pur_1', 300)));
    expectOk(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1' }));
    const before = await readStorage(stub);

    expect(await stub.postHold(owner, { id: 'pur_1:post-again', holdId: 'pur_1' })).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await stub.voidHold(owner, { id: 'pur_1:void', holdId: 'pur_1' })).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1' })).toMatchObject({ ok: true, replayed: true });
    expect(await readStorage(stub)).toEqual(before);
  });

  it('voids a hold, releasing all of it', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, hold('pur_1', 300)));
    const voided = expectOk(await stub.voidHold(owner, { id: 'pur_1:void', holdId: 'pur_1' }));
    expect(voided.transfer).toMatchObject({ kind: 'void', status: 'voided', amount: 300, balanceAfter: 1000, heldAfter: 0 });
    expect(await stub.balance(owner)).toEqual({ balance: 1000, held: 0, available: 1000 });
    expect(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1' })).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('answers NOT_FOUND for a hold that does not exist or is not a hold', async () => {
    const { owner, stub } = await funded(1000);
    expect(await stub.postHold(owner, { id: 'x:post', holdId: 'nope' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await stub.voidHold(owner, { id: 'x:void', holdId: 'dep_seed' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('will not post a release-at-deadline hold once its deadline has passed, even before the alarm ran', () => {
    const open = (onDeadline: 'release' | 'notify') => ({
      hold: {
        id: 'quote_1',
        kind: 'hold' as const,
        account: 'crypto:desk' as const,
        amount: 300,
        status: 'pending' as const,
        reference: 'quote:1',
        holdId: null,
        reversesId: null,
        deadline: 1_000,
        onDeadline,
        balanceAfter: 1000,
        heldAfter: 300,
        createdAt: 0,
      },
      settledBy: null,
    });
    const input = { id: 'quote_1:post', holdId: 'quote_1' };
    expect(planPost(input, open('release'), 999)).toMatchObject({ kind: 'post', amount: 300 });
    expect(planPost(input, open('release'), 1_000)).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(planPost(input, open('notify'), 5_000)).toMatchObject({ kind: 'post', amount: 300 });
  });
});

describe('reversals', () => {
  it('reverses a credit once, pointing at the original', async () => {
    const { owner, stub } = await funded(1000);
    const reversal = expectOk(await stub.reverse(owner, { id: 'dep_seed:reversal', reverses: 'dep_seed' }));
    expect(reversal.transfer).toMatchObject({ kind: 'reversal', reversesId: 'dep_seed', amount: 1000, account: 'mpesa:clearing', balanceAfter: 0 });
    expect(await stub.reverse(owner, { id: 'dep_seed:reversal-2', reverses: 'dep_seed' })).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await stub.reverse(owner, { id: 'dep_seed:reversal', reverses: 'dep_seed' })).toMatchObject({ ok: true, replayed: true });
    expect(await stub.balance(owner)).toEqual({ balance: 0, held: 0, available: 0 });
  });

  it('refunds a posted payment', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.debit(owner, { id: 'pay_1', amount: 400, account: 'vtpass:float' }));
    expectOk(await stub.reverse(owner, { id: 'pay_1:refund', reverses: 'pay_1', reference: 'vtpass:reversed' }));
    expect(await stub.balance(owner)).toEqual({ balance: 1000, held: 0, available: 1000 });
  });

  it('will not reverse a credit whose money is already spent or held', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.debit(owner, { id: 'pay_1', amount: 400, account: 'vtpass:float' }));
    expect(await stub.reverse(owner, { id: 'dep_seed:reversal', reverses: 'dep_seed' })).toMatchObject({ ok: false, code: 'INSUFFICIENT_FUNDS' });
    expect(await stub.balance(owner)).toEqual({ balance: 600, held: 0, available: 600 });
  });

  it('reverses only posted credits, debits and posts', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, { id: 'pur_1', amount: 100, account: 'vtpass:float', reference: 'purchase:pur_1', timeoutMs: HOUR, onDeadline: 'release' }));
    expect(await stub.reverse(owner, { id: 'pur_1:rev', reverses: 'pur_1' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(await stub.reverse(owner, { id: 'x:rev', reverses: 'missing' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('history', () => {
  it('lists the wallet side newest first, page by page, with settled and reversed states', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.hold(owner, { id: 'pur_1', amount: 300, account: 'vtpass:float', reference: 'purchase:pur_1', timeoutMs: HOUR, onDeadline: 'notify' }));
    expectOk(await stub.postHold(owner, { id: 'pur_1:post', holdId: 'pur_1', amount: 200 }));
    expectOk(await stub.debit(owner, { id: 'pay_2', amount: 50, account: 'fees:revenue' }));
    expectOk(await stub.reverse(owner, { id: 'pay_2:refund', reverses: 'pay_2' }));

    const first = await stub.entries(owner, { limit: 3 });
    if ('ok' in first) throw new Error(first.message);
    expect(first.entries.map((e) => [e.transferId, e.status, e.balanceAfter])).toEqual([
      ['pay_2:refund', 'posted', 800],
      ['pay_2', 'reversed', 750],
      ['pur_1:post', 'posted', 800],
    ]);
    expect(first.nextCursor).not.toBeNull();

    const second = await stub.entries(owner, { limit: 3, cursor: first.nextCursor! });
    if ('ok' in second) throw new Error(second.message);
    expect(second.entries.map((e) => [e.transferId, e.kind, e.status, e.direction])).toEqual([
      ['pur_1', 'hold', 'posted', 'debit'],
      ['dep_seed', 'credit', 'posted', 'credit'],
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects a malformed cursor', async () => {
    const { owner, stub } = freshWallet();
    expect(await stub.entries(owner, { cursor: 'abc' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });
});

describe('tamper evidence and ownership', () => {
  it('verifies its hash chain, and notices an entry changed behind its back', async () => {
    const { owner, stub } = await funded(1000);
    expectOk(await stub.debit(owner, { id: 'pay_1', amount: 400, account: 'vtpass:float' }));
    expect(await stub.verify(owner)).toMatchObject({ ok: true, problems: [], lastSeq: 4 });

    await runInDurableObject(stub, (_instance, state) => {
      expect(() => state.storage.sql.exec('UPDATE entries SET amount = 1 WHERE seq = 3')).toThrow(/immutable/);
      expect(() => state.storage.sql.exec('DELETE FROM transfers')).toThrow(/immutable/);
      state.storage.sql.exec('DROP TRIGGER entries_no_update');
      state.storage.sql.exec('UPDATE entries SET amount = 1 WHERE seq = 3');
    });

    const verdict = await stub.verify(owner);
    expect(verdict).toMatchObject({ ok: false });
    expect('problems' in verdict && verdict.problems.join('\n')).toMatch(/entry 3 .* does not match its hash/);
  });

  it('refuses to be used as another wallet', async () => {
    const { owner, stub } = await funded(1000);
    // Called on the instance: a rejected RPC leaks an unhandled rejection in the test pool (workers-sdk#14736).
    await runInDurableObject(stub, async (instance) => {
      expect(() => instance.balance({ ...owner, currency: 'NGN' })).toThrow(/was called as/);
      await expect(instance.credit({ userId: 'someone-else', currency: 'KES' }, { id: 'x', amount: 1, account: 'mpesa:clearing' })).rejects.toThrow(
        /was called as/,
      );
    });
    expect(await stub.balance(owner)).toEqual({ balance: 1000, held: 0, available: 1000 });
  });
});

describe('wallet service', () => {
  it('throws AppError with the ledger code, so the API answers 402/409/400/404', async () => {
    const ledger = walletLedger(env, `usr_service_${Date.now()}`, 'NGN');
    await ledger.credit({ id: 'dep_1', amount: 100, account: 'monnify:clearing' });

    const failures = await Promise.all([
      ledger.debit({ id: 'pay_1', amount: 101, account: 'vtpass:float' }).catch((e: unknown) => e),
      ledger.credit({ id: 'dep_1', amount: 99, account: 'monnify:clearing' }).catch((e: unknown) => e),
      ledger.credit({ id: 'dep_2', amount: 0, account: 'monnify:clearing' }).catch((e: unknown) => e),
      ledger.voidHold({ id: 'v', holdId: 'missing' }).catch((e: unknown) => e),
    ]);

    expect(failures.map((e) => e instanceof AppError && [e.code, e.status])).toEqual([
      ['INSUFFICIENT_FUNDS', 402],
      ['CONFLICT', 409],
      ['VALIDATION_FAILED', 400],
      ['NOT_FOUND', 404],
    ]);
    expect(await ledger.balance()).toEqual({ balance: 100, held: 0, available: 100 });
  });
});
