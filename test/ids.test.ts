import { describe, expect, it } from 'vitest';
import { newId } from '../src/lib/crypto';

describe('newId', () => {
  it('sorts by time, and within one millisecond in the order made', () => {
    const now = Date.now();
    const sameMs = Array.from({ length: 200 }, () => newId('x', now));
    expect([...sameMs].sort()).toEqual(sameMs);
    expect(new Set(sameMs).size).toBe(200);
    const later = newId('x', now + 1);
    expect(later > sameMs.at(-1)!).toBe(true);
    expect(newId('x', now - 1) < sameMs[0]!).toBe(true);
    expect(later).toMatch(/^x_[0-9a-hjkmnp-tv-z]{26}$/);
  });
});
