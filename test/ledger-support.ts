import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Currency, WalletOwner } from '../src/durable/ledger-types';
import type { WalletLedger } from '../src/durable/wallet-ledger';
import { ledgerStub } from '../src/services/wallets';

let counter = 0;

/** A fresh wallet object per test, so tests in one file never share a journal. */
export function freshWallet(currency: Currency = 'KES', prefix = 'usr_test') {
  counter += 1;
  const owner: WalletOwner = { userId: `${prefix}_${Date.now().toString(36)}_${counter}`, currency };
  return { owner, stub: walletStub(owner) };
}

export function walletStub(owner: WalletOwner): DurableObjectStub<WalletLedger> {
  return ledgerStub(env, owner);
}

export type StoredEntry = {
  seq: number;
  transfer_id: string;
  account: string;
  direction: 'debit' | 'credit';
  amount: number;
  status: 'pending' | 'posted' | 'voided';
  hash: string;
};

/**
 * What the object's storage holds, read with plain SQL rather than through the object's own
 * code, so the invariants are checked independently of the implementation under test.
 */
export function readStorage(stub: DurableObjectStub<WalletLedger>, afterSeq = 0) {
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const scalar = (query: string, ...args: unknown[]) => Number(sql.exec(query, ...args).one().value ?? 0);
    return {
      entries: sql.exec<StoredEntry>('SELECT seq, transfer_id, account, direction, amount, status, hash FROM entries WHERE seq > ? ORDER BY seq', afterSeq).toArray(),
      entryCount: scalar('SELECT count(*) AS value FROM entries'),
      transferCount: scalar('SELECT count(*) AS value FROM transfers'),
      openHoldsTotal: scalar(
        `SELECT sum(h.amount) AS value FROM transfers h WHERE h.kind = 'hold' AND NOT EXISTS (SELECT 1 FROM transfers s WHERE s.related_id = h.id)`,
      ),
      journalBalance: scalar(
        `SELECT sum(CASE direction WHEN 'credit' THEN amount ELSE -amount END) AS value FROM entries WHERE account = 'wallet' AND status = 'posted'`,
      ),
      ownerRows: scalar('SELECT count(*) AS value FROM owner'),
    };
  });
}
