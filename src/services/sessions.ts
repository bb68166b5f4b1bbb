import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from '../db/client';
import { apiKeys, sessions, users } from '../db/schema';
import { randomToken, sha256Hex } from '../lib/crypto';

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  referralCode: string;
  status: 'active' | 'suspended';
};

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  phone: users.phone,
  referralCode: users.referralCode,
  status: users.status,
};

/** However active, a session ends this long after login: sliding renewal never makes it eternal. */
export const MAX_SESSION_AGE_MS = 30 * 24 * 3600_000;

/** Creates a server-side session; the caller gets the only copy of the raw id (for the cookie). */
export async function createSession(
  db: Database,
  userId: string,
  ttlMs: number,
  meta: { ip?: string | null; userAgent?: string | null } = {},
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const token = randomToken(32);
  const expiresAt = now + ttlMs;
  await db.insert(sessions).values({
    idHash: await sha256Hex(token),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 200) ?? null,
  });
  return { token, expiresAt };
}

/**
 * Resolves a session cookie to its user. Past half its lifetime the session slides forward:
 * `renewedUntil` tells the caller to re-issue the cookie.
 */
export async function resolveSession(db: Database, token: string, ttlMs: number, now = Date.now()) {
  const idHash = await sha256Hex(token);
  const [row] = await db
    .select({ user: userColumns, expiresAt: sessions.expiresAt, createdAt: sessions.createdAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!row) return null;
  let renewedUntil: number | null = null;
  const absoluteEnd = row.createdAt + MAX_SESSION_AGE_MS;
  if (now >= absoluteEnd) {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
    return null;
  }
  if (row.expiresAt - now < ttlMs / 2) {
    renewedUntil = Math.min(now + ttlMs, absoluteEnd);
    await db.update(sessions).set({ expiresAt: renewedUntil, lastSeenAt: now }).where(eq(sessions.idHash, idHash));
  }
  return { user: row.user as SessionUser, renewedUntil };
}

export async function destroySession(db: Database, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, await sha256Hex(token)));
}

/** Ends every session of a user (password change, suspension). */
export async function destroyUserSessions(db: Database, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

/** `Authorization: Bearer <key>` for resellers and apps: same user, same rules as a session. */
export async function resolveApiKey(db: Database, key: string, now = Date.now()): Promise<SessionUser | null> {
  const keyHash = await sha256Hex(key);
  const [row] = await db
    .select({ user: userColumns, keyId: apiKeys.id })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.keyId));
  return row.user as SessionUser;
}
