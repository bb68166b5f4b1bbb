import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { monnifyAccounts, users } from '../db/schema';
import type { JobMessage } from '../jobs/messages';
import { log } from '../lib/log';
import { providerFetch } from '../providers/http';
import { monnifyClientFromConfig, type MonnifyBankAccount, type MonnifyClient } from '../providers/monnify';

const ATTEMPTS_PLUS_ONE = sql`${monnifyAccounts.attempts} + 1`;

/** A queued request that has not produced an account after this long is queued again by the sweep. */
export const RESERVE_REQUEUE_AFTER_MS = 30 * 60_000;

export type MonnifyAccountDeps = {
  db: Database;
  monnify: MonnifyClient;
  /** Queues `monnify.reserve-account` for one customer. */
  requestReservation: (userId: string) => Promise<void>;
};

export function monnifyAccountDeps(env: Env, config: Config): MonnifyAccountDeps {
  return { db: database(env.DB), monnify: monnifyClientFromConfig(config, providerFetch(env)), requestReservation: queueReservation(env) };
}

function queueReservation(env: Env) {
  return async (userId: string) => {
    await env.JOBS.send({ type: 'monnify.reserve-account', userId } satisfies JobMessage);
  };
}

/** Called once a customer signs up: their dedicated NGN account is requested in the background. */
export function queueReservedAccount(env: Env, userId: string): Promise<void> {
  return requestReservedAccount({ db: database(env.DB), requestReservation: queueReservation(env) }, userId);
}

/** The public shape of a customer's dedicated account(s) (design.md §5). */
export type PublicReservedAccount =
  | { status: 'pending'; accountReference: string; accounts: [] }
  | { status: 'active'; accountReference: string; accountName: string | null; accounts: MonnifyBankAccount[] };

/**
 * Asks for a customer's dedicated account in the background: a `pending` row, then a JOBS message.
 * Never throws, so a queue outage cannot break signup; the sweep queues whatever was missed.
 */
export async function requestReservedAccount(deps: Pick<MonnifyAccountDeps, 'db' | 'requestReservation'>, userId: string, now = Date.now()): Promise<void> {
  try {
    await deps.db
      .insert(monnifyAccounts)
      .values({ userId, accountReference: userId, status: 'pending', requestedAt: now, createdAt: now, updatedAt: now })
      .onConflictDoNothing();
    await deps.requestReservation(userId);
  } catch (error) {
    log('warn', 'could not queue reserved account request; the sweep will', { userId, error: String(error) });
  }
}

/** The customer's account as stored, or `pending` while the job is still asking Monnify. */
export async function getReservedAccount(db: Database, userId: string): Promise<PublicReservedAccount | null> {
  const row = await db.query.monnifyAccounts.findFirst({ where: eq(monnifyAccounts.userId, userId) });
  if (!row) return null;
  if (row.status !== 'active') return { status: 'pending', accountReference: row.accountReference, accounts: [] };
  return { status: 'active', accountReference: row.accountReference, accountName: row.accountName, accounts: JSON.parse(row.accounts) as MonnifyBankAccount[] };
}

/**
 * The `monnify.reserve-account` job. The account reference is the user id, so `ensureReservedAccount`
 * is idempotent across retries (a lost answer finds the account made by an earlier attempt). Any
 * answer but `reserved` throws, and the consumer retries with a growing delay.
 */
export async function reserveAccountFor(deps: Pick<MonnifyAccountDeps, 'db' | 'monnify'>, userId: string, now = Date.now()): Promise<PublicReservedAccount | null> {
  const { db } = deps;
  const existing = await getReservedAccount(db, userId);
  if (existing?.status === 'active') return existing;
  const user = await db.query.users.findFirst({ where: eq(users.id, userId), columns: { id: true, email: true, name: true } });
  if (!user) {
    log('warn', 'reserved account requested for an unknown user', { userId });
    return null;
  }
  const name = user.name.slice(0, 100);
  const result = await deps.monnify.ensureReservedAccount({ accountReference: user.id, accountName: name, customerEmail: user.email, customerName: name });
  if (result.kind !== 'reserved') {
    const reason = result.kind === 'rejected' ? `rejected ${result.code}: ${result.message}` : `${result.kind}: ${result.reason}`;
    await db
      .insert(monnifyAccounts)
      .values({ userId, accountReference: userId, status: 'pending', attempts: 1, lastError: reason.slice(0, 300), requestedAt: now, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: monnifyAccounts.userId, set: { lastError: reason.slice(0, 300), updatedAt: now, attempts: ATTEMPTS_PLUS_ONE } });
    throw new Error(`reserved account not created: ${reason}`);
  }
  const account = result.account;
  const values = {
    status: 'active' as const,
    accounts: JSON.stringify(account.accounts),
    accountName: account.accountName,
    reservationReference: account.reservationReference,
    lastError: null,
    updatedAt: now,
  };
  await db
    .insert(monnifyAccounts)
    .values({ userId, accountReference: userId, ...values, requestedAt: now, createdAt: now })
    .onConflictDoUpdate({ target: monnifyAccounts.userId, set: values });
  return getReservedAccount(db, userId);
}

/**
 * Cron: customers with no account row, or a pending one whose request is long stale (its message
 * went to the dead-letter queue or was lost), are queued again. Bounded per run.
 */
export async function sweepReservedAccounts(deps: Pick<MonnifyAccountDeps, 'db' | 'requestReservation'>, now = Date.now(), limit = 50): Promise<number> {
  const { db } = deps;
  const due = await db
    .select({ userId: users.id })
    .from(users)
    .leftJoin(monnifyAccounts, eq(monnifyAccounts.userId, users.id))
    .where(or(isNull(monnifyAccounts.userId), and(eq(monnifyAccounts.status, 'pending'), lt(monnifyAccounts.requestedAt, now - RESERVE_REQUEUE_AFTER_MS))))
    .limit(limit);
  for (const { userId } of due) {
    await db
      .insert(monnifyAccounts)
      .values({ userId, accountReference: userId, status: 'pending', requestedAt: now, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: monnifyAccounts.userId, set: { requestedAt: now, updatedAt: now } });
    await deps.requestReservation(userId);
  }
  return due.length;
}
