import { and, desc, eq, isNull, lt, lte } from 'drizzle-orm';
import { assertSameRequest, requestFingerprint } from '../lib/idempotency';
import { z } from 'zod';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { purchases } from '../db/schema';
import type { JobMessage } from '../jobs/messages';
import { newId } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import { providerFetch } from '../providers/http';
import { vtpassClientFromConfig, type VtpassClassification, type VtpassClient, type VtpassPurchase } from '../providers/vtpass';
import { quotePurchase } from './bills';
import { withdrawPlan } from './catalog';
import { recordAnomaly, recordAnomalyOnce, recordEvent } from './deposits';
import * as rateLimit from './rate-limit';
import { walletLedger } from './wallets';

export type Purchase = typeof purchases.$inferSelect;

export const purchaseInput = z.strictObject({
  serviceId: z.string().trim().min(1).max(64),
  recipient: z.string().trim().regex(/^\d{6,20}$/, 'Enter the phone, meter or smartcard number (digits only)'),
  amount: z.int('Enter an amount in kobo (minor units)').positive().optional(),
  variationCode: z.string().trim().min(1).max(100).optional(),
  /** Who VTpass notifies for electricity and TV; defaults to the recipient. */
  phone: z.string().trim().regex(/^0\d{10}$/, 'Enter an 11-digit Nigerian phone number').optional(),
  /** TV only: `change` buys `variationCode` (the default); `renew` pays the smartcard's renewal amount. */
  subscription: z.enum(['change', 'renew'], 'Choose change or renew').optional(),
});
export type PurchaseInput = z.output<typeof purchaseInput>;

export const TOO_MANY_PURCHASES = 'Too many purchases in a short time. Wait a minute and try again.';

/** Growing gaps between requeries; past the last one the purchase goes to staff, hold kept. */
export const REQUERY_DELAYS_SECONDS = [10, 30, 60, 120, 300, 600, 1800, 3600];
/** The hold asks the ledger to notify us after this long; we requery then, never release blindly. */
const HOLD_TIMEOUT_MS = 24 * 3600_000;

export type PurchaseDeps = {
  db: Database;
  env: Env;
  vtpass: VtpassClient;
  scheduleRequery: (purchaseId: string, attempt: number, delaySeconds: number) => Promise<void>;
  /** Purchases one customer may start per minute. */
  purchasesPerMinute: number;
};

/** The real collaborators: VTpass (or its simulator) and the JOBS queue. */
export function purchaseDeps(env: Env, config: Config): PurchaseDeps {
  return {
    db: database(env.DB),
    env,
    vtpass: vtpassClientFromConfig(config, providerFetch(env)),
    scheduleRequery: async (purchaseId, attempt, delaySeconds) => {
      await env.JOBS.send({ type: 'purchase.requery', purchaseId, attempt } satisfies JobMessage, { delaySeconds });
    },
    purchasesPerMinute: config.PURCHASE_MAX_PER_MINUTE,
  };
}

/** What the API shows (design.md §5). */
export function publicPurchase(p: Purchase) {
  return {
    id: p.id,
    serviceId: p.serviceId,
    category: p.category,
    recipient: p.recipient,
    ...(p.variationCode ? { variationCode: p.variationCode } : {}),
    ...(p.category === 'tv' ? { subscription: isRenewal(p) ? 'renew' : 'change' } : {}),
    amount: p.amount,
    status: p.status,
    ...(p.token ? { token: p.token } : {}),
    ...(p.units ? { units: p.units } : {}),
    ...(p.failureReason ? { failureReason: p.failureReason } : {}),
    createdAt: new Date(p.createdAt).toISOString(),
  };
}

/**
 * Buys airtime, data, electricity or TV. Order: a replay of the key answers at once (it is not
 * counted), the per-customer rate limit, price from the catalogue, purchase row, hold
 * (transfer id = purchase id), then one `pay`. Delivered posts the hold; a definite failure voids
 * it; anything else keeps it and schedules a requery. A refused hold removes the row (nothing was
 * sent), so the key can be used again after a top-up.
 */
