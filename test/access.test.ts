import { env, exports } from 'cloudflare:workers';
import { Hono } from 'hono';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importX509, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import * as nodeCrypto from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getConfig } from '../src/config';
import { database } from '../src/db/client';
import { staff } from '../src/db/schema';
import type { AppEnv } from '../src/env';
import { ACCESS_HEADER, type AccessKeys, createAccessKeys, requireStaff } from '../src/middleware/access';
import { handleError } from '../src/middleware/errors';
import { requestContext } from '../src/middleware/request-context';
import type { Fetch } from '../src/providers/http';
import { accessSigningKey } from '../src/sim/access-keys';
import { call, cookieFrom, ORIGIN, postForm, postJson } from './helpers';

const config = getConfig(env);
const TEAM = config.ACCESS_TEAM_DOMAIN;
const CERTS_PATH = `${new URL(TEAM).pathname}/cdn-cgi/access/certs`;

const STAFF = {
  admin: { id: 'stf_access_admin', email: 'access-admin@malipo.test', name: 'Amina Admin', role: 'admin' as const },
  operator: { id: 'stf_access_operator', email: 'access-operator@malipo.test', name: 'Otieno Operator', role: 'operator' as const },
  viewer: { id: 'stf_access_viewer', email: 'access-viewer@malipo.test', name: 'Vera Viewer', role: 'viewer' as const },
  inactive: { id: 'stf_access_gone', email: 'access-gone@malipo.test', name: 'Gone Admin', role: 'admin' as const },
};

/** The middleware logs why it refused a token (the client is only told "sign in again"). */
const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
beforeEach(() => warnings.mockClear());
function refusalReasons(): string[] {
  return warnings.mock.calls
    .map(([line]) => JSON.parse(String(line)) as { message: string; reason?: string })
    .filter((entry) => entry.message === 'Access token refused')
    .map((entry) => entry.reason ?? '');
}

beforeAll(async () => {
  await database(env.DB)
    .insert(staff)
    .values(Object.values(STAFF).map((member) => ({ ...member, active: member !== STAFF.inactive })));
});

/** The real middleware on a throwaway console, one route per role; the key set counts its JWKS fetches. */
function staffConsole(options: { cooldownMs?: number; fetch?: Fetch } = {}) {
  const fetched: string[] = [];
  const keys: AccessKeys = createAccessKeys({
    cooldownMs: options.cooldownMs,
    fetch: () => async (input, init) => {
      const request = new Request(input, init);
      fetched.push(request.url);
      return options.fetch ? options.fetch(request) : exports.default.fetch(request);
    },
  });
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.use(requestContext);
  app.get('/admin', requireStaff(undefined, keys), (c) => c.json({ staff: c.var.staff }));
  app.get('/admin/operations', requireStaff('operator', keys), (c) => c.json({ staff: c.var.staff }));
  app.get('/admin/staff', requireStaff('admin', keys), (c) => c.json({ staff: c.var.staff }));
  const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers: { accept: 'application/json', ...headers } }, env);
  const withToken = (token: string, path = '/admin') => get(path, { [ACCESS_HEADER]: token });
  return { get, withToken, fetched };
}

async function simulatorToken(email: string): Promise<string> {
  const response = await postJson('/__sim/access/token', { email });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function claims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { email: STAFF.admin.email, type: 'app', aud: [config.ACCESS_AUD], iss: TEAM, sub: crypto.randomUUID(), iat: now, nbf: now, exp: now + 600, ...overrides };
}

/** A token with chosen claims, signed with the simulator's own key (so only the claims can be wrong). */
async function simulatorSigned(overrides: JWTPayload = {}, header: { kid?: string } = {}) {
  const { kid, privateKey } = await accessSigningKey(database(env.DB));
  return new SignJWT(claims(overrides)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, ...header }).sign(privateKey);
}

/** A forgery: signed with a key pair made here, never published. */
async function forged(alg: 'RS256' | 'ES256', kid: string, overrides: JWTPayload = {}) {
  const { privateKey } = await generateKeyPair(alg);
  return new SignJWT(claims(overrides)).setProtectedHeader({ alg, typ: 'JWT', kid }).sign(privateKey);
}

