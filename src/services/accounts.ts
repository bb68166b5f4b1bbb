import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { users } from '../db/schema';
import { newId, randomBytes } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { hashPassword, needsRehash, verifyPassword } from '../lib/password';
import * as rateLimit from './rate-limit';
import type { SessionUser } from './sessions';

const email = z
  .string({ error: 'Enter your email address' })
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long')
  .pipe(z.email({ error: 'Enter a valid email address' }));

const password = z
  .string({ error: 'Enter a password' })
  .min(10, 'Use at least 10 characters')
  .max(200, 'Use at most 200 characters');

const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

export const signupInput = z.object({
  email,
  password,
  name: z.string({ error: 'Enter your name' }).trim().min(1, 'Enter your name').max(100, 'Use at most 100 characters'),
  phone: optionalText(
    z
      .string()
      .trim()
      .transform((v) => v.replace(/[\s-]/g, ''))
      .pipe(z.string().regex(/^\+?\d{9,15}$/, 'Enter a phone number with 9 to 15 digits')),
  ),
  referralCode: optionalText(z.string().trim().toUpperCase().max(20, 'That referral code is not valid')),
});
export type SignupInput = z.output<typeof signupInput>;

export const loginInput = z.object({
  email,
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(200),
});
export type LoginInput = z.output<typeof loginInput>;

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, 'Enter your current password'),
  newPassword: password,
});

const REFERRAL_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

/** Short, shareable, unambiguous (no 0/O, 1/I/L): 7 characters, ~2.7e10 codes. */
export function newReferralCode(): string {
  return [...randomBytes(7)].map((b) => REFERRAL_ALPHABET[b % REFERRAL_ALPHABET.length]).join('');
}

function isUniqueViolation(error: unknown, column: string): boolean {
  const text = String((error as { cause?: unknown })?.cause ?? '') + String(error);
  return text.includes('UNIQUE constraint failed') && text.includes(column);
}

/** Creates a customer. Email is unique case-insensitively; a referral code must name a real user. */
export async function signUp(db: Database, input: SignupInput, iterations: number, now = Date.now()): Promise<SessionUser> {
  let referredBy: string | null = null;
  if (input.referralCode) {
    const referrer = await db.query.users.findFirst({ where: eq(users.referralCode, input.referralCode), columns: { id: true } });
    if (!referrer) {
      throw new AppError('VALIDATION_FAILED', 'That referral code does not belong to anyone', {
        referralCode: ['No one has that referral code. Check it, or leave it empty.'],
      });
    }
    referredBy = referrer.id;
  }
  const existing = await db.query.users.findFirst({ where: eq(users.email, input.email), columns: { id: true } });
  if (existing) throw emailTaken();

  const passwordHash = await hashPassword(input.password, iterations);
  for (let attempt = 0; ; attempt++) {
    const user = {
      id: newId('usr', now),
      email: input.email,
      name: input.name,
      phone: input.phone ?? null,
      passwordHash,
      referralCode: newReferralCode(),
      referredBy,
      status: 'active' as const,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await db.insert(users).values(user);
      const { passwordHash: _, referredBy: __, createdAt: ___, updatedAt: ____, ...visible } = user;
      return visible;
    } catch (error) {
      if (isUniqueViolation(error, 'users.email')) throw emailTaken();
      if (isUniqueViolation(error, 'users.referral_code') && attempt < 5) continue;
      throw error;
    }
  }
}

function emailTaken() {
  return new AppError('CONFLICT', 'An account with this email already exists', { email: ['An account with this email already exists. Log in instead.'] });
}

export type LoginLimits = { maxFailures: number; windowMinutes: number };

/**
 * Checks a password. Failed attempts are counted per email and per client IP in D1; past the
 * limit every attempt is refused with RATE_LIMITED until the window ends, right or wrong.
 */
export async function logIn(db: Database, input: LoginInput, ip: string, limits: LoginLimits, iterations: number): Promise<SessionUser> {
  const rule = { limit: limits.maxFailures, windowSeconds: limits.windowMinutes * 60 };
  const keys = [`login:email:${input.email}`, `login:ip:${ip}`];
  for (const key of keys) {
    const state = await rateLimit.peek(db, key, rule);
    if (state.limited) throw tooManyAttempts(state.retryAfterSeconds);
  }
  const user = await db.query.users.findFirst({ where: eq(users.email, input.email) });
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyPassword(input.password, `pbkdf2-sha256$${iterations}$${DUMMY_SALT_AND_HASH}`);
  if (!user || !ok) {
    for (const key of keys) await rateLimit.hit(db, key, rule);
    throw new AppError('UNAUTHENTICATED', 'Email or password is incorrect');
  }
  if (user.status !== 'active') throw new AppError('FORBIDDEN', 'This account is suspended. Contact support.');
  await rateLimit.clear(db, keys[0]!);
  if (needsRehash(user.passwordHash, iterations)) {
    await db.update(users).set({ passwordHash: await hashPassword(input.password, iterations), updatedAt: Date.now() }).where(eq(users.id, user.id));
  }
  return { id: user.id, email: user.email, name: user.name, phone: user.phone, referralCode: user.referralCode, status: user.status };
}

/** Changes a password after checking the current one; the caller ends the user's sessions. */
export async function changePassword(db: Database, userId: string, currentPassword: string, newPassword: string, iterations: number) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new AppError('VALIDATION_FAILED', 'Current password is incorrect', { currentPassword: ['Current password is incorrect'] });
  }
  await db.update(users).set({ passwordHash: await hashPassword(newPassword, iterations), updatedAt: Date.now() }).where(eq(users.id, userId));
}

function tooManyAttempts(retryAfterSeconds: number) {
  return new AppError('RATE_LIMITED', 'Too many failed logins. Try again later.', undefined, { 'retry-after': String(retryAfterSeconds) });
}

/** Verified against when the email is unknown, so both paths cost the same time. */
const DUMMY_SALT_AND_HASH = 'AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
