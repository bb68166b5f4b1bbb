import { chainHash, entryId, genesisHash, type HashedFields } from './ledger-hash';
import type { HoldState, Plan } from './ledger-rules';
import {
  WALLET_ACCOUNT,
  type Balance,
  type Currency,
  type DeadlineAction,
  type EntryState,
  type JournalEntry,
  type SystemAccount,
  type Transfer,
  type TransferKind,
  type WalletEntry,
  type WalletOwner,
} from './ledger-types';

/** Where the journal ends: the wallet's position and the hash the next entry chains on. */
export type Tip = Balance & { lastSeq: number; lastHash: string };

export type DueHold = { holdId: string; amount: number; deadline: number; onDeadline: DeadlineAction; reference: string };

type TransferRow = {
  id: string;
  kind: TransferKind;
  account: SystemAccount;
  amount: number;
  status: Transfer['status'];
  reference: string | null;
  related_id: string | null;
  deadline: number | null;
  on_deadline: DeadlineAction | null;
  balance_after: number;
  held_after: number;
  created_at: number;
};

type EntryRow = {
  seq: number;
  transfer_id: string;
  kind: TransferKind;
  account: string;
  direction: JournalEntry['direction'];
  amount: number;
  status: JournalEntry['status'];
  balance_after: number | null;
  held_after: number | null;
  reference: string | null;
  related_id: string | null;
  hash: string;
  created_at: number;
};

/** The wallet side as an SQL literal, not a bound value, so SQLite can use the partial index on it. */
const WALLET_SIDE = `account = '${WALLET_ACCOUNT}'`;
const ENTRY_COLUMNS = `e.seq, e.transfer_id, t.kind, e.account, e.direction, e.amount, e.status, e.balance_after, e.held_after,
  t.reference, t.related_id, e.hash, e.created_at`;

/**
 * Synchronous reads and writes of one wallet's journal in the object's SQLite storage. Every
 * method is synchronous so callers can compose them inside one `transactionSync`.
 */
export class Journal {
  constructor(private readonly sql: SqlStorage) {}

  owner(): WalletOwner | null {
    const row = this.sql.exec<{ user_id: string; currency: Currency }>('SELECT user_id, currency FROM owner').toArray()[0];
    return row ? { userId: row.user_id, currency: row.currency } : null;
  }

  /** The position after the last entry; balance and held are carried on every wallet entry. */
  tip(): Tip {
    const last = this.sql.exec<{ seq: number; hash: string }>('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1').toArray()[0];
    const wallet = this.sql
      .exec<{ balance_after: number; held_after: number }>(
        `SELECT balance_after, held_after FROM entries WHERE ${WALLET_SIDE} ORDER BY seq DESC LIMIT 1`,
      )
      .toArray()[0];
    const balance = wallet?.balance_after ?? 0;
    const held = wallet?.held_after ?? 0;
    return { balance, held, available: balance - held, lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? '' };
  }

  /** The request a transfer id was first recorded with; a key lookup on every posting. */
  requestOf(id: string): string | null {
    return this.sql.exec<{ request: string }>('SELECT request FROM transfers WHERE id = ?', id).toArray()[0]?.request ?? null;
  }

  /** The transfer as first recorded, with the wallet's position right after it. */
  transfer(id: string): Transfer | null {
    const row = this.sql
      .exec<TransferRow>(
        `SELECT t.id, t.kind, t.account, t.amount, e.status, t.reference, t.related_id, t.deadline, t.on_deadline,
           e.balance_after, e.held_after, t.created_at
         FROM transfers t JOIN entries e ON e.seq = t.wallet_seq WHERE t.id = ?`,
        id,
      )
      .toArray()[0];
    return row ? toTransfer(row) : null;
  }

  holdState(holdId: string): HoldState | null {
    const hold = this.transfer(holdId);
    if (!hold) return null;
    return { hold, settledBy: this.relatedBy(holdId) };
  }

  /** The transfer that settled or reversed `id`, if any (at most one exists). */
  relatedBy(id: string): Pick<Transfer, 'id' | 'kind'> | null {
    return this.sql.exec<{ id: string; kind: TransferKind }>('SELECT id, kind FROM transfers WHERE related_id = ?', id).toArray()[0] ?? null;
  }

