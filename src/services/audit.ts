import { and, desc, eq, lt } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditLog } from '../db/schema';
import { newId } from '../lib/crypto';
import type { StaffMember } from './staff';

export type AuditEntry = typeof auditLog.$inferSelect;

export type AuditRecord = {
  /** Dotted verb: `purchase.requery`, `customer.suspend`, `adjustment.approve`, … */
  action: string;
  targetType: string;
  targetId: string;
  /** Why staff did it, in their words; required for every action. */
  reason: string;
  before?: unknown;
  after?: unknown;
};

/**
 * The INSERT for one audit row, unexecuted, so a D1-only action can run it in the same
 * `db.batch` as its own change (both or neither). Actions that go through the ledger or a
 * provider write it right after, with the outcome they saw.
 */
export function auditInsert(db: Database, actor: StaffMember, record: AuditRecord, now = Date.now()) {
  return db.insert(auditLog).values({
    id: newId('aud', now),
    staffId: actor.id,
    staffEmail: actor.email,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    reason: record.reason,
    before: record.before === undefined ? null : JSON.stringify(record.before),
    after: record.after === undefined ? null : JSON.stringify(record.after),
    createdAt: now,
  });
}

/** Writes one audit row on its own. */
export async function recordAudit(db: Database, actor: StaffMember, record: AuditRecord, now = Date.now()): Promise<void> {
  await auditInsert(db, actor, record, now);
}

/** Newest first; the cursor is the last id of the previous page (ids sort by time). */
export async function listAudit(db: Database, options: { limit: number; cursor?: string; targetType?: string; targetId?: string; staffEmail?: string }) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        options.cursor ? lt(auditLog.id, options.cursor) : undefined,
        options.targetType ? eq(auditLog.targetType, options.targetType) : undefined,
        options.targetId ? eq(auditLog.targetId, options.targetId) : undefined,
        options.staffEmail ? eq(auditLog.staffEmail, options.staffEmail.toLowerCase()) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return { entries: page, nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
}
