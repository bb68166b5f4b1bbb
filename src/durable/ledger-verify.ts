import { chainHash, genesisHash } from './ledger-hash';
import type { Journal, Tip } from './ledger-journal';
import type { Verification, WalletOwner } from './ledger-types';

/**
 * Recomputes the hash chain from `fromSeq` (1 = the whole journal) and checks that every
 * transfer in that range sums to zero across its two sides. A full check also recomputes balance
 * and held from the journal and compares them with the tip the object serves and with the
 * open-holds index. Reports every problem found rather than stopping at the first.
 */
export function verifyJournal(journal: Journal, owner: WalletOwner | null, tip: Tip, fromSeq = 1): Verification {
  const problems: string[] = [];
  const start = Math.max(1, fromSeq);
  let previous = start > 1 ? (journal.hashAt(start - 1) ?? '') : owner ? genesisHash(owner) : '';
  let expectedSeq = start;
  const sums = new Map<string, number>();
  for (const entry of journal.entriesFrom(start)) {
    if (entry.seq !== expectedSeq) problems.push(`entry ${expectedSeq} is missing`);
    if (chainHash(previous, entry) !== entry.hash) problems.push(`entry ${entry.seq} (${entry.id}) does not match its hash`);
    sums.set(entry.transferId, (sums.get(entry.transferId) ?? 0) + (entry.direction === 'credit' ? entry.amount : -entry.amount));
    previous = entry.hash;
    expectedSeq = entry.seq + 1;
  }
  if (expectedSeq - 1 !== tip.lastSeq) problems.push(`journal ends at ${expectedSeq - 1} but the tip is ${tip.lastSeq}`);
  for (const [transferId, sum] of sums) if (sum !== 0) problems.push(`transfer ${transferId} is not balanced (${sum})`);
  if (start === 1) problems.push(...checkTotals(journal, tip));
  return { ok: problems.length === 0, checkedFrom: start, lastSeq: tip.lastSeq, problems };
}

function checkTotals(journal: Journal, tip: Tip): string[] {
  const problems: string[] = [];
  const totals = journal.totals();
  if (totals.balance !== tip.balance) problems.push(`journal balance ${totals.balance} differs from the tip's ${tip.balance}`);
  if (totals.held !== tip.held) problems.push(`open holds total ${totals.held} but the tip holds ${tip.held}`);
  if (totals.indexedHeld !== totals.held || totals.indexedHolds !== totals.holds) problems.push('the open-holds index disagrees with the journal');
  if (totals.balance - totals.held < 0) problems.push(`available is negative (${totals.balance - totals.held})`);
  return problems;
}
