/** A bearer token, or why there is none. */
export type TokenOutcome = { token: string } | { failure: string };

/** What one refresh produced: a token and when to stop using it (epoch ms), or why there is none. */
export type TokenRefresh = { token: string; refreshAt: number } | { failure: string };

export interface TokenCacheOptions {
  /** Which token: clients built with the same key share it. */
  key: string;
  /** Clock in epoch milliseconds. */
  now: () => number;
  /** Fetches a new token; the client works out `refreshAt` (its own margin rule). Should not throw. */
  refresh: () => Promise<TokenRefresh>;
  /** How long a caller waits on a refresh another request started before starting its own. */
  waitMs: number;
}

export interface TokenCache {
  /** The cached token, or one refresh shared by every concurrent caller. */
  get(): Promise<TokenOutcome>;
  /** Forgets `token` (the provider refused it), unless it has already been replaced. */
  drop(token: string): void;
}

/**
 * One provider's tokens for this isolate: call once at module level, then `cache(...)` per client, so
 * every client built with the same key shares one token and one in-flight refresh.
 */
export function tokenCaches(): { cache(options: TokenCacheOptions): TokenCache } {
  const tokens = new Map<string, { token: string; refreshAt: number }>();
  const refreshes = new Map<string, Promise<TokenOutcome>>();

  return {
    cache({ key, now, refresh, waitMs }) {
      async function start(): Promise<TokenOutcome> {
        const outcome = await refresh();
        if ('failure' in outcome) return { failure: outcome.failure };
        tokens.set(key, { token: outcome.token, refreshAt: outcome.refreshAt });
        return { token: outcome.token };
      }

      return {
        async get() {
          const cached = tokens.get(key);
          if (cached && now() < cached.refreshAt) return { token: cached.token };
          const inFlight = refreshes.get(key);
          if (inFlight) {
            // Workers cancel a request's I/O when it ends, so a refresh started by another request may never settle.
            const shared = await settledWithin(inFlight, waitMs);
            if (shared) return shared;
          }
          const pending: Promise<TokenOutcome> = start().finally(() => {
            if (refreshes.get(key) === pending) refreshes.delete(key);
          });
          refreshes.set(key, pending);
          return pending;
        },

        drop(token) {
          if (tokens.get(key)?.token === token) tokens.delete(key);
        },
      };
    },
  };
}

/** The promise's value, or null if it has not settled within `ms`. */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer = 0;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(resolve, ms, null);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
