import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Milliseconds since the epoch; every timestamp in D1 uses this form. */
const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * What the VTpass simulator (`src/sim/vtpass.ts`) remembers about each `pay` it accepted, so
 * requery, callbacks and request-id reuse behave across requests and isolates. Dev and tests only.
 */
export const simVtpassTransactions = sqliteTable(
  'sim_vtpass_transactions',
  {
    requestId: text('request_id').primaryKey(),
    transactionId: text('transaction_id').notNull(),
    serviceId: text('service_id').notNull(),
    productName: text('product_name').notNull(),
    productType: text('product_type').notNull(),
    /** The phone, meter or smartcard the purchase is for (`billersCode`, else `phone`). */
    recipient: text('recipient').notNull(),
    variationCode: text('variation_code'),
    phone: text('phone'),
    amountKobo: integer('amount_kobo').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'reversed', 'failed'] }).notNull(),
    /** Where a pending transaction ends up (by sandbox number); null once final. */
    settlesTo: text('settles_to', { enum: ['delivered', 'reversed'] }),
    requeryCount: integer('requery_count').notNull().default(0),
    token: text('token'),
    units: text('units'),
    /** `due` after a pending→final (or reversal) transition until the webhook answers success. */
    callbackState: text('callback_state', { enum: ['none', 'due', 'sent', 'gave-up'] }).notNull().default('none'),
    callbackAttempts: integer('callback_attempts').notNull().default(0),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [index('sim_vtpass_transactions_status_idx').on(t.status), index('sim_vtpass_transactions_callback_idx').on(t.callbackState)],
);
