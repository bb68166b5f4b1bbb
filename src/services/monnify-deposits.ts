import { and, eq, isNotNull, lt, lte, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { deposits, monnifyAccounts, monnifyCheckouts, monnifyTransactions, providerEvents, users } from '../db/schema';
import { newId, sha256Hex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import { providerFetch } from '../providers/http';
import { monnifyClientFromConfig, type MonnifyClient, type MonnifyTransaction } from '../providers/monnify';
import { parseMonnifyWebhook, verifyMonnifySignature } from '../providers/monnify-webhook';
import { assertSameRequest, requestFingerprint } from '../lib/idempotency';
import { creditDeposit, type Deposit, enforceUserDepositLimit, findDepositByIdempotencyKey, recordAnomaly, recordAnomalyOnce, recordEvent, settleFailed } from './deposits';

/** ₦100 to ₦1,000,000, in kobo. */
export const MONNIFY_MIN_KOBO = 10_000;
export const MONNIFY_MAX_KOBO = 100_000_000;

export const monnifyDepositInput = z.object({
  amount: z
    .number({ error: 'Enter an amount in kobo (minor units)' })
    .int('The amount must be a whole number of kobo')
    .min(MONNIFY_MIN_KOBO, 'The smallest Monnify top-up is ₦100')
    .max(MONNIFY_MAX_KOBO, 'The largest Monnify top-up is ₦1,000,000'),
});
export type MonnifyDepositInput = z.output<typeof monnifyDepositInput>;

/** A checkout nobody paid is marked failed after this long (the sweep keeps asking until then). */
const CHECKOUT_TTL_MS = 2 * 3600_000;
/** The webhook normally settles a checkout; the sweep asks Monnify only after this. */
const FIRST_CHECK_MS = 2 * 60_000;
const NEXT_CHECK_MS = 5 * 60_000;
/** A claim whose processing never finished (the request died) may be taken again after this. */
const STALE_CLAIM_MS = 60_000;

export type MonnifyDepositDeps = { db: Database; env: Env; config: Config; monnify: MonnifyClient };

export function monnifyDepositDeps(env: Env, config: Config): MonnifyDepositDeps {
  return { db: database(env.DB), env, config, monnify: monnifyClientFromConfig(config, providerFetch(env)) };
}

/**
 * The ledger transfer id for a Monnify collection: its transactionReference, with Monnify's `|`
 * written as `:` (the ledger's id alphabet). Anything else odd is hashed, so the id stays stable.
 */
export async function monnifyTransferId(transactionReference: string): Promise<string> {
  const id = `mnfy:${transactionReference.replace(/\|/g, ':')}`;
  return /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/.test(id) ? id : `mnfy:h:${(await sha256Hex(transactionReference)).slice(0, 48)}`;
}

/**
 * Starts a checkout: a pending NGN deposit first (paymentReference = deposit id), then Monnify's
 * init-transaction. Only a webhook or a verify call settles it; the redirect back proves nothing.
 */
export async function startMonnifyCheckout(
  deps: MonnifyDepositDeps,
  user: { id: string; email: string; name: string },
  input: MonnifyDepositInput,
  idempotencyKey: string | null,
  now = Date.now(),
): Promise<{ deposit: Deposit; checkoutUrl: string | null; replayed: boolean }> {
  const { db, config } = deps;
  const requestHash = await requestFingerprint({ method: 'monnify', amount: input.amount });
  if (idempotencyKey) {
    const previous = await findDepositByIdempotencyKey(db, user.id, idempotencyKey);
    if (previous) return replay(db, previous, requestHash);
  }
  await enforceUserDepositLimit(db, user.id, config.DEPOSIT_MAX_PER_USER, now);
  const deposit = newMonnifyDeposit(user.id, input.amount, now, { idempotencyKey, requestHash, nextCheckAt: now + FIRST_CHECK_MS, expiresAt: now + CHECKOUT_TTL_MS });
  try {
    await db.insert(deposits).values(deposit);
  } catch (error) {
    const previous = idempotencyKey ? await findDepositByIdempotencyKey(db, user.id, idempotencyKey) : undefined;
    if (previous) return replay(db, previous, requestHash);
    throw error;
  }

  const init = await deps.monnify.initTransaction({
    amountKobo: input.amount,
    customerName: user.name,
    customerEmail: user.email,
    paymentReference: deposit.id,
    paymentDescription: 'Malipo wallet top-up',
    redirectUrl: `${config.APP_URL.replace(/\/+$/, '')}/deposit/monnify/return`,
  });
  if (init.kind === 'initialised') {
    await db.insert(monnifyCheckouts).values({ depositId: deposit.id, transactionReference: init.checkout.transactionReference, checkoutUrl: init.checkout.checkoutUrl, createdAt: now });
    await db.update(deposits).set({ checkoutRequestId: init.checkout.transactionReference, updatedAt: Date.now() }).where(eq(deposits.id, deposit.id));
    return { deposit: { ...deposit, checkoutRequestId: init.checkout.transactionReference }, checkoutUrl: init.checkout.checkoutUrl, replayed: false };
  }
  if (init.kind === 'rejected' || init.kind === 'unavailable') {
    // Never created at Monnify, so nothing can be paid: a definite failure.
    const message = init.kind === 'rejected' ? init.message : init.reason;
    await settleFailed(db, deposit, { reason: 'checkout_unavailable', resultCode: init.kind === 'rejected' ? init.code : 'unavailable', resultDesc: message });
  } else {
    // The checkout may exist without our knowing its URL; the sweep verifies and settles it.
    log('warn', 'monnify init answer unknown; the sweep will verify', { depositId: deposit.id, reason: init.reason });
  }
  throw new AppError('PROVIDER_UNAVAILABLE', 'Monnify could not start the checkout. Try again in a few minutes.');
}

async function replay(db: Database, previous: Deposit, requestHash: string) {
  assertSameRequest(previous.requestHash, requestHash);
  const checkout = await db.query.monnifyCheckouts.findFirst({ where: eq(monnifyCheckouts.depositId, previous.id) });
  return { deposit: previous, checkoutUrl: checkout?.checkoutUrl ?? null, replayed: true };
}

function newMonnifyDeposit(userId: string, amount: number, now: number, extra: Partial<Deposit> & { expiresAt: number }): Deposit {
  return {
    id: newId('dep', now),
    userId,
    method: 'monnify',
    currency: 'NGN',
    amount,
    status: 'pending',
    phone: null,
    callbackTokenHash: null,
    merchantRequestId: null,
    checkoutRequestId: null,
    receipt: null,
    failureReason: null,
    resultCode: null,
    resultDesc: null,
    idempotencyKey: null,
    requestHash: null,
    checks: 0,
    nextCheckAt: null,
    createdAt: now,
    updatedAt: now,
    settledAt: null,
    ...extra,
  };
}

export type WebhookResult = { status: 200 | 400 | 401 | 403 | 503; body: unknown };
type Outcome = { outcome: 'applied' | 'duplicate' | 'anomaly' | 'ignored'; depositId?: string | null; userId?: string | null; note?: string };

/**
 * `POST /webhooks/monnify`. The signature is checked over the exact bytes before anything is
 * parsed; each transactionReference is claimed once, so copies and concurrent deliveries credit
 * once; a failure while processing answers 503 so Monnify sends it again. @see providers.md §3.7
 */
export async function handleMonnifyWebhook(deps: MonnifyDepositDeps, raw: ArrayBuffer, signature: string | null, sourceIp: string | null): Promise<WebhookResult> {
  const { db, config } = deps;
  const text = new TextDecoder().decode(raw);
  if (!(await verifyMonnifySignature(raw, signature, config.MONNIFY_SECRET_KEY))) {
    await recordEvent(db, { provider: 'monnify', payload: text.slice(0, 10_000), outcome: 'rejected', sourceIp, note: signature ? 'bad signature' : 'missing signature' });
    return { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Bad or missing monnify-signature' } } };
  }
  const allowedIps = config.MONNIFY_WEBHOOK_IPS.split(',').map((s) => s.trim()).filter(Boolean);
  const ipAllowed = config.MONNIFY_WEBHOOK_IP_MODE === 'off' || (sourceIp !== null && allowedIps.includes(sourceIp));
  if (!ipAllowed && config.MONNIFY_WEBHOOK_IP_MODE === 'enforce') {
    const eventId = await recordEvent(db, { provider: 'monnify', payload: text, outcome: 'rejected', sourceIp, note: 'source IP not allowed' });
    await recordAnomaly(db, { kind: 'webhook_ip_not_allowed', provider: 'monnify', eventId, details: { sourceIp } });
    return { status: 403, body: { error: { code: 'FORBIDDEN', message: 'Source not allowed' } } };
  }
  let event: ReturnType<typeof parseMonnifyWebhook> = null;
  try {
    event = parseMonnifyWebhook(JSON.parse(text));
  } catch {
    event = null;
  }
  if (!event) {
    await recordEvent(db, { provider: 'monnify', payload: text.slice(0, 10_000), outcome: 'rejected', sourceIp, note: 'malformed event' });
    return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'Not a Monnify event' } } };
  }
  if (event.other) {
    await recordEvent(db, { provider: 'monnify', payload: text, outcome: 'ignored', sourceIp, note: `event type ${event.eventType}` });
    return { status: 200, body: { ok: true } };
  }

  const t = event.transaction;
  const now = Date.now();
  const claim = await claimTransaction(db, t, now);
  if (!claim) {
    log('info', 'monnify event already stored', { transactionReference: t.transactionReference });
    return { status: 200, body: { ok: true, duplicate: true } };
  }
  const eventId = await recordEvent(db, { provider: 'monnify', payload: text, outcome: 'ignored', externalId: t.transactionReference, sourceIp, note: 'processing' });
  if (!ipAllowed) await recordAnomaly(db, { kind: 'webhook_ip_not_allowed', provider: 'monnify', eventId, details: { sourceIp } });
  try {
    const result = t.product.type === 'WEB_SDK' ? await webhookForCheckout(deps, t, eventId) : await webhookForReservedAccount(deps, t, claim.depositId, eventId);
    await db.update(providerEvents).set({ outcome: result.outcome, depositId: result.depositId ?? null, note: result.note ?? null }).where(eq(providerEvents.id, eventId));
    await db
      .update(monnifyTransactions)
      .set({ status: result.outcome === 'anomaly' ? 'anomaly' : 'applied', userId: result.userId ?? null, depositId: result.depositId ?? null, eventId, note: result.note ?? null, updatedAt: Date.now() })
      .where(eq(monnifyTransactions.transactionReference, t.transactionReference));
    return { status: 200, body: { ok: true } };
  } catch (error) {
    log('error', 'monnify event processing failed', { transactionReference: t.transactionReference, error: String(error) });
    // Monnify retries, but not forever: staff see every failure, so no payment waits unseen.
    await recordAnomaly(db, { kind: 'monnify_processing_failed', provider: 'monnify', eventId, details: { transactionReference: t.transactionReference, error: String(error).slice(0, 300) } });
    await db.update(providerEvents).set({ outcome: 'rejected', note: `processing failed: ${String(error)}`.slice(0, 500) }).where(eq(providerEvents.id, eventId));
    await db.update(monnifyTransactions).set({ status: 'failed', note: String(error).slice(0, 500), updatedAt: Date.now() }).where(eq(monnifyTransactions.transactionReference, t.transactionReference));
    return { status: 503, body: { error: { code: 'PROVIDER_UNAVAILABLE', message: 'Not processed; send it again' } } };
  }
}

