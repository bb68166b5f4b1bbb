import { sha256Hex } from './crypto';
import { AppError } from './errors';

/** The fingerprint of a request body, stored beside its Idempotency-Key (design.md §5). */
export function requestFingerprint(body: unknown): Promise<string> {
  return sha256Hex(JSON.stringify(body));
}

/** Same key, same body → the first result again; same key, another body → 409. */
export function assertSameRequest(stored: string | null, fingerprint: string): void {
  if (stored !== fingerprint) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request');
}
