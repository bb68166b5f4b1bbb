import { desc } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { simAccessKeys } from '../db/schema';
import { fromBase64Url, randomToken, sha256Hex, toHex } from '../lib/crypto';
import { accessTeamDomain } from '../middleware/access';
import { selfSignedCertificate } from './access-cert';

/** Access publishes the current and the previous key. @see providers.md §4.2 */
const SERVED_KEYS = 2;
/** Application tokens live as long as the app's session duration; Access defaults to 24 h. */
export const ACCESS_TOKEN_TTL_SECONDS = 24 * 3600;
const CERTIFICATE_VALIDITY_MS = 365 * 24 * 3600_000;

/** The key the simulator signs with, for tests that need tokens with unusual claims. */
export interface AccessSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

function newestKeys(db: Database) {
  return db.select().from(simAccessKeys).orderBy(desc(simAccessKeys.createdAt), desc(simAccessKeys.kid)).limit(SERVED_KEYS).all();
}

/**
 * The served keys, newest first. The first request on an empty table creates one; if two isolates
 * race, both keys are served and the newer signs, so every isolate still agrees.
 */
async function servedKeys(db: Database) {
  const rows = await newestKeys(db);
  if (rows.length > 0) return rows;
  await rotateAccessKey(db);
  return newestKeys(db);
}

/** Adds a key that signs from now on; the previous one stays in the JWKS, as in a real rotation. Returns its kid. */
export async function rotateAccessKey(db: Database): Promise<string> {
  const [latest] = await newestKeys(db);
  const createdAt = Math.max(Date.now(), (latest?.createdAt ?? 0) + 1);
  const keys = await generateKeyPair('RS256', { extractable: true });
  const { e, n } = await exportJWK(keys.publicKey);
  const kid = toHex(fromBase64Url(await calculateJwkThumbprint({ kty: 'RSA', e, n })));
  await db.insert(simAccessKeys).values({
    kid,
    privateJwk: JSON.stringify(await exportJWK(keys.privateKey)),
    publicJwk: JSON.stringify({ kid, kty: 'RSA', alg: 'RS256', use: 'sig', e, n }),
    certificate: await selfSignedCertificate(keys, 'malipo-access-simulator', new Date(createdAt), new Date(createdAt + CERTIFICATE_VALIDITY_MS)),
    createdAt,
  });
  return kid;
}

/** `GET <team>/cdn-cgi/access/certs`, field for field. @see providers.md §4.2 */
export async function accessCertsDocument(db: Database) {
  const rows = await servedKeys(db);
  const certs = rows.map((row) => ({ kid: row.kid, cert: row.certificate }));
  return { keys: rows.map((row) => JSON.parse(row.publicJwk) as JWK), public_cert: certs[0], public_certs: certs };
}

export async function accessSigningKey(db: Database): Promise<AccessSigningKey> {
  const [row] = await servedKeys(db);
  if (!row) throw new Error('the Access simulator has no signing key');
  return { kid: row.kid, privateKey: (await importJWK(JSON.parse(row.privateJwk) as JWK, 'RS256')) as CryptoKey };
}

/** An application token as Access issues one after sign-in. @see providers.md §4.3 */
export async function mintAccessToken(db: Database, config: Config, email: string): Promise<string> {
  const { kid, privateKey } = await accessSigningKey(db);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, type: 'app', identity_nonce: randomToken(12), country: 'KE' })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setAudience([config.ACCESS_AUD])
    .setIssuer(accessTeamDomain(config))
    .setSubject(await userUuid(email))
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
    .sign(privateKey);
}

/** Access's `sub` is a user UUID that stays the same for an identity; derive one from the email. */
async function userUuid(email: string): Promise<string> {
  const hex = await sha256Hex(email.toLowerCase());
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}
