import { z } from 'zod';
import { sha256Hex } from './crypto';
import { AppError } from './errors';

/** An Idempotency-Key (header or a form's hidden field): 1–100 printable ASCII characters. */
export const idempotencyKey = z.string().trim().min(1).max(100).regex(/^[\x21-\x7e]+$/, 'Idempotency-Key must be printable ASCII');

/** The fingerprint of a request body, stored beside its Idempotency-Key (design.md §5). */
export function requestFingerprint(body: unknown): Promise<string> {
  return sha256Hex(JSON.stringify(body));
}

/** Same key, same body → the first result again; same key, another body → 409. */
export function assertSameRequest(stored: string | null, fingerprint: string): void {
  if (stored !== fingerprint) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request');
}
