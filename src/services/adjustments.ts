import { and, asc, desc, eq, getTableColumns, inArray, lt, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { adjustments, staff, users } from '../db/schema';
import { CURRENCIES, type Currency } from '../durable/ledger-types';
import { newId } from '../lib/crypto';
import { type CsvColumn, isoOrEmpty, majorUnits, toCsv } from '../lib/csv';
import { typedAmount } from '../lib/amounts';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import { assertSameRequest, requestFingerprint } from '../lib/idempotency';
import { type AuditRecord, auditInsertIfChanged, recordAudit } from './audit';
import { pageOf } from './console/filters';
import { recordAnomaly } from './deposits';
import type { StaffMember } from './staff';
import { walletLedger } from './wallets';

export type Adjustment = typeof adjustments.$inferSelect;
export const ADJUSTMENT_STATUSES = ['pending_approval', 'applying', 'applied', 'rejected', 'failed'] as const;
export type AdjustmentStatus = (typeof ADJUSTMENT_STATUSES)[number];

/** The largest single adjustment (100 million in major units): anything bigger is a typo. */
const MAX_ADJUSTMENT_MINOR = 10_000_000_000;

/** What staff type for an adjustment, in minor units. */
export const majorAmount = typedAmount('Enter an amount like 1,500.50 (digits, at most two decimals)').pipe(z.int().positive('The amount must be more than zero').max(MAX_ADJUSTMENT_MINOR, 'That is too large for one adjustment'));

export const adjustmentInput = z.object({
  currency: z.enum(CURRENCIES, 'Choose KES or NGN'),
  direction: z.enum(['credit', 'debit'], 'Choose credit or debit'),
  amount: majorAmount,
});
/** `requestKey` is the form's one-time key: the same form sent twice is one adjustment. */
export type AdjustmentInput = z.output<typeof adjustmentInput> & { reason: string; requestKey: string };

/** Above these many minor units an adjustment waits for a second admin. */
export function approvalThresholds(config: Config): Record<Currency, number> {
  return { KES: config.ADJUSTMENT_APPROVAL_ABOVE_KES, NGN: config.ADJUSTMENT_APPROVAL_ABOVE_NGN };
}

/**
 * An adjustment is claimed (`applying`) before any money moves, so a rejection can never race a
 * transfer: pending_approval → applying → applied | failed, or pending_approval → rejected. An
 * `applying` row older than this was cut off between its claim and its transfer; any admin but the
 * requester may finish it (the transfer id is the adjustment id, so it still moves money once).
 */
export const STALLED_MS = 60_000;

/** Who settles an adjustment and how the audit row reads; `after` is completed with the outcome. */
type Decision = { actor: StaffMember; action: string; reason: string; before?: unknown; after?: Record<string, unknown> };

/**
 * Asks for a manual credit or debit. Above the threshold the row waits for a second admin; at or
 * below it, the row is written already claimed and applied at once (written first, so a crash
 * leaves something visible). One audit row (`adjustment.request`) whose `after` says how it ended.
 * The same request key again (a re-sent form) returns the first adjustment and moves nothing;
 * with different details it is refused.
 */
export async function requestAdjustment(env: Env, config: Config, actor: StaffMember, userId: string, input: AdjustmentInput, now = Date.now()): Promise<Adjustment> {
  const db = database(env.DB);
  const customer = await db.query.users.findFirst({ where: eq(users.id, userId), columns: { id: true } });
  if (!customer) throw new AppError('NOT_FOUND', 'No such customer');
  const requestHash = await requestFingerprint({ userId, currency: input.currency, direction: input.direction, amount: input.amount, reason: input.reason });
  const replay = async () => {
    const first = (await db.query.adjustments.findFirst({ where: and(eq(adjustments.requestedBy, actor.id), eq(adjustments.requestKey, input.requestKey)) }))!;
    assertSameRequest(first.requestHash, requestHash);
    return first;
  };
  const atOnce = input.amount <= approvalThresholds(config)[input.currency];
  const row: Adjustment = {
    id: newId('adj', now),
    userId,
    currency: input.currency,
    direction: input.direction,
    amount: input.amount,
    reason: input.reason,
    status: atOnce ? 'applying' : 'pending_approval',
    requestedBy: actor.id,
    decidedBy: null,
    note: null,
    createdAt: now,
    decidedAt: atOnce ? now : null,
    requestKey: input.requestKey,
    requestHash,
  };
  const asked = { userId, currency: row.currency, direction: row.direction, amount: row.amount };
  const request = (after: Record<string, unknown>): AuditRecord => ({ action: 'adjustment.request', targetType: 'adjustment', targetId: row.id, reason: input.reason, after: { ...asked, ...after } });
  const insert = db.insert(adjustments).values(row).onConflictDoNothing().returning({ id: adjustments.id });
  if (!atOnce) {
    const [[inserted]] = await db.batch([insert, auditInsertIfChanged(db, actor, request({ status: 'pending_approval', outcome: 'waiting for a second admin' }), now)]);
    return inserted ? row : replay();
  }
  const [inserted] = await insert;
  if (!inserted) return replay();
  const settled = await apply(env, db, row, { actor, action: 'adjustment.request', reason: input.reason, after: asked }, now);
  if (!settled.won) await recordAudit(db, actor, request({ status: settled.adjustment.status, outcome: `${words(settled.adjustment.status)} by another admin meanwhile` }), now);
  return settled.adjustment;
}

/**
 * A second admin approves: claims the pending row, then moves the money. Two approvals at once:
 * one claims, the other is told it is being applied. A stalled claim (STALLED_MS) is taken over
 * (`decidedAt` is the claim's fence) and finished; whoever held it before can no longer write.
 */
export async function approveAdjustment(env: Env, actor: StaffMember, adjustmentId: string, reason: string, now = Date.now()): Promise<Adjustment> {
  const db = database(env.DB);
  const found = await decidable(db, actor, adjustmentId, 'approve');
  const finishing = found.status === 'applying';
  if (finishing && !isStalled(found, now)) throw await conflict(db, adjustmentId);
  const [claimed] = await db
    .update(adjustments)
    .set(finishing ? { decidedAt: now } : { status: 'applying', decidedBy: actor.id, decidedAt: now })
    .where(
      and(
        eq(adjustments.id, adjustmentId),
        finishing ? and(eq(adjustments.status, 'applying'), eq(adjustments.decidedAt, found.decidedAt!)) : eq(adjustments.status, 'pending_approval'),
      ),
    )
    .returning();
  if (!claimed) throw await conflict(db, adjustmentId);
  // Past the claim something has happened: the row as it now stands is the answer, never a refusal.
  return (await apply(env, db, claimed, { actor, action: finishing ? 'adjustment.finish' : 'adjustment.approve', reason, before: { status: found.status } }, now)).adjustment;
}

/** A second admin turns a pending adjustment down; nothing moves. */
export async function rejectAdjustment(env: Env, actor: StaffMember, adjustmentId: string, reason: string, now = Date.now()): Promise<Adjustment> {
  const db = database(env.DB);
  const adjustment = await decidable(db, actor, adjustmentId, 'reject');
  if (adjustment.status !== 'pending_approval') throw await conflict(db, adjustmentId);
  const [[rejected]] = await db.batch([
    db
      .update(adjustments)
      .set({ status: 'rejected', note: reason, decidedBy: actor.id, decidedAt: now })
      .where(and(eq(adjustments.id, adjustmentId), eq(adjustments.status, 'pending_approval')))
      .returning(),
    auditInsertIfChanged(
      db,
      actor,
      { action: 'adjustment.reject', targetType: 'adjustment', targetId: adjustmentId, reason, before: { status: 'pending_approval' }, after: { status: 'rejected', outcome: 'rejected; nothing moved' } },
      now,
    ),
  ]);
  if (rejected) return rejected;
  throw await conflict(db, adjustmentId);
}

/** True when an `applying` row's claim is old enough that its transfer was cut off. */
export function isStalled(adjustment: Pick<Adjustment, 'status' | 'decidedAt'>, now = Date.now()): boolean {
  return adjustment.status === 'applying' && (adjustment.decidedAt ?? 0) <= now - STALLED_MS;
}

/** The row as a second admin may act on it: pending, or a stalled claim to finish; never by its requester. */
async function decidable(db: Database, actor: StaffMember, adjustmentId: string, verb: string): Promise<Adjustment> {
  const adjustment = await db.query.adjustments.findFirst({ where: eq(adjustments.id, adjustmentId) });
  if (!adjustment) throw new AppError('NOT_FOUND', 'No such adjustment');
  if (adjustment.status !== 'pending_approval' && adjustment.status !== 'applying') throw await conflict(db, adjustmentId);
  if (adjustment.requestedBy === actor.id) throw new AppError('FORBIDDEN', `You requested this adjustment, so you cannot ${verb} it: a different admin must`);
  return adjustment;
}

async function conflict(db: Database, adjustmentId: string): Promise<AppError> {
  const current = await db.query.adjustments.findFirst({ where: eq(adjustments.id, adjustmentId), columns: { status: true } });
  const status = current?.status ?? 'decided';
  return new AppError('CONFLICT', status === 'applying' ? 'This adjustment is being applied by another admin' : `This adjustment is already ${words(status)}`);
}

/**
 * Moves the money for a row this call has claimed (`applying`, fenced by its `decidedAt`), then
 * records the outcome with its audit row. A ledger refusal (e.g. a debit the wallet cannot cover)
 * moved nothing: the adjustment fails with a note. No answer from the wallet leaves the claim, with
 * an audit row saying so, to be finished once stalled (the page shows it as being applied).
 * `won: false` when the claim was taken over meanwhile.
 */
async function apply(env: Env, db: Database, adjustment: Adjustment, decision: Decision, now: number) {
  const ledger = walletLedger(env, adjustment.userId, adjustment.currency);
  const transfer = { id: adjustment.id, amount: adjustment.amount, account: 'adjustments' as const, reference: `adjustment:${adjustment.id}` };
  const audit = (after: Record<string, unknown>): AuditRecord => ({ action: decision.action, targetType: 'adjustment', targetId: adjustment.id, reason: decision.reason, before: decision.before, after: { ...decision.after, ...after } });
  let note: string | null = null;
  let moved = false;
  try {
    moved = !(await (adjustment.direction === 'credit' ? ledger.credit(transfer) : ledger.debit(transfer))).replayed;
  } catch (error) {
    if (!(error instanceof AppError)) {
      log('error', 'adjustment: the wallet did not answer; the claim stays to be finished', { adjustmentId: adjustment.id, error: String(error) });
      await recordAudit(db, decision.actor, audit({ status: 'applying', outcome: 'the wallet did not answer; another admin can finish it once it is stalled' }), now);
      return { adjustment, won: true };
    }
    note = error.code === 'INSUFFICIENT_FUNDS' ? `The wallet cannot cover this debit (${error.message}); nothing moved` : `The wallet refused it (${error.message}); nothing moved`;
  }
  const status = note ? 'failed' : 'applied';
  const [[settled]] = await db.batch([
    db
      .update(adjustments)
      .set({ status, note })
      .where(and(eq(adjustments.id, adjustment.id), eq(adjustments.status, 'applying'), eq(adjustments.decidedAt, adjustment.decidedAt!)))
      .returning(),
    auditInsertIfChanged(db, decision.actor, audit({ status, note, outcome: note ?? `applied: ${adjustment.direction} moved through the ledger` }), now),
  ]);
  if (settled) return { adjustment: settled, won: true };
  const current = (await db.query.adjustments.findFirst({ where: eq(adjustments.id, adjustment.id) }))!;
  // Our transfer landed after the claim was taken over and settled otherwise: the row and the wallet disagree.
  if (moved && current.status !== 'applied' && current.status !== 'applying') {
    await recordAnomaly(db, { kind: 'adjustment_mismatch', details: { adjustmentId: adjustment.id, status: current.status, direction: adjustment.direction, amount: adjustment.amount } });
  }
  return { adjustment: current, won: false };
}

function words(status: string): string {
  return status.replace(/_/g, ' ');
}

export type AdjustmentRow = Adjustment & { customerEmail: string; requestedByEmail: string; decidedByEmail: string | null };

function selectRows(db: Database) {
  const requester = alias(staff, 'requester');
  const decider = alias(staff, 'decider');
  return db
    .select({ ...getTableColumns(adjustments), customerEmail: users.email, requestedByEmail: requester.email, decidedByEmail: decider.email })
    .from(adjustments)
    .innerJoin(users, eq(users.id, adjustments.userId))
    .innerJoin(requester, eq(requester.id, adjustments.requestedBy))
    .leftJoin(decider, eq(decider.id, adjustments.decidedBy));
}

/** What waits for a second admin (or is being applied), oldest first: the longest wait is the most urgent. */
export function pendingAdjustments(db: Database, limit = 100): Promise<AdjustmentRow[]> {
  return selectRows(db).where(inArray(adjustments.status, ['pending_approval', 'applying'])).orderBy(asc(adjustments.id)).limit(limit);
}

/** The history's own filters (a form's "any" option sends an empty value). */
export const adjustmentFilterInput = z.object({
  status: z
    .union([z.enum(ADJUSTMENT_STATUSES), z.literal('')])
    .optional()
    .transform((v) => v || undefined),
  currency: z
    .union([z.enum(CURRENCIES), z.literal('')])
    .optional()
    .transform((v) => v || undefined),
});

export type AdjustmentFilters = { status?: AdjustmentStatus; currency?: Currency; userId?: string; q?: string; cursor?: string; limit: number };

/** History newest first; `q` is an adjustment id, a customer id or a customer email. */
export async function listAdjustments(db: Database, filters: AdjustmentFilters): Promise<{ rows: AdjustmentRow[]; nextCursor: string | null }> {
  const q = filters.q?.trim();
  const rows = await selectRows(db)
    .where(
      and(
        filters.status ? eq(adjustments.status, filters.status) : undefined,
        filters.currency ? eq(adjustments.currency, filters.currency) : undefined,
        filters.userId ? eq(adjustments.userId, filters.userId) : undefined,
        q ? or(eq(adjustments.id, q), eq(adjustments.userId, q), eq(users.email, q.toLowerCase())) : undefined,
        filters.cursor ? lt(adjustments.id, filters.cursor) : undefined,
      ),
    )
    .orderBy(desc(adjustments.id))
    .limit(filters.limit + 1);
  return pageOf(rows, filters.limit, (row) => row.id);
}

const ADJUSTMENT_COLUMNS: CsvColumn<AdjustmentRow>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'created_at', value: (r) => isoOrEmpty(r.createdAt) },
  { header: 'customer_id', value: (r) => r.userId },
  { header: 'customer_email', value: (r) => r.customerEmail },
  { header: 'currency', value: (r) => r.currency },
  { header: 'direction', value: (r) => r.direction },
  { header: 'amount', value: (r) => majorUnits(r.amount) },
  { header: 'amount_minor', value: (r) => r.amount },
  { header: 'status', value: (r) => r.status },
  { header: 'reason', value: (r) => r.reason },
  { header: 'requested_by', value: (r) => r.requestedByEmail },
  { header: 'decided_by', value: (r) => r.decidedByEmail },
  { header: 'decided_at', value: (r) => isoOrEmpty(r.decidedAt) },
  { header: 'note', value: (r) => r.note },
];

/** The adjustments history as CSV, for the console's export. */
export function adjustmentsCsv(rows: AdjustmentRow[]): string {
  return toCsv(ADJUSTMENT_COLUMNS, rows);
}
