import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Milliseconds since the epoch; every timestamp in D1 uses this form. */
const timestamp = (name: string) => integer(name, { mode: 'number' });

/**
 * The Access simulator's RS256 signing keys (`src/sim/access-keys.ts`), kept in D1 so every isolate
 * serves the same JWKS and signs with the same key; the newest signs. Dev and tests only.
 */
export const simAccessKeys = sqliteTable('sim_access_keys', {
  kid: text('kid').primaryKey(),
  /** Private JWK as JSON: a dev key that guards nothing but the local console. */
  privateJwk: text('private_jwk').notNull(),
  /** Public JWK as JSON, with `kid`, `alg` and `use` as the JWKS serves it. */
  publicJwk: text('public_jwk').notNull(),
  /** Self-signed X.509 certificate (PEM) for `public_cert`/`public_certs`. */
  certificate: text('certificate').notNull(),
  createdAt: timestamp('created_at').notNull(),
});