async function errorCode(response: Response) {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('requireStaff: Cloudflare Access token checks (providers.md §4.4)', () => {
  it('lets an active admin through with a simulator token and puts the staff member on the context', async () => {
    const app = staffConsole();
    const token = await simulatorToken(STAFF.admin.email);
    for (const path of ['/admin', '/admin/operations', '/admin/staff']) {
      const response = await app.withToken(token, path);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ staff: { id: STAFF.admin.id, email: STAFF.admin.email, name: STAFF.admin.name, role: 'admin' } });
    }
    expect(app.fetched).toEqual([`${TEAM}/cdn-cgi/access/certs`]);
  });

  it('answers 401 without a token: JSON for fetch clients, the error page for browsers', async () => {
    const app = staffConsole();
    const json = await app.get('/admin');
    expect(json.status).toBe(401);
    expect(await errorCode(json)).toBe('UNAUTHENTICATED');
    const page = await app.get('/admin', { accept: 'text/html', [ACCESS_HEADER]: '' });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(app.fetched).toHaveLength(0);
  });

  it('refuses a token signed by another key under the simulator kid (403), without refetching', async () => {
    const app = staffConsole({ cooldownMs: 0 });
    const { kid } = await accessSigningKey(database(env.DB));
    const response = await app.withToken(await forged('RS256', kid));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('FORBIDDEN');
    expect(refusalReasons()).toEqual(['ERR_JWS_SIGNATURE_VERIFICATION_FAILED']);
    expect(app.fetched).toHaveLength(1);
  });

  it.each([
    ['a wrong aud', { aud: ['someone-elses-aud'] }, 'aud check_failed'],
    ['aud missing', { aud: undefined }, 'aud missing'],
    ['a wrong iss', { iss: 'https://evil.cloudflareaccess.com' }, 'iss check_failed'],
    ['iss with a trailing slash (must match exactly)', { iss: `${TEAM}/` }, 'iss check_failed'],
    ['an expired token', { iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_600 }, 'exp check_failed'],
    ['nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 3600 }, 'nbf check_failed'],
    ['no exp', { exp: undefined }, 'exp missing'],
    ['type "org" (global session)', { type: 'org' }, 'type org'],
    ['no type', { type: undefined }, 'type undefined'],
    ['a service token (common_name, no email)', { email: undefined, sub: '', common_name: 'abc.access' }, 'no email'],
  ])('refuses %s with 403', async (_, overrides, reason) => {
    const response = await staffConsole().withToken(await simulatorSigned(overrides));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('FORBIDDEN');
    expect(refusalReasons()).toEqual([reason]);
  });

  it('accepts aud as a list that contains our AUD tag among others', async () => {
    const response = await staffConsole().withToken(await simulatorSigned({ aud: ['another-app', config.ACCESS_AUD] }));
    expect(response.status).toBe(200);
  });

  it('refuses a token without a kid (403)', async () => {
    const { privateKey } = await accessSigningKey(database(env.DB));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(privateKey);
    expect((await staffConsole().withToken(token)).status).toBe(403);
    expect(refusalReasons()).toEqual(['no kid']);
  });

  it('refuses alg HS256, none and ES256 before fetching any key (403)', async () => {
    const app = staffConsole();
    const { kid } = await accessSigningKey(database(env.DB));
    const hs256 = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid }).sign(crypto.getRandomValues(new Uint8Array(32)));
    const none = new UnsecuredJWT(claims()).encode();
    const es256 = await forged('ES256', kid);
    for (const token of [hs256, none, es256]) {
      expect(decodeProtectedHeader(token).alg).not.toBe('RS256');
      const response = await app.withToken(token);
      expect(response.status).toBe(403);
    }
    expect(refusalReasons()).toEqual(Array(3).fill('ERR_JOSE_ALG_NOT_ALLOWED'));
    expect(app.fetched).toHaveLength(0);
  });

  it('refetches the JWKS exactly once for an unknown kid, then refuses (403)', async () => {
    const app = staffConsole({ cooldownMs: 0 });
    expect((await app.withToken(await simulatorToken(STAFF.admin.email))).status).toBe(200);
    expect(app.fetched).toHaveLength(1);
    const response = await app.withToken(await forged('RS256', 'no-such-kid'));
    expect(response.status).toBe(403);
    expect(refusalReasons()).toEqual(['ERR_JWKS_NO_MATCHING_KEY']);
    expect(app.fetched).toHaveLength(2);
  });

  it('refetches for an unknown kid at most once per cooldown', async () => {
    const app = staffConsole({ cooldownMs: 60_000 });
    expect((await app.withToken(await simulatorToken(STAFF.admin.email))).status).toBe(200);
    for (const kid of ['unknown-1', 'unknown-2']) expect((await app.withToken(await forged('RS256', kid))).status).toBe(403);
    expect(refusalReasons()).toEqual(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_NO_MATCHING_KEY']);
    expect(app.fetched).toHaveLength(1);
  });

  it('caches the JWKS: two requests, one fetch', async () => {
    const app = staffConsole();
    const token = await simulatorToken(STAFF.viewer.email);
    expect((await app.withToken(token)).status).toBe(200);
    expect((await app.withToken(token)).status).toBe(200);
    expect(app.fetched).toHaveLength(1);
  });

  it('answers 503 when the JWKS cannot be fetched, and does not cache the failure', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let up = false;
    const app = staffConsole({ fetch: (request) => (up ? exports.default.fetch(request) : Promise.resolve(new Response('down', { status: 502 }))) });
    const token = await simulatorToken(STAFF.admin.email);
    const down = await app.withToken(token);
    expect(down.status).toBe(503);
    expect(await errorCode(down)).toBe('PROVIDER_UNAVAILABLE');
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toContain('Access keys unavailable');
    errors.mockRestore();
    up = true;
    expect((await app.withToken(token)).status).toBe(200);
  });
});

