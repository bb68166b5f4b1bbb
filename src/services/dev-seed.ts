import type { Config } from '../config';
import { database } from '../db/client';
import { staff, users } from '../db/schema';
import { hashPassword } from '../lib/password';

let seeded: Promise<void> | null = null;

export const DEMO_CUSTOMER = { email: 'demo@malipo.test', password: 'demo-password-1', name: 'Demo Customer', phone: '0708374149' };
export const DEMO_STAFF = { email: 'admin@malipo.test', name: 'Malipo Admin', role: 'admin' as const };

/**
 * Local development data (design.md §6), inserted once per isolate with INSERT OR IGNORE so it is
 * idempotent across restarts. Only runs when SEED_DEMO_DATA is on, which production refuses.
 */
export function seedDemoData(env: Env, config: Config): Promise<void> {
  seeded ??= (async () => {
    const db = database(env.DB);
    const now = Date.now();
    await db
      .insert(users)
      .values({
        id: 'usr_demo',
        email: DEMO_CUSTOMER.email,
        name: DEMO_CUSTOMER.name,
        phone: DEMO_CUSTOMER.phone,
        passwordHash: await hashPassword(DEMO_CUSTOMER.password, config.PASSWORD_ITERATIONS),
        referralCode: 'DEMO2026',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing();
    await db.insert(staff).values({ id: 'stf_admin', ...DEMO_STAFF, active: true, createdAt: now }).onConflictDoNothing();
  })().catch((error) => {
    seeded = null;
    throw error;
  });
  return seeded;
}
