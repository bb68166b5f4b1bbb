import { and, eq } from 'drizzle-orm';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { anomalies, deposits, purchases, users } from '../db/schema';
import { AppError } from '../lib/errors';
import { auditInsertIfChanged, recordAudit } from './audit';
import type { Anomaly } from './console/anomalies';
import type { Customer } from './console/customers';
import { checkCheckoutDeposit, monnifyDepositDeps } from './monnify-deposits';
import { mpesaDepositDeps, queryMpesaDeposit } from './mpesa-deposits';
import { type PurchaseDeps, requeryPurchase } from './purchases';
import { destroyUserSessions } from './sessions';
import type { StaffMember } from './staff';

const FINAL_PURCHASE = new Set(['failed', 'reversed']);

/**
 * Staff "requery": one VTpass requery through the customers' own settlement path, scheduling
 * nothing (the queue keeps its own backoff). Escalated purchases are requeried too; a delivered one
 * is asked again only to catch a reversal; a failed or reversed one is final, so the action is refused
 * (like every refused action, without an audit row).
 */
export async function staffRequeryPurchase(deps: PurchaseDeps, actor: StaffMember, purchaseId: string, reason: string) {
  const before = await deps.db.query.purchases.findFirst({ where: eq(purchases.id, purchaseId) });
  if (!before) throw new AppError('NOT_FOUND', 'No such purchase');
  if (FINAL_PURCHASE.has(before.status)) throw new AppError('CONFLICT', `This purchase is already ${before.status}; a final state never changes, so VTpass was not asked`);
  const after = (await requeryPurchase(deps, purchaseId, null)) ?? before;
  let outcome: string;
  if (before.status === 'delivered') outcome = after.status === 'reversed' ? 'VTpass reversed it: refunded to the wallet' : 'delivered and final; VTpass reports no reversal';
  else if (after.status === 'pending') outcome = `still pending at VTpass${after.providerReason ? ` (${after.providerReason})` : ''}`;
  else outcome = `settled: ${after.status}`;
  await recordAudit(deps.db, actor, {
    action: 'purchase.requery',
    targetType: 'purchase',
    targetId: purchaseId,
    reason,
    before: { status: before.status, providerReason: before.providerReason, escalated: before.escalatedAt !== null },
    after: { status: after.status, providerReason: after.providerReason, outcome },
  });
  return { purchase: after, outcome };
}

/**
 * Staff "re-check" of a pending deposit: an STK query (M-Pesa) or a verify (Monnify checkout),
 * settled exactly as the automatic checks would. A settled deposit is refused (final states never
 * change) and, like every refused action, leaves no audit row.
 */
export async function staffRecheckDeposit(env: Env, config: Config, actor: StaffMember, depositId: string, reason: string) {
  const db = database(env.DB);
  const before = await db.query.deposits.findFirst({ where: eq(deposits.id, depositId) });
  if (!before) throw new AppError('NOT_FOUND', 'No such deposit');
  if (before.status !== 'pending') throw new AppError('CONFLICT', `This deposit already ${before.status}; a final state never changes, so there is nothing to re-check`);
  let after = before;
  let answer: string;
  if (before.method === 'mpesa') {
    const queried = await queryMpesaDeposit(mpesaDepositDeps(env, config), depositId);
    after = queried.deposit ?? before;
    answer = queried.answer ? `M-Pesa STK query: ${queried.answer.kind}` : 'no CheckoutRequestID on record, M-Pesa cannot be asked';
  } else {
    after = await checkCheckoutDeposit(monnifyDepositDeps(env, config), before);
    answer = 'Monnify verify';
  }
  const outcome = after.status === 'pending' ? `still pending (${answer})` : `settled: ${after.status} (${answer})`;
  await recordAudit(db, actor, {
    action: 'deposit.recheck',
    targetType: 'deposit',
    targetId: depositId,
    reason,
    before: { status: before.status },
    after: { status: after.status, failureReason: after.failureReason, outcome },
  });
  return { deposit: after, outcome };
}

/** Closes an open anomaly; the resolution is the staff member's reason. Guarded by `status = 'open'`. */
export async function resolveAnomaly(db: Database, actor: StaffMember, anomalyId: string, resolution: string, now = Date.now()): Promise<Anomaly> {
  const current = await db.query.anomalies.findFirst({ where: eq(anomalies.id, anomalyId) });
  if (!current) throw new AppError('NOT_FOUND', 'No such anomaly');
  const [[resolved]] = await db.batch([
    db
      .update(anomalies)
      .set({ status: 'resolved', resolvedAt: now, resolvedBy: actor.email, resolution })
      .where(and(eq(anomalies.id, anomalyId), eq(anomalies.status, 'open')))
      .returning(),
    auditInsertIfChanged(
      db,
      actor,
      { action: 'anomaly.resolve', targetType: 'anomaly', targetId: anomalyId, reason: resolution, before: { status: 'open' }, after: { status: 'resolved', outcome: 'resolved' } },
      now,
    ),
  ]);
  if (resolved) return resolved;
  const latest = await db.query.anomalies.findFirst({ where: eq(anomalies.id, anomalyId) });
  throw new AppError('CONFLICT', `This anomaly was already resolved by ${latest?.resolvedBy ?? 'someone else'}`);
}

/**
 * Suspends or reactivates a customer. Suspension also ends every session, so an old cookie stops
 * working at once; API keys stay but are refused while the account is suspended.
 */
export async function setCustomerStatus(db: Database, actor: StaffMember, userId: string, status: Customer['status'], reason: string, now = Date.now()): Promise<Customer> {
  const current = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!current) throw new AppError('NOT_FOUND', 'No such customer');
  const from: Customer['status'] = status === 'suspended' ? 'active' : 'suspended';
  const outcome = status === 'suspended' ? 'suspended; every session ended' : 'reactivated; the customer can log in again';
  const [[changed]] = await db.batch([
    db
      .update(users)
      .set({ status, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.status, from)))
      .returning(),
    auditInsertIfChanged(
      db,
      actor,
      { action: status === 'suspended' ? 'customer.suspend' : 'customer.reactivate', targetType: 'customer', targetId: userId, reason, before: { status: from }, after: { status, outcome } },
      now,
    ),
  ]);
  if (!changed) throw new AppError('CONFLICT', `This customer is already ${status === 'suspended' ? 'suspended' : 'active'}`);
  if (status === 'suspended') await destroyUserSessions(db, userId);
  return changed;
}
