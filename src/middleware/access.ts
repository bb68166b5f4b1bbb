import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { type Config, getConfig } from '../config';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import { type Fetch, providerFetch } from '../providers/http';
import { findActiveStaff, hasRole, type StaffRole } from '../services/staff';

/** What Access puts on every request it lets through, and the browser cookie it also sets. @see providers.md §4.1 */
export const ACCESS_HEADER = 'cf-access-jwt-assertion';
export const ACCESS_COOKIE = 'CF_Authorization';

/** Clock skew allowed on `exp`/`nbf`. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** jose errors that mean "we could not get the keys", not "the token is bad". */
const KEYS_UNAVAILABLE = new Set(['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);

/** The team domain without a trailing slash: the exact `iss` of its tokens. @see providers.md §4.4 */
export function accessTeamDomain(config: Config): string {
  return config.ACCESS_TEAM_DOMAIN.replace(/\/+$/, '');
}

/** Resolves the verification key for a token, from the team's JWKS as seen through `env`. */
export type AccessKeys = (env: Env) => JWTVerifyGetKey;

export interface AccessKeysOptions {
  /** How the JWKS is fetched; default `providerFetch`, which reaches the Access simulator in-process. */
  fetch?: (env: Env) => Fetch;
  /** Least time between two refetches for an unknown `kid` (jose's default: 30 s). */
  cooldownMs?: number;
}

/**
 * The team's JWKS at `<team>/cdn-cgi/access/certs`, cached per isolate (10 min) and refetched, at
 * most once per cooldown, when a token names a `kid` it does not hold (key rotation). jose's remote
 * set does the caching; the fetch is ours, because a Worker cannot fetch its own hostname and in
 * dev and tests the JWKS is served by this Worker. @see providers.md §4.2, §4.5
 */
export function createAccessKeys(options: AccessKeysOptions = {}): AccessKeys {
  const fetchFor = options.fetch ?? ((env: Env) => providerFetch(env, { timeoutMs: 5_000 }));
  const sets = new Map<string, JWTVerifyGetKey>();
  return (env) => {
    const url = `${accessTeamDomain(getConfig(env))}/cdn-cgi/access/certs`;
    let set = sets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { [customFetch]: fetchFor(env), cooldownDuration: options.cooldownMs });
      sets.set(url, set);
    }
    return set;
  };
}

const isolateAccessKeys = createAccessKeys();

/** A token that fails verification; `reason` (a failed claim or a jose error code) goes to the log only. */
export class AccessTokenRefused extends Error {
  constructor(readonly reason: string) {
    super(`Access token refused: ${reason}`);
    this.name = 'AccessTokenRefused';
  }
}

/**
 * Verifies a Cloudflare Access application token: RS256 only, a key selected by `kid`, `iss` the
 * team domain exactly, `aud` holding our AUD tag, `exp` present and `exp`/`nbf` in range, and
 * `type: "app"`. Returns the email. Throws AccessTokenRefused for a bad token; anything else thrown
 * means the JWKS could not be had. @see providers.md §4.3, §4.4
 */
export async function verifyAccessToken(token: string, config: Config, keys: JWTVerifyGetKey): Promise<string> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header, jws) => (header.kid ? keys(header, jws) : Promise.reject(new AccessTokenRefused('no kid'))), {
      algorithms: ['RS256'],
      issuer: accessTeamDomain(config),
      audience: config.ACCESS_AUD,
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
      throw new AccessTokenRefused(`${error.claim} ${error.reason}`);
    }
    if (error instanceof errors.JOSEError && !KEYS_UNAVAILABLE.has(error.code)) throw new AccessTokenRefused(error.code);
    throw error;
  }
  if (payload.type !== 'app') throw new AccessTokenRefused(`type ${String(payload.type)}`);
  // Service tokens carry `common_name` and no email: they are not staff. @see providers.md §4.3
  if (typeof payload.email !== 'string' || payload.email === '') throw new AccessTokenRefused('no email');
  return payload.email;
}

/**
 * Guards the staff console (`/admin*`): the Access token from `Cf-Access-Jwt-Assertion` (else the
 * `CF_Authorization` cookie, which Access does not always forward) must verify, and its email must
 * be an active staff member with at least `minRole`. No token → 401 (the request did not come
 * through Access); a token we refuse, an unknown or inactive email, or too low a role → 403.
 * Sets `c.var.staff`. @see providers.md §4.1, §4.4
 */
export function requireStaff(minRole: StaffRole = 'viewer', keys: AccessKeys = isolateAccessKeys) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = c.req.header(ACCESS_HEADER) || getCookie(c, ACCESS_COOKIE);
    if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in through Cloudflare Access first');
    const email = await verifyAccessToken(token, c.var.config, keys(c.env)).catch((error: unknown) => {
      if (error instanceof AccessTokenRefused) {
        log('warn', 'Access token refused', { requestId: c.var.requestId, reason: error.reason });
        throw new AppError('FORBIDDEN', 'Your Cloudflare Access sign-in is not valid here; sign in again');
      }
      log('error', 'Access keys unavailable', { requestId: c.var.requestId, error: String(error) });
      throw new AppError('PROVIDER_UNAVAILABLE', 'Cloudflare Access keys are unavailable; try again shortly');
    });
    const member = await findActiveStaff(database(c.env.DB), email);
    if (!member) {
      log('warn', 'Access sign-in is not active staff', { requestId: c.var.requestId, email });
      throw new AppError('FORBIDDEN', 'This account is not an active Malipo staff member');
    }
    if (!hasRole(member, minRole)) throw new AppError('FORBIDDEN', `This needs the ${minRole} role or higher`);
    c.set('staff', member);
    await next();
  });
}