describe('requireStaff: who may use the console', () => {
  it.each([
    ['an email that is not staff', 'stranger@example.com', '/admin'],
    ['an inactive staff member', STAFF.inactive.email, '/admin'],
    ['a viewer on an operator route', STAFF.viewer.email, '/admin/operations'],
    ['a viewer on an admin route', STAFF.viewer.email, '/admin/staff'],
    ['an operator on an admin route', STAFF.operator.email, '/admin/staff'],
  ])('refuses %s with 403', async (_, email, path) => {
    const response = await staffConsole().withToken(await simulatorToken(email), path);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('FORBIDDEN');
  });

  it('lets a higher role use a lower role’s routes, and matches the email case-insensitively', async () => {
    const app = staffConsole();
    expect((await app.withToken(await simulatorToken(STAFF.operator.email), '/admin')).status).toBe(200);
    expect((await app.withToken(await simulatorToken(STAFF.operator.email), '/admin/operations')).status).toBe(200);
    const shouted = await app.withToken(await simulatorToken(STAFF.viewer.email.toUpperCase()));
    expect(shouted.status).toBe(200);
    expect(((await shouted.json()) as { staff: { id: string } }).staff.id).toBe(STAFF.viewer.id);
  });

  it('falls back to the CF_Authorization cookie, but a header that fails is not rescued by it', async () => {
    const app = staffConsole();
    const token = await simulatorToken(STAFF.admin.email);
    expect((await app.get('/admin', { cookie: `other=1; CF_Authorization=${token}` })).status).toBe(200);
    expect((await app.get('/admin', { cookie: `CF_Authorization=${token}`, [ACCESS_HEADER]: 'not-a-jwt' })).status).toBe(403);
    expect(refusalReasons()).toEqual(['ERR_JWS_INVALID']);
  });

  it('by default fetches the JWKS through providerFetch, which reaches the simulator in-process', async () => {
    const team = `${ORIGIN}/__sim/access`;
    const local = { ...env, ACCESS_TEAM_DOMAIN: team };
    const app = new Hono<AppEnv>();
    app.onError(handleError);
    app.use(requestContext);
    app.get('/admin', requireStaff('admin'), (c) => c.json({ staff: c.var.staff }));
    const token = await simulatorSigned({ iss: team });
    const response = await app.request('/admin', { headers: { [ACCESS_HEADER]: token } }, local);
    expect(response.status).toBe(200);
  });
});

