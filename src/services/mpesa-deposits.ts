import { and, eq, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { deposits } from '../db/schema';
import type { JobMessage } from '../jobs/messages';
import { newId, randomToken, sha256Hex } from '../lib/crypto';
import { log } from '../lib/log';
import { kenyanPhone } from '../lib/phone';
import { providerFetch } from '../providers/http';
import { mpesaClientFromConfig, type MpesaClient, type ResultCode, type StkCallback, type StkQueryResult } from '../providers/mpesa';
import { assertSameRequest, requestFingerprint } from '../lib/idempotency';
import {
  creditDeposit,
  type Deposit,
  enforceUserDepositLimit,
  findDepositByIdempotencyKey,
  recordAnomaly,
  recordEvent,
  settleFailed,
  TOO_MANY_TOP_UPS,
} from './deposits';
import * as rateLimit from './rate-limit';

/** KES 1 to KES 250,000 in whole shillings, in cents (providers.md §1.3). */
export const MPESA_MIN_CENTS = 100;
export const MPESA_MAX_CENTS = 25_000_000;

export const mpesaDepositInput = z.object({
  amount: z
    .number({ error: 'Enter an amount in cents (minor units)' })
    .int('The amount must be a whole number of cents')
    .min(MPESA_MIN_CENTS, 'The smallest M-Pesa deposit is KES 1')
    .max(MPESA_MAX_CENTS, 'The largest M-Pesa deposit is KES 250,000')
    .refine((v) => v % 100 === 0, 'M-Pesa takes whole shillings only'),
  phone: kenyanPhone,
});
export type MpesaDepositInput = z.output<typeof mpesaDepositInput>;

/** How long we keep asking M-Pesa about a prompt before handing it to staff. */
const DEPOSIT_TTL_MS = 10 * 60_000;
/** Growing gaps between STK queries: a prompt usually resolves within a minute or two. */
export const CHECK_DELAYS_SECONDS = [15, 30, 60, 120, 240, 300];

export type DepositDeps = {
  db: Database;
  env: Env;
  config: Config;
  mpesa: MpesaClient;
  /** Schedules the next STK query (a JOBS message with a delay). */
  scheduleCheck: (depositId: string, attempt: number, delaySeconds: number) => Promise<void>;
};

/** The real collaborators: Daraja (or its simulator) and the JOBS queue. */
export function mpesaDepositDeps(env: Env, config: Config): DepositDeps {
  return {
    db: database(env.DB),
    env,
    config,
    mpesa: mpesaClientFromConfig(config, providerFetch(env)),
    scheduleCheck: async (depositId, attempt, delaySeconds) => {
      await env.JOBS.send({ type: 'deposit.check', depositId, attempt } satisfies JobMessage, { delaySeconds });
    },
  };
}

const FAILURE_BY_RESULT: Record<string, string> = {
  1: 'insufficient_funds',
  2: 'limit',
  3: 'limit',
  4: 'limit',
  8: 'limit',
  17: 'limit',
  1001: 'busy',
  1019: 'expired',
  1032: 'cancelled',
  1037: 'timeout',
  2001: 'wrong_pin',
};

/**
 * ResultCodes providers.md §1.6 documents as final. Anything else we do not understand, so the
 * deposit stays pending and is asked about again (and goes to staff at expiry), never failed.
 */
const FINAL_FAILURES = new Set([...Object.keys(FAILURE_BY_RESULT), '1025', '2028', '8006', 'SFC_IC0003']);

export function isFinalFailure(resultCode: ResultCode): boolean {
  return FINAL_FAILURES.has(String(resultCode));
}

export function failureReasonFor(resultCode: ResultCode): string {
  return FAILURE_BY_RESULT[String(resultCode)] ?? 'failed';
}

/**
 * Starts an M-Pesa deposit: a pending row first, then the STK push. The price is the amount the
 * customer typed, checked here; the callback URL carries a random secret stored only as a hash.
 * A push whose answer we could not read stays pending and is settled by STK query or callback.
 */
export async function startMpesaDeposit(
  deps: DepositDeps,
  userId: string,
  input: MpesaDepositInput,
  idempotencyKey: string | null,
  now = Date.now(),
): Promise<{ deposit: Deposit; replayed: boolean }> {
  const { db, config } = deps;
  const requestHash = await requestFingerprint({ amount: input.amount, phone: input.phone });
  if (idempotencyKey) {
    const previous = await findDepositByIdempotencyKey(db, userId, idempotencyKey);
    if (previous) return replay(previous, requestHash);
  }
  await enforceDepositLimits(db, config, userId, input.phone, now);

  const token = randomToken(32);
  const deposit: Deposit = {
    id: newId('dep', now),
    userId,
    method: 'mpesa',
    currency: 'KES',
    amount: input.amount,
    status: 'pending',
    phone: input.phone,
    callbackTokenHash: await sha256Hex(token),
    merchantRequestId: null,
    checkoutRequestId: null,
    receipt: null,
    failureReason: null,
    resultCode: null,
    resultDesc: null,
    idempotencyKey,
    requestHash,
    checks: 0,
    nextCheckAt: now + CHECK_DELAYS_SECONDS[0]! * 1000,
    expiresAt: now + DEPOSIT_TTL_MS,
    createdAt: now,
    updatedAt: now,
    settledAt: null,
  };
  try {
    await db.insert(deposits).values(deposit);
  } catch (error) {
    // Two requests with one key raced: the first row wins and this one replays it.
    const previous = idempotencyKey ? await findDepositByIdempotencyKey(db, userId, idempotencyKey) : undefined;
    if (previous) return replay(previous, requestHash);
    throw error;
  }

  const push = await deps.mpesa.stkPush({
    amount: input.amount / 100,
    phone: input.phone,
    callbackUrl: `${config.APP_URL}/webhooks/mpesa/${token}`,
    accountReference: deposit.id.slice(-12).toUpperCase(),
    description: 'Malipo top up',
  });
  if (push.kind === 'accepted') {
    deposit.merchantRequestId = push.merchantRequestId;
    deposit.checkoutRequestId = push.checkoutRequestId;
    await db
      .update(deposits)
      .set({ merchantRequestId: push.merchantRequestId, checkoutRequestId: push.checkoutRequestId, updatedAt: Date.now() })
      .where(eq(deposits.id, deposit.id));
  } else if (push.kind === 'rejected' || push.kind === 'unavailable') {
    // Nothing reached the phone, so nothing can be paid: a definite failure, safe to retry.
    const [errorCode, message] = push.kind === 'rejected' ? [push.errorCode, push.message] : ['unavailable', push.reason];
    log('warn', 'stk push not sent', { depositId: deposit.id, errorCode, message });
    const failed = await settleFailed(db, deposit, { reason: errorCode === '500.001.1001' ? 'busy' : 'rejected', resultCode: errorCode, resultDesc: message });
    return { deposit: failed, replayed: false };
  } else {
    log('warn', 'stk push answer unknown; will check', { depositId: deposit.id, reason: push.reason });
  }
  await deps.scheduleCheck(deposit.id, 0, CHECK_DELAYS_SECONDS[0]!);
  return { deposit, replayed: false };
}

function replay(previous: Deposit, requestHash: string) {
  assertSameRequest(previous.requestHash, requestHash);
  return { deposit: previous, replayed: true };
}

async function enforceDepositLimits(db: Database, config: Config, userId: string, phone: string, now: number) {
  await enforceUserDepositLimit(db, userId, config.DEPOSIT_MAX_PER_USER, now);
  // M-Pesa locks a subscriber while a prompt is open; more prompts to one phone only annoy its owner.
  await rateLimit.enforce(db, `deposit:phone:${phone}`, { limit: config.DEPOSIT_MAX_PER_PHONE, windowSeconds: 600 }, TOO_MANY_TOP_UPS, now);
}

/**
 * Credits the wallet (transfer id = deposit id, so a repeat is the same posting), then marks the
 * deposit succeeded. A receipt that arrives after a query already settled it is filled in.
 */
export async function settleSucceeded(env: Env, db: Database, deposit: Deposit, receipt: string | null): Promise<Deposit> {
  if (deposit.status === 'failed') return deposit;
  await creditDeposit(env, deposit);
  const now = Date.now();
  const [updated] = await db
    .update(deposits)
    .set({ status: 'succeeded', receipt, resultCode: '0', settledAt: now, updatedAt: now, nextCheckAt: null })
    .where(and(eq(deposits.id, deposit.id), eq(deposits.status, 'pending')))
    .returning();
  if (updated) return updated;
  const current = (await db.query.deposits.findFirst({ where: eq(deposits.id, deposit.id) }))!;
  if (current.status === 'failed') {
    // A failure was recorded concurrently, but the money is in the wallet: staff must know, never credit twice.
    await recordAnomaly(db, { kind: 'credited_but_failed', provider: deposit.method, depositId: deposit.id, details: { receipt } });
    return current;
  }
  if (receipt) {
    await db.update(deposits).set({ receipt, updatedAt: now }).where(and(eq(deposits.id, deposit.id), eq(deposits.status, 'succeeded'), isNull(deposits.receipt)));
  }
  return (await db.query.deposits.findFirst({ where: eq(deposits.id, deposit.id) }))!;
}

export type CallbackResult = { status: 200 | 400 | 403 | 404; body: unknown };
const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' };

/**
 * An STK callback. The URL token identifies and authenticates the deposit; the raw body is stored
 * before anything else; CheckoutRequestID, amount and phone must match, or staff get an anomaly and
 * nothing is credited. A deposit in a final state never changes.
 */
export async function handleMpesaCallback(
  deps: Pick<DepositDeps, 'db' | 'env' | 'config'>,
  token: string,
  rawBody: string,
  sourceIp: string | null,
  parse: (body: unknown) => StkCallback | null,
): Promise<CallbackResult> {
  const { db, env, config } = deps;
  const deposit = await db.query.deposits.findFirst({ where: eq(deposits.callbackTokenHash, await sha256Hex(token)) });
  if (!deposit) {
    await recordEvent(db, { provider: 'mpesa', payload: rawBody.slice(0, 10_000), outcome: 'rejected', sourceIp, note: 'unknown callback token' });
    return { status: 404, body: { ResultCode: 1, ResultDesc: 'Unknown' } };
  }
  const ipAllowed = isAllowedCallbackIp(config, sourceIp);
  if (!ipAllowed && config.MPESA_CALLBACK_IP_MODE === 'enforce') {
    const eventId = await recordEvent(db, { provider: 'mpesa', payload: rawBody, outcome: 'rejected', depositId: deposit.id, sourceIp, note: 'source IP not allowed' });
    await recordAnomaly(db, { kind: 'callback_ip_not_allowed', provider: 'mpesa', depositId: deposit.id, eventId, details: { sourceIp } });
    return { status: 403, body: { ResultCode: 1, ResultDesc: 'Forbidden' } };
  }

  let callback: StkCallback | null = null;
  try {
    callback = parse(JSON.parse(rawBody));
  } catch {
    callback = null;
  }
  if (!callback) {
    await recordEvent(db, { provider: 'mpesa', payload: rawBody.slice(0, 10_000), outcome: 'rejected', depositId: deposit.id, sourceIp, note: 'malformed callback' });
    return { status: 400, body: { ResultCode: 1, ResultDesc: 'Malformed' } };
  }

  const problems = mismatches(deposit, callback);
  const final = deposit.status !== 'pending';
  const outcome = problems.length > 0 ? 'anomaly' : final && !(deposit.status === 'succeeded' && !deposit.receipt && callback.receipt) ? 'duplicate' : 'applied';
  const eventId = await recordEvent(db, {
    provider: 'mpesa',
    payload: rawBody,
    outcome,
    externalId: callback.checkoutRequestId,
    depositId: deposit.id,
    sourceIp,
    note: problems.join('; ') || undefined,
  });
  if (!ipAllowed && config.MPESA_CALLBACK_IP_MODE === 'log') {
    await recordAnomaly(db, { kind: 'callback_ip_not_allowed', provider: 'mpesa', depositId: deposit.id, eventId, details: { sourceIp } });
  }
  if (isPaid(callback.resultCode) && deposit.status === 'failed') {
    // The customer paid after we had recorded a failure: never flip a final state, tell staff.
    problems.push('paid after the deposit was marked failed');
  }
  if (problems.length > 0) {
    await recordAnomaly(db, { kind: 'callback_mismatch', provider: 'mpesa', depositId: deposit.id, eventId, details: { problems, checkoutRequestId: callback.checkoutRequestId, amount: callback.amount, phone: callback.phone } });
    return { status: 200, body: ACCEPTED };
  }
  if (isPaid(callback.resultCode)) {
    await settleSucceeded(env, db, deposit, callback.receipt ?? null);
  } else if (!final && isFinalFailure(callback.resultCode)) {
    await settleFailed(db, deposit, { reason: failureReasonFor(callback.resultCode), resultCode: String(callback.resultCode), resultDesc: callback.resultDesc });
  }
  return { status: 200, body: ACCEPTED };
}

function mismatches(deposit: Deposit, callback: StkCallback): string[] {
  const problems: string[] = [];
  // Without our own CheckoutRequestID (the push answer was lost) nothing can be matched: staff decide.
  if (!deposit.checkoutRequestId) problems.push('no CheckoutRequestID on record to match');
  else if (callback.checkoutRequestId !== deposit.checkoutRequestId) problems.push('CheckoutRequestID does not match');
  if (isPaid(callback.resultCode)) {
    if (callback.amount === undefined || Math.round(callback.amount * 100) !== deposit.amount) problems.push(`amount ${callback.amount} does not match ${deposit.amount / 100}`);
    if (callback.phone !== undefined && callback.phone !== deposit.phone) problems.push('phone does not match');
  }
  return problems;
}

/** Only ResultCode 0 means paid (providers.md §1.6). */
function isPaid(code: ResultCode): boolean {
  return code === 0 || code === '0';
}

function isAllowedCallbackIp(config: Config, ip: string | null): boolean {
  if (config.MPESA_CALLBACK_IP_MODE === 'off') return true;
  const allowed = config.MPESA_CALLBACK_IPS.split(',').map((s) => s.trim()).filter(Boolean);
  return ip !== null && allowed.includes(ip);
}

/**
 * One STK query for a pending M-Pesa deposit, settled when the answer is final. It schedules
 * nothing and counts no check, so a staff re-check leaves the queue's backoff as it was.
 */
export async function queryMpesaDeposit(
  deps: Pick<DepositDeps, 'db' | 'env' | 'mpesa'>,
  depositId: string,
): Promise<{ deposit: Deposit | null; answer: StkQueryResult | null; settled: boolean }> {
  const { db, env } = deps;
  const deposit = await db.query.deposits.findFirst({ where: eq(deposits.id, depositId) });
  if (!deposit || deposit.status !== 'pending' || deposit.method !== 'mpesa') return { deposit: deposit ?? null, answer: null, settled: false };
  const answer = deposit.checkoutRequestId ? await deps.mpesa.stkQuery(deposit.checkoutRequestId) : null;
  if (answer?.kind === 'completed') {
    if (isPaid(answer.resultCode)) return { deposit: await settleSucceeded(env, db, deposit, null), answer, settled: true };
    if (isFinalFailure(answer.resultCode)) {
      const failed = await settleFailed(db, deposit, { reason: failureReasonFor(answer.resultCode), resultCode: String(answer.resultCode), resultDesc: answer.resultDesc });
      return { deposit: failed, answer, settled: true };
    }
  }
  return { deposit, answer, settled: false };
}

/**
 * One scheduled STK query. Pending answers schedule the next check with a longer delay; past the
 * deposit's expiry an unresolved prompt goes to staff instead of being guessed.
 */
export async function checkMpesaDeposit(deps: DepositDeps, depositId: string, attempt: number, now = Date.now()): Promise<Deposit | null> {
  const { db } = deps;
  const { deposit, answer, settled } = await queryMpesaDeposit(deps, depositId);
  if (!deposit || settled || deposit.status !== 'pending' || deposit.method !== 'mpesa') return deposit;
  if (now >= deposit.expiresAt) {
    await recordAnomaly(db, { kind: 'deposit_unresolved', provider: 'mpesa', depositId: deposit.id, details: { checks: deposit.checks + 1, lastAnswer: answer?.kind ?? 'no checkout id' } });
    await db.update(deposits).set({ checks: deposit.checks + 1, nextCheckAt: null, updatedAt: now }).where(eq(deposits.id, deposit.id));
    return deposit;
  }
  const delay = CHECK_DELAYS_SECONDS[Math.min(attempt + 1, CHECK_DELAYS_SECONDS.length - 1)]!;
  await db.update(deposits).set({ checks: deposit.checks + 1, nextCheckAt: now + delay * 1000, updatedAt: now }).where(eq(deposits.id, deposit.id));
  await deps.scheduleCheck(deposit.id, attempt + 1, delay);
  return deposit;
}

/** Cron: pending deposits whose next check is long overdue lost their message; schedule them again. */
export async function sweepMpesaDeposits(deps: DepositDeps, now = Date.now(), limit = 100): Promise<number> {
  const overdue = await deps.db
    .select({ id: deposits.id, checks: deposits.checks })
    .from(deposits)
    .where(and(eq(deposits.status, 'pending'), eq(deposits.method, 'mpesa'), lte(deposits.nextCheckAt, now - 60_000)))
    .limit(limit);
  for (const deposit of overdue) {
    await deps.db.update(deposits).set({ nextCheckAt: now + 60_000 }).where(eq(deposits.id, deposit.id));
    await deps.scheduleCheck(deposit.id, deposit.checks, 0);
  }
  return overdue.length;
}
