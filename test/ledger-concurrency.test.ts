import { describe, expect, it } from 'vitest';
import type { PostingResult } from '../src/durable/ledger-types';
import { freshWallet, readStorage } from './ledger-support';

const HOUR = 3600_000;

function outcomes(results: PostingResult[]) {
  const tally: Record<string, number> = {};
  for (const result of results) {
    const key = result.ok ? (result.replayed ? 'replayed' : 'committed') : result.code;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

describe('concurrent calls to one wallet', () => {
  it('lets exactly 50 of 100 concurrent holds of 10 through against a balance of 500', async () => {
    const { owner, stub } = freshWallet();
    await stub.credit(owner, { id: 'dep_1', amount: 500, account: 'mpesa:clearing' });

    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stub.hold(owner, { id: `pur_${i}`, amount: 10, account: 'vtpass:float', reference: `purchase:pur_${i}`, timeoutMs: HOUR, onDeadline: 'notify' }),
      ),
    );

    expect(outcomes(results)).toEqual({ committed: 50, INSUFFICIENT_FUNDS: 50 });
    expect(await stub.balance(owner)).toEqual({ balance: 500, held: 500, available: 0 });
    expect(await readStorage(stub)).toMatchObject({ transferCount: 51, entryCount: 102, openHoldsTotal: 500 });
    expect(await stub.verify(owner)).toMatchObject({ ok: true });
  });

  it('records one transfer when the same id is sent 50 times at once', async () => {
    const { owner, stub } = freshWallet();
    const input = { id: 'dep_same', amount: 1_234, account: 'monnify:clearing', reference: 'monnify:txn_1' } as const;

    const results = await Promise.all(Array.from({ length: 50 }, () => stub.credit(owner, input)));

    expect(outcomes(results)).toEqual({ committed: 1, replayed: 49 });
    const transfers = new Set(results.map((r) => r.ok && JSON.stringify(r.transfer)));
    expect(transfers.size).toBe(1);
    expect(await stub.balance(owner)).toEqual({ balance: 1_234, held: 0, available: 1_234 });
    expect(await readStorage(stub)).toMatchObject({ transferCount: 1, entryCount: 2 });
  });

  it('lets one of many racing settlements of a hold win, posts and voids alike', async () => {
    const { owner, stub } = freshWallet();
    await stub.credit(owner, { id: 'dep_1', amount: 1_000, account: 'mpesa:clearing' });
    await stub.hold(owner, { id: 'pur_1', amount: 400, account: 'vtpass:float', reference: 'purchase:pur_1', timeoutMs: HOUR, onDeadline: 'notify' });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? stub.postHold(owner, { id: `pur_1:post:${i}`, holdId: 'pur_1', amount: 100 + i }) : stub.voidHold(owner, { id: `pur_1:void:${i}`, holdId: 'pur_1' }),
      ),
    );

    expect(outcomes(results)).toEqual({ committed: 1, CONFLICT: 19 });
    const winner = results.find((r) => r.ok && !r.replayed);
    const balance = await stub.balance(owner);
    expect(balance.held).toBe(0);
    expect(balance.balance).toBe(winner?.ok && winner.transfer.kind === 'post' ? 1_000 - winner.transfer.amount : 1_000);
  });
});
