import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * A VTU purchase. The ledger hold has the purchase id as its transfer id. `status` leaves `pending`
 * once (to delivered or failed); a delivered purchase can later become `reversed` (refunded).
 * Every settling UPDATE names the status it expects.
 */
export const purchases = sqliteTable(
  'purchases',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    serviceId: text('service_id').notNull(),
    category: text('category', { enum: ['airtime', 'data', 'electricity', 'tv'] }).notNull(),
    recipient: text('recipient').notNull(),
    variationCode: text('variation_code'),
    phone: text('phone').notNull(),
    /** Kobo charged to the wallet (catalogue price, never the client's). */
    amount: integer('amount').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed', 'reversed'] }).notNull(),
    /** The VTpass request_id: the only key for requery. */
    requestId: text('request_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    providerCode: text('provider_code'),
    providerReason: text('provider_reason'),
    providerTransactionId: text('provider_transaction_id'),
    token: text('token'),
    units: text('units'),
    purchasedCode: text('purchased_code'),
    failureReason: text('failure_reason'),
    requeries: integer('requeries').notNull().default(0),
    nextCheckAt: timestamp('next_check_at'),
    /** Set when we stopped asking and handed the purchase to staff; the hold stays. */
    escalatedAt: timestamp('escalated_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    settledAt: timestamp('settled_at'),
  },
  (t) => [
    index('purchases_user_created_idx').on(t.userId, t.createdAt),
    index('purchases_status_check_idx').on(t.status, t.nextCheckAt),
    uniqueIndex('purchases_request_id_unique').on(t.requestId),
    uniqueIndex('purchases_idempotency_unique').on(t.userId, t.idempotencyKey),
    index('purchases_recipient_idx').on(t.recipient),
  ],
);
