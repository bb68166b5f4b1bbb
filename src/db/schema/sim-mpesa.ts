import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Milliseconds since the epoch; every timestamp in D1 uses this form. */
const timestamp = (name: string) => integer(name, { mode: 'number' });

/** Access tokens the M-Pesa simulator issued, so any isolate can check a Bearer. Dev and tests only. */
export const simMpesaTokens = sqliteTable('sim_mpesa_tokens', {
  token: text('token').primaryKey(),
  expiresAt: timestamp('expires_at').notNull(),
});

/**
 * Every STK push the M-Pesa simulator accepted, with its outcome decided up front (by phone number):
 * STK query reads it once `dueAt` has passed, and the callback is posted `callbacks` times then.
 */
export const simMpesaPayments = sqliteTable(
  'sim_mpesa_payments',
  {
    checkoutRequestId: text('checkout_request_id').primaryKey(),
    merchantRequestId: text('merchant_request_id').notNull(),
    phone: text('phone').notNull(),
    /** Whole shillings, as sent in the push. */
    amount: integer('amount').notNull(),
    callbackUrl: text('callback_url').notNull(),
    resultCode: integer('result_code').notNull(),
    resultDesc: text('result_desc').notNull(),
    /** Set only for paid outcomes. */
    receipt: text('receipt'),
    /** How many times the callback is posted: 1 normally, 0 ("never comes") or 2 ("duplicated"). */
    callbacks: integer('callbacks').notNull(),
    /** When the outcome becomes known to STK query and the callback is due. */
    dueAt: timestamp('due_at').notNull(),
    callbackSentAt: timestamp('callback_sent_at'),
    /** HTTP status (or error) the callback URL answered, for debugging in dev. */
    callbackResult: text('callback_result'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('sim_mpesa_payments_due_idx').on(t.callbackSentAt, t.dueAt)],
);
