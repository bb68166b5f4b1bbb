import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, cookieFrom, ORIGIN, postForm, signUpUser, uniqueEmail } from './helpers';

const userCount = async () => ((await env.DB.prepare('SELECT count(*) AS n FROM users').first()) as { n: number }).n;

describe('pages', () => {
  it('serves the landing, signup and login pages with real labels', async () => {
    for (const path of ['/', '/signup', '/login']) {
      const response = await call(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      // Standards mode, not quirks: the doctype comes first.
      expect(await response.text()).toMatch(/^<!doctype html><html lang="en">/);
    }
    const signup = await (await call('/signup')).text();
    for (const field of ['name', 'email', 'phone', 'password', 'referralCode']) {
      expect(signup).toContain(`<label for="field-${field}">`);
      expect(signup).toContain(`id="field-${field}"`);
    }
    expect(signup).not.toMatch(/<script>(?!<\/script>)/); // no inline script
  });

  it('sends security headers on every page and error', async () => {
    for (const path of ['/', '/login', '/nowhere', '/api/v1/me']) {
      const response = await call(path);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(response.headers.get('strict-transport-security')).toBeNull(); // only in production
    }
  });

  it('answers unknown paths with 404 in the right shape', async () => {
    const api = await call('/api/v1/nothing-here');
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const page = await call('/nothing-here', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Page not found');
  });

  it('sends visitors without a session from the dashboard to login', async () => {
    const response = await call('/dashboard');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2Fdashboard');
  });

  it('sends an htmx request without a session to login, to come back to the page and not the fragment', async () => {
    const response = await call('/deposit/monnify/account', { headers: { 'hx-request': 'true', 'hx-current-url': `${ORIGIN}/deposit?tab=ngn` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('hx-redirect')).toBe('/login?next=%2Fdeposit');
  });

  it('signs up through the form with htmx, then shows the dashboard', async () => {
    const email = uniqueEmail('form');
    const response = await postForm('/signup', { name: 'Chinedu Okafor', email, password: 'correct-horse-1', phone: '', referralCode: '' }, { 'hx-request': 'true' });
    expect(response.status).toBe(200);
    expect(response.headers.get('hx-redirect')).toBe('/dashboard');
    const dashboard = await call('/dashboard', { headers: { cookie: cookieFrom(response) } });
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain('Hello, Chinedu Okafor');
    expect(html).toContain('Log out');
  });

  it('re-renders the form in place with messages and the input kept (422)', async () => {
    const before = await userCount();
    const response = await postForm('/signup', { name: 'Keep Me', email: 'not-an-email', password: 'short' }, { 'hx-request': 'true' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(/^<form id="signup-form"/);
    expect(html).toContain('value="Keep Me"');
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('Enter a valid email address');
    expect(html).toContain('Use at least 10 characters');
    expect(html).toContain('aria-invalid="true"');
    expect(html).not.toContain('value="short"'); // passwords are never echoed back
    expect(await userCount()).toBe(before);
  });

  it('logs in through the form and honours a same-site next', async () => {
    const { user, password } = await signUpUser();
    const response = await postForm('/login', { email: user.email, password, next: '/wallet' }, { 'cf-connecting-ip': '10.9.0.1' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/wallet');
    const offsite = await postForm('/login', { email: user.email, password, next: '//evil.example' }, { 'cf-connecting-ip': '10.9.0.1' });
    expect(offsite.headers.get('location')).toBe('/dashboard');
  });

  it('shows a wrong password on the form without a session', async () => {
    const { user } = await signUpUser();
    const response = await postForm('/login', { email: user.email, password: 'wrong-password-1' }, { 'hx-request': 'true', 'cf-connecting-ip': '10.9.0.2' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Email or password is incorrect');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses cross-site and origin-less form posts with 403 and changes nothing', async () => {
    const before = await userCount();
    const fields = new URLSearchParams({ name: 'Mallory', email: uniqueEmail('csrf'), password: 'correct-horse-1' }).toString();
    const crossSite = await call('/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: fields,
    });
    expect(crossSite.status).toBe(403);
    const noOrigin = await call('/signup', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields });
    expect(noOrigin.status).toBe(403);

    const { cookie } = await signUpUser();
    const logout = await call('/logout', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: '' });
    expect(logout.status).toBe(403);
    expect((await call('/api/v1/me', { headers: { cookie } })).status).toBe(200);
    expect(await userCount()).toBe(before + 1);
  });

  it('escapes a hostile name on the dashboard', async () => {
    const { cookie } = await signUpUser({ name: '<img src=x onerror=alert(1)>' });
    const html = await (await call('/dashboard', { headers: { cookie } })).text();
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('logs out through the form and kills the session', async () => {
    const { cookie } = await signUpUser();
    const response = await call('/logout', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, body: '' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect((await call('/dashboard', { headers: { cookie } })).status).toBe(303);
  });
});
