const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A random URL-safe secret of `bytes` bytes (default 256 bits). */
export function randomToken(bytes = 32): string {
  return toBase64Url(randomBytes(bytes));
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Compares two byte strings without leaking where they differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return crypto.subtle.timingSafeEqual(a, b);
}

export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * The random digits of the last id made at each recent millisecond, so ids made in the same
 * millisecond sort in the order made even when requests at other times interleave. Bounded: a
 * millisecond this far back will not be asked for again.
 */
const lastDigits = new Map<number, number[]>();
const REMEMBERED_MS = 256;

/**
 * A sortable id: `prefix_` + 10 chars of time + 16 random chars (Crockford base32). Workers freeze
 * `Date.now()` until I/O, so many ids share a millisecond: within one, the random part counts up
 * from the first (monotonic, as ULIDs do), so "newest first" has one answer.
 */
export function newId(prefix: string, now = Date.now()): string {
  const previous = lastDigits.get(now);
  const digits = previous ? increment(previous) : [...randomBytes(16)].map((b) => b % 32);
  lastDigits.delete(now);
  lastDigits.set(now, digits);
  if (lastDigits.size > REMEMBERED_MS) lastDigits.delete(lastDigits.keys().next().value!);
  return `${idFloor(prefix, now)}${digits.map((d) => ID_ALPHABET[d]).join('')}`;
}

/** `prefix_` + the time part alone: every id made at or after `ms` sorts at or above it (bounds for id ranges). */
export function idFloor(prefix: string, ms: number): string {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ID_ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}`;
}

/** Base-32 digits plus one (16 random digits never run out within a millisecond). */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i] = next[i]! + 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}
