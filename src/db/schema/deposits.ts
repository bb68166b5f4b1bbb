import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * A customer's attempt to fund a wallet. `status` moves once, from `pending` to `succeeded` or
 * `failed`; the UPDATEs that settle it always say `WHERE status = 'pending'`.
 */
export const deposits = sqliteTable(
  'deposits',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    method: text('method', { enum: ['mpesa', 'monnify'] }).notNull(),
    currency: text('currency', { enum: ['KES', 'NGN'] }).notNull(),
    /** Minor units (cents, kobo). */
    amount: integer('amount').notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull(),
    /** Normalised MSISDN that got the prompt (M-Pesa). */
    phone: text('phone'),
    /** SHA-256 of the per-deposit secret in the callback URL. */
    callbackTokenHash: text('callback_token_hash'),
    merchantRequestId: text('merchant_request_id'),
    checkoutRequestId: text('checkout_request_id'),
    receipt: text('receipt'),
    /** Machine reason (`cancelled`, `timeout`, …); pages turn it into words. */
    failureReason: text('failure_reason'),
    resultCode: text('result_code'),
    resultDesc: text('result_desc'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    checks: integer('checks').notNull().default(0),
    nextCheckAt: timestamp('next_check_at'),
    expiresAt: timestamp('expires_at').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    settledAt: timestamp('settled_at'),
  },
  (t) => [
    index('deposits_user_created_idx').on(t.userId, t.createdAt),
    index('deposits_status_check_idx').on(t.status, t.nextCheckAt),
    uniqueIndex('deposits_checkout_unique').on(t.checkoutRequestId),
    uniqueIndex('deposits_callback_token_unique').on(t.callbackTokenHash),
    uniqueIndex('deposits_idempotency_unique').on(t.userId, t.idempotencyKey),
    index('deposits_receipt_idx').on(t.receipt),
  ],
);

/** Every provider call-in, stored raw before anything else happens, so nothing is lost or invented. */
export const providerEvents = sqliteTable(
  'provider_events',
  {
    id: text('id').primaryKey(),
    provider: text('provider', { enum: ['mpesa', 'monnify', 'vtpass'] }).notNull(),
    /** Provider's own id for the event when it has one (dedupe key), e.g. CheckoutRequestID. */
    externalId: text('external_id'),
    depositId: text('deposit_id'),
    sourceIp: text('source_ip'),
    payload: text('payload').notNull(),
    outcome: text('outcome', { enum: ['applied', 'duplicate', 'ignored', 'anomaly', 'rejected'] }).notNull(),
    note: text('note'),
    receivedAt: timestamp('received_at').notNull(),
  },
  (t) => [
    index('provider_events_provider_idx').on(t.provider, t.receivedAt),
    index('provider_events_deposit_idx').on(t.depositId),
    index('provider_events_external_idx').on(t.externalId),
  ],
);

/** Something staff must look at (amount mismatch, unknown checkout id, unexpected source IP, …). Never credited. */
export const anomalies = sqliteTable(
  'anomalies',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    provider: text('provider'),
    depositId: text('deposit_id'),
    eventId: text('event_id'),
    details: text('details').notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull().default('open'),
    createdAt: timestamp('created_at').notNull(),
    resolvedAt: timestamp('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution'),
  },
  (t) => [index('anomalies_status_idx').on(t.status, t.createdAt)],
);
