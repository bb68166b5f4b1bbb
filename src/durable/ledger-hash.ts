import { createHash } from 'node:crypto';
import type { JournalEntry, WalletOwner } from './ledger-types';

/**
 * The journal's tamper evidence: each entry's hash covers its own fields, its transfer's fields
 * and the previous entry's hash, so changing, removing or reordering any entry breaks every hash
 * after it. The chain starts from a hash of the owner, so a journal cannot be passed off as
 * another wallet's, and an entry's id is taken from its hash, so ids are unique across every
 * wallet without a random draw or an index. Hashing is synchronous (node:crypto) because it runs
 * inside `transactionSync`, where nothing may be awaited.
 */
export type HashedFields = Omit<JournalEntry, 'hash' | 'id'>;

export function genesisHash(owner: WalletOwner): string {
  return sha256(`malipo:wallet:${owner.userId}:${owner.currency}`);
}

export function chainHash(previous: string, entry: HashedFields): string {
  return sha256(
    previous +
      JSON.stringify([
        entry.seq,
        entry.transferId,
        entry.kind,
        entry.account,
        entry.direction,
        entry.amount,
        entry.status,
        entry.balanceAfter,
        entry.heldAfter,
        entry.reference,
        entry.relatedId,
        entry.createdAt,
      ]),
  );
}

/** 104 bits of the hash: unique in practice across every wallet's journal. */
export function entryId(hash: string): string {
  return `ent_${hash.slice(0, 26)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