  /**
   * Writes one balanced transfer: the wallet entry and the system account's opposite entry,
   * both chained onto the tip. Returns the recorded transfer and the new tip.
   */
  record(owner: WalletOwner, id: string, request: string, plan: Plan, tip: Tip, now: number): { transfer: Transfer; tip: Tip } {
    if (tip.lastSeq === 0 && !this.owner()) {
      this.sql.exec('INSERT INTO owner (id, user_id, currency) VALUES (1, ?, ?)', owner.userId, owner.currency);
    }
    const relatedId = plan.holdId ?? plan.reversesId;
    const walletSeq = tip.lastSeq + 1;
    this.sql.exec(
      `INSERT INTO transfers (id, kind, account, amount, reference, related_id, deadline, on_deadline, wallet_seq, request, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      plan.kind,
      plan.account,
      plan.amount,
      plan.reference,
      relatedId,
      plan.deadline,
      plan.onDeadline,
      walletSeq,
      request,
      now,
    );
    const balance = tip.balance + plan.balanceDelta;
    const held = tip.held + plan.heldDelta;
    const shared = { transferId: id, kind: plan.kind, amount: plan.amount, status: plan.status, reference: plan.reference, relatedId, createdAt: now };
    const walletHash = this.insertEntry(
      { ...shared, seq: walletSeq, account: WALLET_ACCOUNT, direction: plan.direction, balanceAfter: balance, heldAfter: held },
      tip.lastSeq === 0 ? genesisHash(owner) : tip.lastHash,
    );
    const systemSide: HashedFields = {
      ...shared,
      seq: walletSeq + 1,
      account: plan.account,
      direction: plan.direction === 'debit' ? 'credit' : 'debit',
      balanceAfter: null,
      heldAfter: null,
    };
    const systemHash = this.insertEntry(systemSide, walletHash);
    if (plan.kind === 'hold') {
      this.sql.exec('INSERT INTO open_holds (hold_id, amount, deadline, on_deadline) VALUES (?, ?, ?, ?)', id, plan.amount, plan.deadline, plan.onDeadline);
    } else if (plan.holdId) {
      this.sql.exec('DELETE FROM open_holds WHERE hold_id = ?', plan.holdId);
    }
    const transfer: Transfer = {
      id,
      kind: plan.kind,
      account: plan.account,
      amount: plan.amount,
      status: plan.status,
      reference: plan.reference,
      holdId: plan.holdId,
      reversesId: plan.reversesId,
      deadline: plan.deadline,
      onDeadline: plan.onDeadline,
      balanceAfter: balance,
      heldAfter: held,
      createdAt: now,
    };
    return { transfer, tip: { balance, held, available: balance - held, lastSeq: systemSide.seq, lastHash: systemHash } };
  }

  /** The wallet side of the journal, newest first; a hold shows how it was settled, a posting if it was reversed. */
  walletEntries(limit: number, beforeSeq: number): WalletEntry[] {
    return this.sql
      .exec<EntryRow & { counterparty: SystemAccount; followed_by: TransferKind | null }>(
        `SELECT ${ENTRY_COLUMNS}, t.account AS counterparty, (SELECT f.kind FROM transfers f WHERE f.related_id = t.id) AS followed_by
         FROM entries e JOIN transfers t ON t.id = e.transfer_id
         WHERE e.${WALLET_SIDE} AND e.seq < ? ORDER BY e.seq DESC LIMIT ?`,
        beforeSeq,
        limit,
      )
      .toArray()
      .map((row) => {
        const entry = toJournalEntry(row);
        const status: EntryState =
          row.followed_by === 'reversal' ? 'reversed' : row.followed_by === 'post' ? 'posted' : row.followed_by === 'void' ? 'voided' : entry.status;
        return {
          id: entry.id,
          seq: entry.seq,
          transferId: entry.transferId,
          kind: entry.kind,
          account: row.counterparty,
          direction: entry.direction,
          amount: entry.amount,
          status,
          balanceAfter: entry.balanceAfter ?? 0,
          heldAfter: entry.heldAfter ?? 0,
          reference: entry.reference,
          createdAt: entry.createdAt,
        };
      });
  }

  /** Every entry (both sides) after `afterSeq`, oldest first, as stored and hashed. */
  entriesAfter(afterSeq: number, limit: number): JournalEntry[] {
    return [...this.entriesFrom(afterSeq + 1, limit)];
  }

  /** Streams entries from `fromSeq` on without loading them all, for verification. */
  *entriesFrom(fromSeq: number, limit = -1): Generator<JournalEntry> {
    const rows = this.sql.exec<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN transfers t ON t.id = e.transfer_id WHERE e.seq >= ? ORDER BY e.seq LIMIT ?`,
      fromSeq,
      limit,
    );
    for (const row of rows) yield toJournalEntry(row);
  }

