import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { startsWith } from '../db/match';
import { auditLog } from '../db/schema';
import { cappedCsv, type CsvColumn, isoOrEmpty } from '../lib/csv';
import { newId } from '../lib/crypto';
import { idRange, pageOf } from './console/filters';
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

/**
 * The audit row of a guarded change, for the same `db.batch` right after that change's UPDATE: it
 * is written only if the UPDATE changed exactly one row (SQLite `changes()`), so two staff racing
 * on one target leave one row, written by the one whose change happened.
 */
export function auditInsertIfChanged(db: Database, actor: StaffMember, record: AuditRecord, now = Date.now()) {
  const value = <T>(v: T, name: string) => sql<T>`${v}`.as(name);
  const row = db
    .select({
      id: value(newId('aud', now), 'id'),
      staffId: value(actor.id, 'staff_id'),
      staffEmail: value(actor.email, 'staff_email'),
      action: value(record.action, 'action'),
      targetType: value(record.targetType, 'target_type'),
      targetId: value(record.targetId, 'target_id'),
      reason: value(record.reason, 'reason'),
      before: value(record.before === undefined ? null : JSON.stringify(record.before), 'before'),
      after: value(record.after === undefined ? null : JSON.stringify(record.after), 'after'),
      createdAt: value(now, 'created_at'),
    })
    .from(sql`(SELECT 1)`)
    .where(sql`changes() = 1`);
  return db.insert(auditLog).select(row);
}

/** Writes one audit row on its own. */
export async function recordAudit(db: Database, actor: StaffMember, record: AuditRecord, now = Date.now()): Promise<void> {
  await auditInsert(db, actor, record, now);
}

export type AuditFilters = {
  targetType?: string;
  targetId?: string;
  staffEmail?: string;
  /** Exact dotted verb (`purchase.requery`) or a whole family by its first part (`purchase`). */
  action?: string;
  /** `YYYY-MM-DD`, Nairobi days. */
  from?: string;
  to?: string;
};

function auditWhere(options: AuditFilters & { cursor?: string }) {
  const action = options.action?.trim();
  return and(
    options.cursor ? lt(auditLog.id, options.cursor) : undefined,
    options.targetType ? eq(auditLog.targetType, options.targetType) : undefined,
    options.targetId ? eq(auditLog.targetId, options.targetId) : undefined,
    options.staffEmail ? eq(auditLog.staffEmail, options.staffEmail.trim().toLowerCase()) : undefined,
    action ? (action.includes('.') ? eq(auditLog.action, action) : startsWith(auditLog.action, `${action}.`)) : undefined,
    ...idRange(auditLog.id, 'aud', options, 'Africa/Nairobi'),
  );
}

/** Newest first; the cursor is the last id of the previous page (ids sort by time). */
export async function listAudit(db: Database, options: AuditFilters & { limit: number; cursor?: string }) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(auditWhere(options))
    .orderBy(desc(auditLog.id))
    .limit(options.limit + 1);
  const page = pageOf(rows, options.limit, (row) => row.id);
  return { entries: page.rows, nextCursor: page.nextCursor };
}

/** The same filters without paging, up to `cap` rows, for the CSV export. */
export async function exportAudit(db: Database, options: AuditFilters, cap: number) {
  const rows = await db.select().from(auditLog).where(auditWhere(options)).orderBy(desc(auditLog.id)).limit(cap + 1);
  return cappedCsv(AUDIT_CSV, rows, cap);
}

const AUDIT_CSV: CsvColumn<AuditEntry>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'created_utc', value: (r) => isoOrEmpty(r.createdAt) },
  { header: 'staff_email', value: (r) => r.staffEmail },
  { header: 'action', value: (r) => r.action },
  { header: 'target_type', value: (r) => r.targetType },
  { header: 'target_id', value: (r) => r.targetId },
  { header: 'reason', value: (r) => r.reason },
  { header: 'before', value: (r) => r.before },
  { header: 'after', value: (r) => r.after },
];
