import { env } from 'cloudflare:workers';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config';
import { database } from '../src/db/client';
import { ACCESS_COOKIE, ACCESS_HEADER } from '../src/middleware/access';
import { accessSigningKey } from '../src/sim/access-keys';
import { accessToken, adminGet, auditRowsFor, createStaff } from './admin-helpers';
import { call, ORIGIN } from './helpers';

const config = getConfig(env);

/** A token signed with the simulator's real key, so only the chosen claims can be wrong. */
async function signed(email: string, overrides: Record<string, unknown> = {}) {
  const { kid, privateKey } = await accessSigningKey(database(env.DB));
  const now = Math.floor(Date.now() / 1000);
  const claims = { email, type: 'app', aud: [config.ACCESS_AUD], iss: config.ACCESS_TEAM_DOMAIN, sub: 'x', iat: now, nbf: now, exp: now + 600, ...overrides };
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(privateKey);
}

const get = (path: string, headers: Record<string, string> = {}) => call(path, { headers: { accept: 'text/html', ...headers } });

describe('the mounted /admin console verifies every request itself (providers.md §4)', () => {
  it('without a token: 401, and in dev a link to the Access simulator sign-in that returns here', async () => {
    const response = await get('/admin/purchases?status=pending');
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('href="/__sim/access/login?redirect=%2Fadmin%2Fpurchases"');
    const json = await call('/admin', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(401);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('lets active staff in by header or by the CF_Authorization cookie', async () => {
    const viewer = await createStaff('viewer');
    expect((await adminGet(viewer, '/admin')).status).toBe(200);
    const byCookie = await get('/admin', { cookie: `${ACCESS_COOKIE}=${viewer.token}` });
    expect(byCookie.status).toBe(200);
    const html = await byCookie.text();
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    expect(html).toContain(viewer.email);
  });

  it.each([
    ['a wrong aud', { aud: ['another-app'] }],
    ['a wrong iss', { iss: 'https://evil.cloudflareaccess.com' }],
    ['an expired token', { iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_600 }],
  ])('refuses %s with 403', async (_, overrides) => {
    const viewer = await createStaff('viewer');
    const response = await get('/admin', { [ACCESS_HEADER]: await signed(viewer.email, overrides) });
    expect(response.status).toBe(403);
  });

  it('refuses a forged signature, a non-RS256 token and an unknown email with 403', async () => {
    const viewer = await createStaff('viewer');
    const { kid } = await accessSigningKey(database(env.DB));
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ email: viewer.email, type: 'app', aud: [config.ACCESS_AUD], iss: config.ACCESS_TEAM_DOMAIN })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setExpirationTime('5m')
      .sign(privateKey);
    const hmac = await new SignJWT({ email: viewer.email, type: 'app', aud: [config.ACCESS_AUD], iss: config.ACCESS_TEAM_DOMAIN })
      .setProtectedHeader({ alg: 'HS256', kid })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess'));
    for (const token of [forged, hmac, await accessToken('stranger@malipo.test')]) {
      expect((await get('/admin', { [ACCESS_HEADER]: token })).status).toBe(403);
    }
  });

  it('keeps staff management to admins', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      expect((await adminGet(await createStaff(role), '/admin/staff')).status).toBe(403);
    }
    expect((await adminGet(await createStaff('admin'), '/admin/staff')).status).toBe(200);
    // The nav offers the section only to those who may open it.
    expect(await (await adminGet(await createStaff('operator'), '/admin')).text()).not.toContain('href="/admin/staff"');
    expect(await (await adminGet(await createStaff('admin'), '/admin')).text()).toContain('href="/admin/staff"');
  });

  it('a page staff cannot see stays inside the console, saying why, with the way back', async () => {
    const viewer = await createStaff('viewer');
    const cases: [string, number, string][] = [
      ['/admin/staff', 403, 'Not open to your role'],
      ['/admin/purchases/pur_nosuchpurchase', 404, 'Not found'],
      ['/admin/adjustments?status=bogus', 400, 'Those filters are not valid'],
      ['/admin/nowhere', 404, 'Not found'],
    ];
    for (const [path, status, title] of cases) {
      const response = await get(path, { [ACCESS_HEADER]: viewer.token });
      expect(response.status, path).toBe(status);
      const html = await response.text();
      expect(html, path).toContain(`<h1>${title}</h1>`);
      expect(html, path).toContain(viewer.email); // the console's own header, not the customer site's
    }
  });

  it('a refused htmx form keeps its POST URL out of the address bar', async () => {
    const operator = await createStaff('operator');
    expect((await call('/api/v1/catalog')).status).toBe(200); // fills the catalogue on first use
    const response = await call('/admin/catalog/mtn-data/margin', {
      method: 'POST',
      headers: { [ACCESS_HEADER]: operator.token, 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'hx-request': 'true', 'hx-boosted': 'true' },
      body: new URLSearchParams({ margin: 'abc', reason: 'typo' }).toString(),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('hx-push-url')).toBe('false');
    // Focus goes to the field that needs fixing once htmx swaps the form in.
    expect(await response.text()).toMatch(/<input[^>]*aria-invalid="true"[^>]*autofocus=""/);
  });

  it('refuses a console form posted from another site (CSRF), even with a valid Access token', async () => {
    const admin = await createStaff('admin');
    const response = await call('/admin/staff', {
      method: 'POST',
      headers: { [ACCESS_HEADER]: admin.token, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ email: 'mallory@evil.example', name: 'Mallory', role: 'admin', reason: 'takeover' }).toString(),
    });
    expect(response.status).toBe(403);
    expect(await database(env.DB).query.staff.findFirst({ where: (s, { eq }) => eq(s.email, 'mallory@evil.example') })).toBeUndefined();
    expect(await auditRowsFor('staff', 'mallory@evil.example')).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'staff.add' AND staff_id = ?").bind(admin.id).first())!.n).toBe(0);
  });
});

describe('CSV export of every console list', () => {
  const sections = ['customers', 'deposits', 'purchases', 'ledger', 'events', 'anomalies', 'anomalies/dead-letters', 'adjustments', 'catalog', 'reconciliation', 'audit'];

  it('serves each list as a CSV download to any staff role, and staff only to admins', async () => {
    const viewer = await createStaff('viewer');
    for (const section of sections) {
      const response = await adminGet(viewer, `/admin/${section}.csv`);
      expect(response.status, section).toBe(200);
      expect(response.headers.get('content-type'), section).toContain('text/csv');
      expect(response.headers.get('content-disposition'), section).toMatch(/^attachment; filename="malipo-[a-z0-9._-]+\.csv"$/);
      expect((await response.text()).split('\r\n')[0], section).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
    }
    // The staff export's admin check is its own: it must not narrow the exports mounted beside it.
    expect((await adminGet(viewer, '/admin/staff.csv')).status).toBe(403);
    expect((await adminGet(await createStaff('admin'), '/admin/staff.csv')).status).toBe(200);
  });
});
