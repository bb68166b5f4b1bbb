import { expect } from 'vitest';
import type { Currency } from '../src/durable/ledger-types';
import { walletLedger } from '../src/services/wallets';
import { env } from 'cloudflare:workers';
import { readStorage, walletStub } from './ledger-support';

/**
 * The ledger invariants of design.md §3 for one wallet, checked from the object's raw storage:
 * balance = Σ posted journal entries, held = Σ open holds, available ≥ 0, the hash chain verifies.
 * Returns the balance so scenarios can assert the money too.
 */
export async function expectLedgerInvariants(userId: string, currency: Currency) {
  const ledger = walletLedger(env, userId, currency);
  const balance = await ledger.balance();
  const stored = await readStorage(walletStub({ userId, currency }));
  expect(balance.balance).toBe(stored.journalBalance);
  expect(balance.held).toBe(stored.openHoldsTotal);
  expect(balance.available).toBe(balance.balance - balance.held);
  expect(balance.available).toBeGreaterThanOrEqual(0);
  expect((await ledger.verify()).ok).toBe(true);
  return balance;
}
