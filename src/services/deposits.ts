import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { anomalies, deposits, providerEvents } from '../db/schema';
import { newId } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import * as rateLimit from './rate-limit';
import { walletLedger } from './wallets';

export type Deposit = typeof deposits.$inferSelect;

/** Why a deposit failed, in words a customer understands. */
export const FAILURE_WORDS: Record<string, string> = {
  cancelled: 'You cancelled the M-Pesa prompt.',
  timeout: 'The M-Pesa prompt timed out: your phone did not answer in time.',
  insufficient_funds: 'Your M-Pesa balance was not enough for this amount.',
  wrong_pin: 'The M-Pesa PIN was wrong.',
  expired: 'The M-Pesa prompt expired before it was completed.',
  busy: 'M-Pesa is already processing another request on this phone. Wait a minute and try again.',
  limit: 'M-Pesa refused the amount because of a transaction limit.',
  rejected: 'M-Pesa refused the request.',
  failed: 'M-Pesa could not complete the payment.',
  amount_mismatch: 'The amount paid did not match the top-up, so it was not added automatically. Our team will review it and contact you.',
  checkout_expired: 'The Monnify checkout was not completed in time.',
  checkout_failed: 'Monnify could not complete the payment.',
  checkout_unavailable: 'Monnify could not start the checkout. Nothing was charged; try again in a few minutes.',
};

/** The public shape of a deposit (design.md §5). */
export function publicDeposit(d: Deposit) {
  return {
    id: d.id,
    method: d.method,
    currency: d.currency,
    amount: d.amount,
    status: d.status,
    ...(d.phone ? { phone: d.phone } : {}),
    ...(d.receipt ? { receipt: d.receipt } : {}),
    ...(d.failureReason ? { failureReason: d.failureReason, failureMessage: FAILURE_WORDS[d.failureReason] ?? FAILURE_WORDS.failed } : {}),
    createdAt: new Date(d.createdAt).toISOString(),
    ...(d.settledAt ? { settledAt: new Date(d.settledAt).toISOString() } : {}),
  };
}

/**
 * Puts a deposit's money in the wallet. The transfer id is the deposit id (or `transferId`, e.g. the
 * provider's own reference for Monnify), so however many callbacks, queries and retries arrive, the
 * ledger posts it once.
 */
export async function creditDeposit(env: Env, deposit: Deposit, options: { transferId?: string } = {}): Promise<void> {
  await walletLedger(env, deposit.userId, deposit.currency).credit({
    id: options.transferId ?? deposit.id,
    amount: deposit.amount,
    account: deposit.method === 'mpesa' ? 'mpesa:clearing' : 'monnify:clearing',
    // The same on every retry, whichever history row the retry found.
    reference: options.transferId ?? deposit.id,
  });
}

/** The deposit a customer already started with this Idempotency-Key, if any. */
export function findDepositByIdempotencyKey(db: Database, userId: string, key: string) {
  return db.query.deposits.findFirst({ where: and(eq(deposits.userId, userId), eq(deposits.idempotencyKey, key)) });
}

/** Top-ups per customer, whatever the method, within ten minutes. */
export function enforceUserDepositLimit(db: Database, userId: string, limit: number, now = Date.now()): Promise<void> {
  return rateLimit.enforce(db, `deposit:user:${userId}`, { limit, windowSeconds: 600 }, TOO_MANY_TOP_UPS, now);
}

export const TOO_MANY_TOP_UPS = 'Too many top-up requests. Wait a few minutes and try again.';

/** One customer's deposit; another customer's id is simply not found. */
export async function getDeposit(db: Database, userId: string, id: string): Promise<Deposit> {
  const deposit = await db.query.deposits.findFirst({ where: and(eq(deposits.id, id), eq(deposits.userId, userId)) });
  if (!deposit) throw new AppError('NOT_FOUND', 'No such deposit');
  return deposit;
}

/** Newest first; the cursor is the last id of the previous page (ids sort by time). */
export async function listDeposits(db: Database, userId: string, options: { limit: number; cursor?: string }) {
  const rows = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.userId, userId), options.cursor ? lt(deposits.id, options.cursor) : undefined))
    .orderBy(desc(deposits.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return { deposits: page, nextCursor: rows.length > options.limit ? page.at(-1)!.id : null };
}

export async function recordEvent(
  db: Database,
  event: { provider: 'mpesa' | 'monnify' | 'vtpass'; payload: string; outcome: typeof providerEvents.$inferInsert.outcome; externalId?: string | null; depositId?: string | null; sourceIp?: string | null; note?: string },
): Promise<string> {
  const id = newId('evt');
  await db.insert(providerEvents).values({ id, receivedAt: Date.now(), ...event });
  return id;
}

/** Records something for staff; it never moves money. */
export async function recordAnomaly(
  db: Database,
  anomaly: { kind: string; provider?: string; depositId?: string | null; eventId?: string | null; details: Record<string, unknown> },
): Promise<void> {
  log('warn', 'anomaly recorded', { kind: anomaly.kind, depositId: anomaly.depositId, ...anomaly.details });
  await db.insert(anomalies).values({
    id: newId('anm'),
    kind: anomaly.kind,
    provider: anomaly.provider ?? null,
    depositId: anomaly.depositId ?? null,
    eventId: anomaly.eventId ?? null,
    details: JSON.stringify(anomaly.details),
    createdAt: Date.now(),
  });
}

/**
 * `recordAnomaly`, unless an open anomaly of the same kind already names the same deposit (or the
 * same `details.purchaseId`): a check repeated by the queue or by staff tells staff nothing new.
 * One statement, so two consumers at once still leave one.
 */
export async function recordAnomalyOnce(db: Database, anomaly: Parameters<typeof recordAnomaly>[1]): Promise<void> {
  const purchaseId = typeof anomaly.details.purchaseId === 'string' ? anomaly.details.purchaseId : null;
  const target = anomaly.depositId ? sql`deposit_id = ${anomaly.depositId}` : purchaseId ? sql`json_extract(details, '$.purchaseId') = ${purchaseId}` : null;
  if (!target) return recordAnomaly(db, anomaly);
  const result = await db.run(sql`
    INSERT INTO anomalies (id, kind, provider, deposit_id, event_id, details, created_at)
    SELECT ${newId('anm')}, ${anomaly.kind}, ${anomaly.provider ?? null}, ${anomaly.depositId ?? null}, ${anomaly.eventId ?? null}, ${JSON.stringify(anomaly.details)}, ${Date.now()}
    WHERE NOT EXISTS (SELECT 1 FROM anomalies WHERE kind = ${anomaly.kind} AND status = 'open' AND ${target})`);
  if (result.meta.changes > 0) log('warn', 'anomaly recorded', { kind: anomaly.kind, depositId: anomaly.depositId, ...anomaly.details });
}

/** Marks a pending deposit failed; a deposit already final keeps its state. */
export async function settleFailed(db: Database, deposit: Deposit, outcome: { reason: string; resultCode: string; resultDesc: string }): Promise<Deposit> {
  const now = Date.now();
  const [updated] = await db
    .update(deposits)
    .set({ status: 'failed', failureReason: outcome.reason, resultCode: outcome.resultCode, resultDesc: outcome.resultDesc.slice(0, 200), settledAt: now, updatedAt: now, nextCheckAt: null })
    .where(and(eq(deposits.id, deposit.id), eq(deposits.status, 'pending')))
    .returning();
  return updated ?? (await db.query.deposits.findFirst({ where: eq(deposits.id, deposit.id) }))!;
}