/** The first copy of a transaction claims it; a retry may take over a failed or abandoned claim. */
async function claimTransaction(db: Database, t: MonnifyTransaction, now: number) {
  const [inserted] = await db
    .insert(monnifyTransactions)
    .values({ transactionReference: t.transactionReference, productType: t.product.type, productReference: t.product.reference, amount: t.amountPaidKobo, status: 'processing', createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning();
  if (inserted) return inserted;
  const [retaken] = await db
    .update(monnifyTransactions)
    .set({ status: 'processing', updatedAt: now })
    .where(
      and(
        eq(monnifyTransactions.transactionReference, t.transactionReference),
        or(eq(monnifyTransactions.status, 'failed'), and(eq(monnifyTransactions.status, 'processing'), lt(monnifyTransactions.updatedAt, now - STALE_CLAIM_MS))),
      ),
    )
    .returning();
  return retaken ?? null;
}

/** Who owns a reserved account: the stored account by exact reference, else the user whose id it is. */
async function accountOwner(db: Database, accountReference: string): Promise<string | null> {
  const account = await db.query.monnifyAccounts.findFirst({ where: eq(monnifyAccounts.accountReference, accountReference), columns: { userId: true } });
  if (account) return account.userId;
  // The event can beat our own record of the account (the job saves it after Monnify made it).
  const user = await db.query.users.findFirst({ where: eq(users.id, accountReference), columns: { id: true } });
  return user?.id ?? null;
}

/** Monnify's own record of a transaction; an answer we cannot get throws, so the webhook is retried. */
async function verified(deps: MonnifyDepositDeps, t: MonnifyTransaction): Promise<MonnifyTransaction | null> {
  const answer = await deps.monnify.verifyByTransactionReference(t.transactionReference);
  if (answer.kind === 'found') return answer.transaction;
  if (answer.kind === 'not-found') return null;
  throw new Error(`verify failed: ${answer.kind === 'rejected' ? answer.message : answer.reason}`);
}

function differences(event: MonnifyTransaction, truth: MonnifyTransaction | null): string[] {
  if (!truth) return ['Monnify does not know this transaction'];
  const problems: string[] = [];
  if (truth.paymentStatus !== event.paymentStatus) problems.push(`verify says ${truth.paymentStatus}, the event ${event.paymentStatus}`);
  if (truth.amountPaidKobo !== event.amountPaidKobo) problems.push(`verify says ${truth.amountPaidKobo} kobo paid, the event ${event.amountPaidKobo}`);
  if (truth.product.reference !== event.product.reference) problems.push('verify names another product reference');
  return problems;
}

async function webhookForReservedAccount(deps: MonnifyDepositDeps, t: MonnifyTransaction, claimedDepositId: string | null, eventId: string): Promise<Outcome> {
  const { db, env } = deps;
  const anomaly = async (kind: string, problems: string[], userId: string | null = null): Promise<Outcome> => {
    await recordAnomaly(db, { kind, provider: 'monnify', eventId, details: { problems, transactionReference: t.transactionReference, accountReference: t.product.reference, productType: t.product.type, amountPaid: t.amountPaidKobo, userId } });
    return { outcome: 'anomaly', userId, note: problems.join('; ') };
  };
  if (t.product.type !== 'RESERVED_ACCOUNT') return anomaly('unsupported_product', [`product type ${t.product.type}`]);
  const userId = await accountOwner(db, t.product.reference);
  if (!userId) return anomaly('unknown_account', [`no customer has account reference ${t.product.reference}`]);
  if (t.paymentStatus !== 'PAID' || t.currency !== 'NGN' || t.amountPaidKobo <= 0) return anomaly('payment_not_creditable', [`${t.paymentStatus} ${t.amountPaidKobo} ${t.currency}`], userId);
  const problems = differences(t, await verified(deps, t));
  if (problems.length > 0) return anomaly('verify_mismatch', problems, userId);

  const now = Date.now();
  // One history row per transfer, found again by its reference if an earlier attempt made it.
  const byReference = () => db.query.deposits.findFirst({ where: and(eq(deposits.method, 'monnify'), eq(deposits.checkoutRequestId, t.transactionReference)) });
  let deposit = (claimedDepositId ? await db.query.deposits.findFirst({ where: eq(deposits.id, claimedDepositId) }) : undefined) ?? (await byReference());
  if (!deposit) {
    await db.insert(deposits).values(newMonnifyDeposit(userId, t.amountPaidKobo, now, { expiresAt: now, receipt: t.transactionReference, checkoutRequestId: t.transactionReference })).onConflictDoNothing();
    deposit = (await byReference())!;
  }
  await db.update(monnifyTransactions).set({ depositId: deposit.id, userId }).where(eq(monnifyTransactions.transactionReference, t.transactionReference));
  await creditDeposit(env, deposit, { transferId: await monnifyTransferId(t.transactionReference) });
  await db
    .update(deposits)
    .set({ status: 'succeeded', resultCode: 'PAID', settledAt: now, updatedAt: now })
    .where(and(eq(deposits.id, deposit.id), eq(deposits.status, 'pending')));
  return { outcome: 'applied', userId, depositId: deposit.id };
}

async function webhookForCheckout(deps: MonnifyDepositDeps, t: MonnifyTransaction, eventId: string): Promise<Outcome> {
  const { db } = deps;
  const deposit = await db.query.deposits.findFirst({ where: and(eq(deposits.id, t.paymentReference), eq(deposits.method, 'monnify')) });
  if (!deposit) {
    await recordAnomaly(db, { kind: 'unknown_payment', provider: 'monnify', eventId, details: { paymentReference: t.paymentReference, transactionReference: t.transactionReference, amountPaid: t.amountPaidKobo } });
    return { outcome: 'anomaly', note: 'no deposit has this paymentReference' };
  }
  const truth = await verified(deps, t);
  const problems = differences(t, truth);
  if (problems.length > 0) {
    await recordAnomaly(db, { kind: 'verify_mismatch', provider: 'monnify', depositId: deposit.id, eventId, details: { problems, transactionReference: t.transactionReference } });
    return { outcome: 'anomaly', userId: deposit.userId, depositId: deposit.id, note: problems.join('; ') };
  }
  return applyCheckoutPayment(deps, deposit, truth!, eventId);
}

/**
 * Settles a checkout deposit from Monnify's record of its payment. Only `PAID` with exactly the
 * deposit's amount credits (transfer id = Monnify's transactionReference); a partial or over
 * payment fails the deposit and goes to staff; a final deposit never changes.
 */
async function applyCheckoutPayment(deps: MonnifyDepositDeps, deposit: Deposit, t: MonnifyTransaction, eventId: string | null): Promise<Outcome> {
  const { db, env } = deps;
  const base = { userId: deposit.userId, depositId: deposit.id };
  const exact = t.paymentStatus === 'PAID' && t.amountPaidKobo === deposit.amount && t.currency === 'NGN';
  const paidSomething = exact || ['PAID', 'PARTIALLY_PAID', 'OVERPAID'].includes(t.paymentStatus);
  if (!paidSomething) return { ...base, outcome: 'ignored', note: `payment status ${t.paymentStatus}` };
  if (deposit.status === 'succeeded' && deposit.receipt !== t.transactionReference) {
    // A second, different payment for one checkout would be a second credit: staff decide.
    const problems = [`deposit already settled by ${deposit.receipt}`];
    await recordAnomaly(db, { kind: 'second_payment', provider: 'monnify', depositId: deposit.id, eventId, details: { problems, transactionReference: t.transactionReference, amountPaid: t.amountPaidKobo } });
    return { ...base, outcome: 'anomaly', note: problems[0] };
  }
  if (!exact || deposit.status === 'failed') {
    const problems = exact ? ['paid after the deposit was marked failed'] : [`${t.paymentStatus}: ${t.amountPaidKobo} kobo paid for a ${deposit.amount} kobo top-up`];
    await recordAnomaly(db, { kind: exact ? 'paid_after_failed' : 'amount_mismatch', provider: 'monnify', depositId: deposit.id, eventId, details: { problems, transactionReference: t.transactionReference, amountPaid: t.amountPaidKobo, expected: deposit.amount } });
    if (!exact) await settleFailed(db, deposit, { reason: 'amount_mismatch', resultCode: t.paymentStatus, resultDesc: problems[0]! });
    return { ...base, outcome: 'anomaly', note: problems.join('; ') };
  }
  await creditDeposit(env, deposit, { transferId: await monnifyTransferId(t.transactionReference) });
  const now = Date.now();
  const [updated] = await db
    .update(deposits)
    .set({ status: 'succeeded', receipt: t.transactionReference, resultCode: 'PAID', settledAt: now, updatedAt: now, nextCheckAt: null })
    .where(and(eq(deposits.id, deposit.id), eq(deposits.status, 'pending')))
    .returning();
  return { ...base, outcome: updated ? 'applied' : 'duplicate' };
}

/**
 * Asks Monnify how a pending checkout ended (verify by our paymentReference). Paid exactly →
 * credited; expired, failed or unknown to Monnify past the deposit's expiry → failed; anything
 * else is asked again later. Used by the sweep and by the return page.
 */
export async function checkCheckoutDeposit(deps: MonnifyDepositDeps, deposit: Deposit, now = Date.now()): Promise<Deposit> {
  const { db } = deps;
  if (deposit.status !== 'pending' || deposit.method !== 'monnify') return deposit;
  const answer = await deps.monnify.verifyByPaymentReference(deposit.id);
  if (answer.kind === 'found') {
    const t = answer.transaction;
    if (['PAID', 'PARTIALLY_PAID', 'OVERPAID'].includes(t.paymentStatus)) {
      await applyCheckoutPayment(deps, deposit, t, null);
    } else if (['EXPIRED', 'FAILED', 'USER_CANCELLED'].includes(t.paymentStatus)) {
      await settleFailed(db, deposit, { reason: t.paymentStatus === 'FAILED' ? 'checkout_failed' : 'checkout_expired', resultCode: t.paymentStatus, resultDesc: `Monnify says ${t.paymentStatus}` });
    } else if (now >= deposit.expiresAt) {
      // Monnify has not said it failed, so money may still arrive: stop asking and tell staff.
      await recordAnomalyOnce(db, { kind: 'checkout_unresolved', provider: 'monnify', depositId: deposit.id, details: { paymentStatus: t.paymentStatus } });
      await db.update(deposits).set({ nextCheckAt: null, updatedAt: now }).where(eq(deposits.id, deposit.id));
      return (await db.query.deposits.findFirst({ where: eq(deposits.id, deposit.id) }))!;
    }
  } else if (answer.kind === 'not-found' && now >= deposit.expiresAt) {
    await settleFailed(db, deposit, { reason: 'checkout_expired', resultCode: 'NOT_FOUND', resultDesc: answer.message });
  }
  const current = (await db.query.deposits.findFirst({ where: eq(deposits.id, deposit.id) }))!;
  if (current.status === 'pending') {
    await db.update(deposits).set({ checks: current.checks + 1, nextCheckAt: now + NEXT_CHECK_MS, updatedAt: now }).where(eq(deposits.id, deposit.id));
  }
  return current;
}

/** Cron: checkout deposits still pending when their next check is due are verified. Bounded. */
export async function sweepMonnifyCheckouts(deps: MonnifyDepositDeps, now = Date.now(), limit = 50): Promise<number> {
  const due = await deps.db
    .select()
    .from(deposits)
    .where(and(eq(deposits.method, 'monnify'), eq(deposits.status, 'pending'), isNotNull(deposits.nextCheckAt), lte(deposits.nextCheckAt, now)))
    .limit(limit);
  for (const deposit of due) {
    try {
      await checkCheckoutDeposit(deps, deposit, now);
    } catch (error) {
      log('warn', 'monnify checkout check failed', { depositId: deposit.id, error: String(error) });
    }
  }
  return due.length;
}