export async function startPurchase(deps: PurchaseDeps, userId: string, input: PurchaseInput, idempotencyKey: string, now = Date.now()): Promise<{ purchase: Purchase; replayed: boolean }> {
  const { db } = deps;
  // `renew` is appended only when sent, so bodies without it keep the fingerprint they always had.
  const fields = [input.serviceId, input.recipient, input.amount ?? null, input.variationCode ?? null, input.phone ?? null];
  const requestHash = await requestFingerprint(input.subscription === 'renew' ? [...fields, 'renew'] : fields);
  const previous = await findByKey(db, userId, idempotencyKey);
  if (previous) return replay(previous, requestHash);
  await rateLimit.enforce(db, `purchase:user:${userId}`, { limit: deps.purchasesPerMinute, windowSeconds: 60 }, TOO_MANY_PURCHASES, now);

  const { priced } = await quotePurchase(db, deps.vtpass, input);
  const purchase: Purchase = {
    id: newId('pur', now),
    userId,
    ...priced,
    status: 'pending',
    requestId: deps.vtpass.newRequestId(),
    idempotencyKey,
    requestHash,
    providerCode: null,
    providerReason: null,
    providerTransactionId: null,
    token: null,
    units: null,
    purchasedCode: null,
    failureReason: null,
    requeries: 0,
    nextCheckAt: now + REQUERY_DELAYS_SECONDS[0]! * 1000,
    escalatedAt: null,
    createdAt: now,
    updatedAt: now,
    settledAt: null,
  };
  try {
    await db.insert(purchases).values(purchase);
  } catch (error) {
    const raced = await findByKey(db, userId, idempotencyKey);
    if (raced) return replay(raced, requestHash);
    throw error;
  }

  try {
    await walletLedger(deps.env, userId, 'NGN').hold({
      id: purchase.id,
      amount: purchase.amount,
      account: 'vtpass:float',
      reference: `purchase:${purchase.id}`,
      timeoutMs: HOLD_TIMEOUT_MS,
      onDeadline: 'notify',
    });
  } catch (error) {
    await db.delete(purchases).where(and(eq(purchases.id, purchase.id), eq(purchases.status, 'pending')));
    throw error;
  }

  let result = await deps.vtpass.pay(vtpassOrder(purchase));
  // 014: VTpass already has this request id, so ask what became of it; never pay again.
  if (result.reason === 'request-id-exists') result = await deps.vtpass.requery(purchase.requestId);
  const settled = await applyOutcome(deps, purchase, result);
  if (settled.status === 'pending') await deps.scheduleRequery(purchase.id, 0, REQUERY_DELAYS_SECONDS[0]!);
  return { purchase: settled, replayed: false };
}

function vtpassOrder(p: Purchase): VtpassPurchase {
  const base = { requestId: p.requestId, serviceId: p.serviceId };
  switch (p.category) {
    case 'airtime':
      return { ...base, kind: 'airtime', phone: p.recipient, amountKobo: p.amount };
    case 'data':
      return { ...base, kind: 'data', recipient: p.recipient, variationCode: p.variationCode!, phone: p.phone };
    case 'electricity':
      return { ...base, kind: 'electricity', meterNumber: p.recipient, meterType: p.variationCode === 'postpaid' ? 'postpaid' : 'prepaid', amountKobo: p.amount, phone: p.phone };
    case 'tv':
      return isRenewal(p)
        ? { ...base, kind: 'tv-renew', smartcardNumber: p.recipient, amountKobo: p.amount, phone: p.phone }
        : { ...base, kind: 'tv-change', smartcardNumber: p.recipient, variationCode: p.variationCode!, phone: p.phone };
  }
}

/**
 * A TV purchase without a variation code is a renewal of the current bouquet: a change always
 * names the bouquet bought, a renewal never does (VTpass renews whatever the card has), so the
 * null needs no new column and cannot be mistaken for anything else.
 */
export function isRenewal(p: Pick<Purchase, 'category' | 'variationCode'>): boolean {
  return p.category === 'tv' && p.variationCode === null;
}

function findByKey(db: Database, userId: string, key: string) {
  return db.query.purchases.findFirst({ where: and(eq(purchases.userId, userId), eq(purchases.idempotencyKey, key)) });
}

function replay(previous: Purchase, requestHash: string) {
  assertSameRequest(previous.requestHash, requestHash);
  return { purchase: previous, replayed: true };
}

/**
 * Acts on what VTpass said. Ledger first (idempotent by transfer id), then the row (guarded by
 * its expected status), so a crash between the two is repaired by the next requery.
 * delivered → post the hold; failed → void it, or refund a delivered purchase VTpass reversed;
 * pending → nothing moves.
 */
