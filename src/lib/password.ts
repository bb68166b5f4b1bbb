import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url } from './crypto';

const encoder = new TextEncoder();

/**
 * PBKDF2-SHA256 through WebCrypto. The stored form carries its own iteration count
 * (`pbkdf2-sha256$<iterations>$<salt>$<hash>`), so the count can be raised later and
 * old hashes still verify; `needsRehash` tells login to upgrade them.
 */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.iterations);
  return timingSafeEqual(actual, parsed.hash);
}

export function needsRehash(stored: string, iterations: number): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.iterations < iterations;
}

function parse(stored: string) {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) return null;
  return { iterations: Number(iterations), salt: fromBase64Url(salt), hash: fromBase64Url(hash) };
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}