describe('Access simulator (design.md §6)', () => {
  it('serves the JWKS in the Access shape, the same on every call, with a matching self-signed certificate', async () => {
    const first = await call(CERTS_PATH);
    expect(first.status).toBe(200);
    const jwks = (await first.json()) as { keys: Record<string, string>[]; public_cert: { kid: string; cert: string }; public_certs: { kid: string; cert: string }[] };
    expect(await (await call(CERTS_PATH)).json()).toEqual(jwks);
    const [key] = jwks.keys;
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(jwks.public_cert.kid).toBe(key!.kid);
    expect(jwks.public_certs.map((cert) => cert.kid)).toEqual(jwks.keys.map((k) => k.kid));

    const pem = jwks.public_cert.cert;
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
    const fromCert = await exportJWK(await importX509(pem, 'RS256', { extractable: true }));
    expect({ n: fromCert.n, e: fromCert.e }).toEqual({ n: key!.n, e: key!.e });
    const { X509Certificate } = nodeCrypto as unknown as { X509Certificate: new (pem: string) => { subject: string; publicKey: unknown; verify(key: unknown): boolean } };
    const certificate = new X509Certificate(pem);
    expect(certificate.subject).toBe('CN=malipo-access-simulator');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
  });

  it('mints application tokens with the claims Access sets (providers.md §4.3)', async () => {
    const token = await simulatorToken('wanjiku@example.com');
    const header = decodeProtectedHeader(token);
    const jwks = (await (await call(CERTS_PATH)).json()) as { keys: { kid: string }[] };
    expect(header).toEqual({ alg: 'RS256', kid: jwks.keys[0]!.kid, typ: 'JWT' });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ email: 'wanjiku@example.com', type: 'app', aud: [config.ACCESS_AUD], iss: TEAM, country: 'KE' });
    expect(payload.exp! - payload.iat!).toBe(24 * 3600);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(payload.sub).toBe(decodeJwt(await simulatorToken('wanjiku@example.com')).sub);
    expect(payload.identity_nonce).toEqual(expect.any(String));
    expect((await postJson('/__sim/access/token', { email: 'not-an-email' })).status).toBe(400);
  });

  it('rotates keys like Access: the new kid is found by one refetch, the previous key still verifies', async () => {
    const app = staffConsole({ cooldownMs: 0 });
    const before = await simulatorToken(STAFF.admin.email);
    expect((await app.withToken(before)).status).toBe(200);
    const rotated = (await (await call('/__sim/access/rotate', { method: 'POST' })).json()) as { kid: string };
    const after = await simulatorToken(STAFF.admin.email);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    expect((await app.withToken(after)).status).toBe(200);
    expect((await app.withToken(before)).status).toBe(200);
    expect(app.fetched).toHaveLength(2);
    const jwks = (await (await call(CERTS_PATH)).json()) as { keys: { kid: string }[]; public_cert: { kid: string } };
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.kid, decodeProtectedHeader(before).kid]);
    expect(jwks.public_cert.kid).toBe(rotated.kid);
  });

  it('shows a sign-in page with a labelled email field and nothing inline, under the strict CSP', async () => {
    const response = await call('/__sim/access/login?redirect=/admin/deposits%3Fstatus%3Dpending');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('<label for="field-email">Email</label>');
    expect(html).toContain('id="field-email"');
    expect(html).toContain('action="/__sim/access/login"');
    expect(html).toContain('name="redirect" value="/admin/deposits?status=pending"');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('signs in through the page: sets the CF_Authorization cookie and returns to the console path', async () => {
    const response = await postForm('/__sim/access/login', { email: STAFF.operator.email, redirect: '/admin/operations?page=2' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/operations?page=2');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^CF_Authorization=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=86400/);
    const page = await staffConsole().get('/admin/operations', { cookie: cookieFrom(response) });
    expect(page.status).toBe(200);
  });

  it.each(['//evil.example/admin', 'https://evil.example/admin', '/\\evil.example', 'admin', ''])(
    'only redirects to paths on this site (%s → /admin)',
    async (redirect) => {
      const response = await postForm('/__sim/access/login', { email: STAFF.admin.email, redirect });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/admin');
    },
  );

  it('re-renders the page with the message for a bad email (422), and refuses a cross-site post', async () => {
    const invalid = await postForm('/__sim/access/login', { email: 'nope', redirect: '/admin' });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('set-cookie')).toBeNull();
    const html = await invalid.text();
    expect(html).toContain('Enter a valid email address');
    expect(html).toContain('aria-invalid="true"');
    const crossSite = await postForm('/__sim/access/login', { email: STAFF.admin.email }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
  });
});
