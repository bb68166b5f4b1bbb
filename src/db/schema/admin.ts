import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CURRENCIES } from '../../durable/ledger-types';
import { staff, users } from './accounts';

const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * Every staff action, append-only: triggers in the migration refuse UPDATE and DELETE. `before` and
 * `after` are JSON snapshots of what the action changed, so a row reads on its own years later.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    /** Copied so the row still says who it was if the staff member is renamed or removed. */
    staffEmail: text('staff_email').notNull(),
    /** Dotted verb, e.g. `purchase.requery`, `customer.suspend`, `adjustment.approve`. */
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    reason: text('reason').notNull(),
    before: text('before'),
    after: text('after'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('audit_log_created_idx').on(t.createdAt), index('audit_log_target_idx').on(t.targetType, t.targetId)],
);

/**
 * A manual credit or debit of a wallet against the `adjustments` account. Small ones are applied at
 * once; above the configured threshold a second admin approves (never the requester). The ledger
 * transfer id is the adjustment id, so applying twice moves money once.
 */
export const adjustments = sqliteTable(
  'adjustments',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    currency: text('currency', { enum: CURRENCIES }).notNull(),
    direction: text('direction', { enum: ['credit', 'debit'] }).notNull(),
    /** Minor units, positive. */
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending_approval', 'applying', 'applied', 'rejected', 'failed'] }).notNull(),
    requestedBy: text('requested_by')
      .notNull()
      .references(() => staff.id),
    decidedBy: text('decided_by').references(() => staff.id),
    /** Why it was rejected or could not be applied (e.g. insufficient funds for a debit). */
    note: text('note'),
    createdAt: timestamp('created_at').notNull(),
    decidedAt: timestamp('decided_at'),
    /** The form's one-time key and a fingerprint of what it asked: a re-sent form is the same adjustment, not a second one. */
    requestKey: text('request_key'),
    requestHash: text('request_hash'),
  },
  (t) => [
    index('adjustments_status_idx').on(t.status, t.createdAt),
    index('adjustments_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('adjustments_request_key_idx').on(t.requestedBy, t.requestKey),
  ],
);
