import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CURRENCIES, DIRECTIONS, ENTRY_STATUSES, TRANSFER_KINDS } from '../../durable/ledger-types';

/** Milliseconds since the epoch; every timestamp in D1 uses this form. */
const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * A copy of every wallet journal entry, both sides, for history, admin, system-account balances
 * (Σ over `account`) and reconciliation. Written only by the wallet objects' outbox with
 * INSERT OR IGNORE on `id`; rows are never updated. The journal in each object is the truth.
 * No foreign key to users: a copy must never be refused for referential reasons.
 */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    currency: text('currency', { enum: CURRENCIES }).notNull(),
    /** Position in the wallet's journal (1, 2, …), dense per wallet. */
    seq: integer('seq').notNull(),
    transferId: text('transfer_id').notNull(),
    kind: text('kind', { enum: TRANSFER_KINDS }).notNull(),
    /** `wallet` for the wallet's side, else the system account (`mpesa:clearing`, …). */
    account: text('account').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    amount: integer('amount').notNull(),
    status: text('status', { enum: ENTRY_STATUSES }).notNull(),
    /** Wallet side only: the wallet's balance and held total right after this entry. */
    balanceAfter: integer('balance_after'),
    heldAfter: integer('held_after'),
    reference: text('reference'),
    /** The hold a post or void settles, or the transfer a reversal compensates. */
    relatedId: text('related_id'),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at').notNull(),
    projectedAt: timestamp('projected_at').notNull(),
  },
  (t) => [
    uniqueIndex('ledger_entries_wallet_seq_unique').on(t.userId, t.currency, t.seq),
    index('ledger_entries_account_idx').on(t.account, t.currency, t.status),
    index('ledger_entries_transfer_idx').on(t.transferId),
    // The console: newest-first lists, related transfers, search by reference.
    index('ledger_entries_created_idx').on(t.createdAt),
    index('ledger_entries_related_idx').on(t.relatedId),
    index('ledger_entries_reference_idx').on(t.reference),
  ],
);