export async function applyOutcome(deps: Pick<PurchaseDeps, 'db' | 'env'>, purchase: Purchase, result: VtpassClassification): Promise<Purchase> {
  const { db } = deps;
  const ledger = walletLedger(deps.env, purchase.userId, 'NGN');
  const now = Date.now();
  const provider = { providerCode: result.code, providerReason: result.reason, providerTransactionId: result.transactionId ?? purchase.providerTransactionId, updatedAt: now };
  if (result.outcome === 'delivered') {
    if (purchase.status !== 'pending') return purchase;
    await ledger.postHold({ id: `${purchase.id}:post`, holdId: purchase.id });
    const delivered = await updateWhere(db, purchase, 'pending', {
      ...provider,
      status: 'delivered',
      token: result.token,
      units: result.units,
      purchasedCode: result.purchasedCode,
      nextCheckAt: null,
      settledAt: now,
    });
    if (result.amountKobo !== null && result.amountKobo > purchase.amount) await flagUnderpriced(db, purchase, result.amountKobo);
    return delivered;
  }
  if (result.outcome === 'failed') {
    const reversed = result.reason === 'reversed';
    if (purchase.status === 'pending') {
      await ledger.voidHold({ id: `${purchase.id}:void`, holdId: purchase.id });
      return updateWhere(db, purchase, 'pending', { ...provider, status: reversed ? 'reversed' : 'failed', failureReason: result.reason, nextCheckAt: null, settledAt: now });
    }
    if (purchase.status === 'delivered' && reversed) {
      await ledger.reverse({ id: `${purchase.id}:refund`, reverses: `${purchase.id}:post`, reference: `purchase:${purchase.id}` });
      return updateWhere(db, purchase, 'delivered', { ...provider, status: 'reversed', failureReason: 'reversed' });
    }
    if (purchase.status === 'delivered') await recordAnomalyOnce(db, { kind: 'purchase_contradiction', provider: 'vtpass', details: { purchaseId: purchase.id, reason: result.reason } });
    return purchase;
  }
  if (purchase.status !== 'pending') return purchase;
  return updateWhere(db, purchase, 'pending', provider);
}

/** VTpass charged more than the customer paid: staff are told and the plan stops selling at a loss. */
async function flagUnderpriced(db: Database, purchase: Purchase, providerAmount: number): Promise<void> {
  const plan = purchase.variationCode;
  const planWithdrawn = plan !== null && (await withdrawPlan(db, purchase.serviceId, plan));
  await recordAnomalyOnce(db, {
    kind: 'purchase_underpriced',
    provider: 'vtpass',
    details: { purchaseId: purchase.id, serviceId: purchase.serviceId, variationCode: plan, charged: purchase.amount, providerAmount, planWithdrawn },
  });
}

async function updateWhere(db: Database, purchase: Purchase, expected: Purchase['status'], set: Partial<Purchase>): Promise<Purchase> {
  const [updated] = await db
    .update(purchases)
    .set(set)
    .where(and(eq(purchases.id, purchase.id), eq(purchases.status, expected)))
    .returning();
  return updated ?? (await db.query.purchases.findFirst({ where: eq(purchases.id, purchase.id) }))!;
}

/**
 * One requery (queue, hold deadline, webhook, cron). A still-pending purchase schedules the next
 * one with a longer delay; after the last delay it is escalated to staff, hold kept.
 * `attempt: null` settles without scheduling (webhook, deadline).
 */
export async function requeryPurchase(deps: PurchaseDeps, purchaseId: string, attempt: number | null, now = Date.now()): Promise<Purchase | null> {
  const { db } = deps;
  const purchase = await db.query.purchases.findFirst({ where: eq(purchases.id, purchaseId) });
  if (!purchase) return null;
  if (purchase.status === 'failed' || purchase.status === 'reversed') return purchase;
  const result = await deps.vtpass.requery(purchase.requestId);
  const settled = await applyOutcome(deps, purchase, result);
  if (settled.status !== 'pending' || attempt === null) return settled;
  const next = attempt + 1;
  if (next >= REQUERY_DELAYS_SECONDS.length) {
    await escalate(db, settled, result.reason, now);
    return settled;
  }
  const delay = REQUERY_DELAYS_SECONDS[next]!;
  await db.update(purchases).set({ requeries: settled.requeries + 1, nextCheckAt: now + delay * 1000, updatedAt: now }).where(eq(purchases.id, purchase.id));
  await deps.scheduleRequery(purchase.id, next, delay);
  return settled;
}

/** No answer after every requery: staff decide. The hold is never released on a guess. */
export async function escalate(db: Database, purchase: Purchase, lastReason: string | null, now = Date.now()): Promise<void> {
  if (purchase.escalatedAt) return;
  await db.update(purchases).set({ escalatedAt: now, nextCheckAt: null, updatedAt: now }).where(and(eq(purchases.id, purchase.id), isNull(purchases.escalatedAt)));
  await recordAnomaly(db, { kind: 'purchase_unresolved', provider: 'vtpass', details: { purchaseId: purchase.id, requestId: purchase.requestId, lastReason } });
}

