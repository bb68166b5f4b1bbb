import { describe, expect, it } from 'vitest';
import { idFloor, newId } from '../src/lib/crypto';

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

  it('keeps the order within a millisecond when ids of other milliseconds come in between', () => {
    const t = Date.now();
    for (let i = 0; i < 50; i++) {
      const a = newId('x', t);
      newId('x', t + 1); // another request, a millisecond on
      expect(newId('x', t) > a).toBe(true);
    }
  });

  it('gives id-range bounds without disturbing the order of ids being made', () => {
    const now = Date.now();
    const first = newId('x', now);
    expect(idFloor('x', now) <= first && first < idFloor('x', now + 1)).toBe(true);
    idFloor('x', now - 86_400_000); // a date filter's bound, between two ids of the same millisecond
    expect(newId('x', now) > first).toBe(true);
  });
});
