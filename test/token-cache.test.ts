import { describe, expect, it } from 'vitest';
import { tokenCaches, type TokenRefresh } from '../src/providers/token-cache';

/** A cache with a pinned clock and a counting refresh that answers `token-1`, `token-2`, … valid for 1000 ms. */
function setup(answer: (n: number) => TokenRefresh | null = () => null) {
  let clock = 1_000_000;
  let calls = 0;
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const cache = tokenCaches().cache({
    key: 'base\nkey',
    now: () => clock,
    waitMs: 15_000,
    refresh: async () => {
      const n = ++calls;
      await gate;
      return answer(n) ?? { token: `token-${n}`, refreshAt: clock + 1000 };
    },
  });
  return {
    cache,
    calls: () => calls,
    advance: (ms: number) => (clock += ms),
    hold: () => {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

describe('token cache', () => {
  it('shares one refresh among concurrent callers, then serves the cached token', async () => {
    const t = setup();
    t.hold();
    const pending = Array.from({ length: 5 }, () => t.cache.get());
    t.release();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 5 }, () => ({ token: 'token-1' })));
    expect(t.calls()).toBe(1);
    expect(await t.cache.get()).toEqual({ token: 'token-1' });
    expect(t.calls()).toBe(1);
  });

  it('refreshes once refreshAt has passed', async () => {
    const t = setup();
    expect(await t.cache.get()).toEqual({ token: 'token-1' });
    t.advance(999);
    expect(await t.cache.get()).toEqual({ token: 'token-1' });
    t.advance(1);
    expect(await t.cache.get()).toEqual({ token: 'token-2' });
    expect(t.calls()).toBe(2);
  });

  it('drop forgets the token it names, and only that one', async () => {
    const t = setup();
    expect(await t.cache.get()).toEqual({ token: 'token-1' });
    t.cache.drop('stale');
    expect(await t.cache.get()).toEqual({ token: 'token-1' });
    t.cache.drop('token-1');
    expect(await t.cache.get()).toEqual({ token: 'token-2' });
    expect(t.calls()).toBe(2);
  });

  it('does not cache a failure', async () => {
    const t = setup((n) => (n === 1 ? { failure: 'login: HTTP 500' } : null));
    expect(await t.cache.get()).toEqual({ failure: 'login: HTTP 500' });
    expect(await t.cache.get()).toEqual({ token: 'token-2' });
    expect(t.calls()).toBe(2);
  });

  it('keeps caches made by separate tokenCaches() apart, and shares within one by key', async () => {
    const store = tokenCaches();
    let calls = 0;
    const options = { key: 'k', now: () => 0, waitMs: 15_000, refresh: async () => ({ token: `t${++calls}`, refreshAt: 1 }) };
    expect(await store.cache(options).get()).toEqual({ token: 't1' });
    expect(await store.cache(options).get()).toEqual({ token: 't1' });
    expect(await tokenCaches().cache(options).get()).toEqual({ token: 't2' });
  });

  it('stops waiting on a refresh that never settles after waitMs and starts its own', async () => {
    let calls = 0;
    const cache = tokenCaches().cache({
      key: 'k',
      now: () => 0,
      waitMs: 20,
      refresh: () => (++calls === 1 ? new Promise<TokenRefresh>(() => {}) : Promise.resolve({ token: `t${calls}`, refreshAt: 1 })),
    });
    void cache.get();
    expect(await cache.get()).toEqual({ token: 't2' });
    expect(calls).toBe(2);
  });
});
