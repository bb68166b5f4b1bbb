import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { rateLimits } from '../db/schema';
import { AppError } from '../lib/errors';

export type RateLimitRule = { limit: number; windowSeconds: number };
export type RateLimitState = { count: number; retryAfterSeconds: number; limited: boolean };

/**
 * Fixed-window counters in D1, so every isolate sees the same count. `hit` counts an event
 * atomically (one UPSERT); `peek` reads without counting.
 */
export async function hit(db: Database, key: string, rule: RateLimitRule, now = Date.now()): Promise<RateLimitState> {
  const windowStart = now - (now % (rule.windowSeconds * 1000));
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} < ${windowStart} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`MAX(${rateLimits.windowStart}, ${windowStart})`,
      },
    })
    .returning();
  return state(row!.count, windowStart, rule, now);
}

/** Counts an event and refuses it with RATE_LIMITED (and Retry-After) once past the limit. */
export async function enforce(db: Database, key: string, rule: RateLimitRule, message: string, now = Date.now()): Promise<void> {
  const state = await hit(db, key, rule, now);
  if (state.count > rule.limit) throw new AppError('RATE_LIMITED', message, undefined, { 'retry-after': String(state.retryAfterSeconds) });
}

export async function peek(db: Database, key: string, rule: RateLimitRule, now = Date.now()): Promise<RateLimitState> {
  const windowStart = now - (now % (rule.windowSeconds * 1000));
  const row = await db.query.rateLimits.findFirst({ where: (t, { eq }) => eq(t.key, key) });
  const count = row && row.windowStart >= windowStart ? row.count : 0;
  return state(count, windowStart, rule, now);
}

export async function clear(db: Database, key: string): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.key} = ${key}`);
}

function state(count: number, windowStart: number, rule: RateLimitRule, now: number): RateLimitState {
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + rule.windowSeconds * 1000 - now) / 1000));
  return { count, retryAfterSeconds, limited: count >= rule.limit };
}
