import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * A customer's dedicated (reserved) Monnify account. `accountReference` is the user id, matched
 * exactly (never by substring). `pending` until the background job gets Monnify's answer.
 */
export const monnifyAccounts = sqliteTable(
  'monnify_accounts',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id),
    accountReference: text('account_reference').notNull(),
    status: text('status', { enum: ['pending', 'active'] }).notNull(),
    /** JSON `[{bankName, bankCode, accountNumber, accountName}]`. */
    accounts: text('accounts').notNull().default('[]'),
    accountName: text('account_name'),
    reservationReference: text('reservation_reference'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** When the last request for it was queued; the sweep queues again only long after this. */
    requestedAt: timestamp('requested_at').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('monnify_accounts_reference_unique').on(t.accountReference), index('monnify_accounts_status_idx').on(t.status, t.requestedAt)],
);

/** What init-transaction answered for a checkout deposit (paymentReference = deposit id). */
export const monnifyCheckouts = sqliteTable(
  'monnify_checkouts',
  {
    depositId: text('deposit_id').primaryKey(),
    transactionReference: text('transaction_reference').notNull(),
    checkoutUrl: text('checkout_url').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('monnify_checkouts_transaction_unique').on(t.transactionReference)],
);

/**
 * One row per Monnify collection, keyed by Monnify's transactionReference: however many copies of
 * its `SUCCESSFUL_TRANSACTION` arrive (retries, duplicates, concurrency), one claims it. A claim
 * whose processing failed (`failed`, or `processing` gone stale) can be claimed again by a retry.
 */
export const monnifyTransactions = sqliteTable(
  'monnify_transactions',
  {
    transactionReference: text('transaction_reference').primaryKey(),
    productType: text('product_type').notNull(),
    productReference: text('product_reference').notNull(),
    userId: text('user_id'),
    depositId: text('deposit_id'),
    /** Kobo, as the event said. */
    amount: integer('amount').notNull(),
    status: text('status', { enum: ['processing', 'applied', 'anomaly', 'failed'] }).notNull(),
    eventId: text('event_id'),
    note: text('note'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [index('monnify_transactions_user_idx').on(t.userId)],
);