/**
 * The ledger's notice that a purchase hold reached its deadline: requery, and escalate if still
 * pending. A hold whose purchase row does not exist was never sent to VTpass, so it is released.
 */
export async function handlePurchaseHoldDeadline(deps: PurchaseDeps, message: { userId: string; holdId: string; reference: string }): Promise<void> {
  const purchaseId = message.reference.slice('purchase:'.length);
  const settled = await requeryPurchase(deps, purchaseId, null);
  if (!settled) {
    try {
      await walletLedger(deps.env, message.userId, 'NGN').voidHold({ id: `${message.holdId}:void`, holdId: message.holdId });
    } catch (error) {
      // Already settled or never there: nothing left to release.
      if (!(error instanceof AppError) || (error.code !== 'NOT_FOUND' && error.code !== 'CONFLICT')) throw error;
      log('warn', 'purchase hold deadline without a purchase', { holdId: message.holdId, code: error.code });
    }
    return;
  }
  if (settled.status === 'pending') await escalate(deps.db, settled, settled.providerReason);
}

/** Cron: pending purchases whose requery message is long overdue get one again. */
export async function sweepPurchases(deps: PurchaseDeps, now = Date.now(), limit = 100): Promise<number> {
  const overdue = await deps.db
    .select({ id: purchases.id, requeries: purchases.requeries })
    .from(purchases)
    .where(and(eq(purchases.status, 'pending'), isNull(purchases.escalatedAt), lte(purchases.nextCheckAt, now - 60_000)))
    .limit(limit);
  for (const p of overdue) {
    await deps.db.update(purchases).set({ nextCheckAt: now + 60_000 }).where(eq(purchases.id, p.id));
    await deps.scheduleRequery(p.id, p.requeries, 0);
  }
  return overdue.length;
}

export async function getPurchase(db: Database, userId: string, id: string): Promise<Purchase> {
  const purchase = await db.query.purchases.findFirst({ where: and(eq(purchases.id, id), eq(purchases.userId, userId)) });
  if (!purchase) throw new AppError('NOT_FOUND', 'No such purchase');
  return purchase;
}

/** Newest first; the cursor is the last id of the previous page (ids sort by time). */
export async function listPurchases(db: Database, userId: string, options: { limit: number; cursor?: string }) {
  const rows = await db
    .select()
    .from(purchases)
    .where(and(eq(purchases.userId, userId), options.cursor ? lt(purchases.id, options.cursor) : undefined))
    .orderBy(desc(purchases.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return { purchases: page, nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
}

/** The purchase a VTpass request id belongs to (webhooks). */
export async function findPurchaseByRequestId(db: Database, requestId: string) {
  return db.query.purchases.findFirst({ where: eq(purchases.requestId, requestId) });
}


const webhookBody = z.object({ type: z.string(), data: z.object({ requestId: z.union([z.string(), z.number()]).transform(String).optional() }).loose().optional() }).loose();

/**
 * `POST /webhooks/vtpass`. The raw event is stored first; nothing in it is believed: a
 * `transaction-update` for one of our request ids triggers our own requery, and only that answer
 * moves money. The answer is always `{"response":"success"}` (else VTpass resends up to 5 times);
 * a settlement that throws is left to the queued requeries and the cron sweep.
 * @see providers.md §2.8
 */
export async function handleVtpassWebhook(deps: PurchaseDeps, raw: string, sourceIp: string | null): Promise<{ response: 'success' }> {
  let parsed: z.output<typeof webhookBody> | null = null;
  try {
    const result = webhookBody.safeParse(JSON.parse(raw));
    parsed = result.success ? result.data : null;
  } catch {
    parsed = null;
  }
  const requestId = parsed?.type === 'transaction-update' ? (parsed.data?.requestId ?? null) : null;
  const purchase = requestId ? await findPurchaseByRequestId(deps.db, requestId) : undefined;
  const note = !parsed ? 'unreadable body' : !requestId ? `ignored type ${parsed.type}` : !purchase ? 'unknown request id' : undefined;
  await recordEvent(deps.db, { provider: 'vtpass', payload: raw.slice(0, 10_000), outcome: purchase ? 'applied' : 'ignored', externalId: requestId, sourceIp, note });
  if (purchase) {
    try {
      await requeryPurchase(deps, purchase.id, null);
    } catch (error) {
      log('error', 'vtpass webhook settlement failed; requery will retry', { purchaseId: purchase.id, error: String(error) });
    }
  }
  return { response: 'success' };
}