  /** The stored hash of one entry: where a partial verification starts chaining from. */
  hashAt(seq: number): string | null {
    return this.sql.exec<{ hash: string }>('SELECT hash FROM entries WHERE seq = ?', seq).toArray()[0]?.hash ?? null;
  }

  /** Balance and held recomputed from the journal alone, next to what the open-holds index says. */
  totals(): { balance: number; held: number; holds: number; indexedHeld: number; indexedHolds: number } {
    const journal = this.sql
      .exec<{ balance: number | null }>(
        `SELECT sum(CASE direction WHEN 'credit' THEN amount ELSE -amount END) AS balance FROM entries WHERE ${WALLET_SIDE} AND status = 'posted'`,
      )
      .one();
    const holds = this.sql
      .exec<{ held: number | null; count: number }>(
        `SELECT sum(h.amount) AS held, count(*) AS count FROM transfers h
         WHERE h.kind = 'hold' AND NOT EXISTS (SELECT 1 FROM transfers s WHERE s.related_id = h.id)`,
      )
      .one();
    const index = this.sql.exec<{ held: number | null; count: number }>('SELECT sum(amount) AS held, count(*) AS count FROM open_holds').one();
    return { balance: journal.balance ?? 0, held: holds.held ?? 0, holds: holds.count, indexedHeld: index.held ?? 0, indexedHolds: index.count };
  }

  dueHolds(limit: number, dueBy: number): DueHold[] {
    return this.sql
      .exec<{ hold_id: string; amount: number; deadline: number; on_deadline: DeadlineAction; reference: string }>(
        `SELECT h.hold_id, h.amount, h.deadline, h.on_deadline, t.reference FROM open_holds h JOIN transfers t ON t.id = h.hold_id
         WHERE h.notified_at IS NULL AND h.deadline <= ? ORDER BY h.deadline LIMIT ?`,
        dueBy,
        limit,
      )
      .toArray()
      .map((row) => ({ holdId: row.hold_id, amount: row.amount, deadline: row.deadline, onDeadline: row.on_deadline, reference: row.reference }));
  }

  /** The earliest deadline still waiting for its alarm, if any. */
  nextDeadline(): number | null {
    return this.sql.exec<{ next: number | null }>('SELECT min(deadline) AS next FROM open_holds WHERE notified_at IS NULL').one().next;
  }

  /** Records that the owning flow was told, so a repeated alarm does not tell it again. */
  markNotified(holdId: string, now: number): void {
    this.sql.exec('UPDATE open_holds SET notified_at = ? WHERE hold_id = ?', now, holdId);
  }

  private insertEntry(entry: HashedFields, previous: string): string {
    const hash = chainHash(previous, entry);
    this.sql.exec(
      `INSERT INTO entries (seq, transfer_id, account, direction, amount, status, balance_after, held_after, created_at, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      entry.seq,
      entry.transferId,
      entry.account,
      entry.direction,
      entry.amount,
      entry.status,
      entry.balanceAfter,
      entry.heldAfter,
      entry.createdAt,
      hash,
    );
    return hash;
  }

}

function toTransfer(row: TransferRow): Transfer {
  const settles = row.kind === 'post' || row.kind === 'void';
  return {
    id: row.id,
    kind: row.kind,
    account: row.account,
    amount: row.amount,
    status: row.status,
    reference: row.reference,
    holdId: settles ? row.related_id : null,
    reversesId: row.kind === 'reversal' ? row.related_id : null,
    deadline: row.deadline,
    onDeadline: row.on_deadline,
    balanceAfter: row.balance_after,
    heldAfter: row.held_after,
    createdAt: row.created_at,
  };
}

function toJournalEntry(row: EntryRow): JournalEntry {
  return {
    seq: row.seq,
    id: entryId(row.hash),
    transferId: row.transfer_id,
    kind: row.kind,
    account: row.account,
    direction: row.direction,
    amount: row.amount,
    status: row.status,
    balanceAfter: row.balance_after,
    heldAfter: row.held_after,
    reference: row.reference,
    relatedId: row.related_id,
    hash: row.hash,
    createdAt: row.created_at,
  };
}
