import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, cookieFrom, postJson, signUpUser, uniqueEmail } from './helpers';

type Row = Record<string, unknown>;
const userCount = async () => ((await env.DB.prepare('SELECT count(*) AS n FROM users').first()) as { n: number }).n;
const me = (cookie: string) => call('/api/v1/me', { headers: { cookie } });

describe('signup', () => {
  it('creates the user, a hashed password, a referral code and a session cookie', async () => {
    const email = uniqueEmail('Amina');
    const response = await postJson('/api/v1/auth/signup', { email: email.toUpperCase(), password: 'correct-horse-1', name: ' Amina Yusuf ', phone: '0712 345 678' });
    expect(response.status).toBe(201);
    const { data } = (await response.json()) as { data: { user: Row } };
    expect(data.user).toEqual({ id: expect.stringMatching(/^usr_/), email: email.toLowerCase(), name: 'Amina Yusuf', phone: '0712345678', referralCode: expect.stringMatching(/^[A-Z2-9]{7}$/) });

    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http in local dev and tests

    const row = (await env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(data.user.id).first()) as Row;
    expect(row.password_hash).toMatch(/^pbkdf2-sha256\$10000\$[\w-]{22}\$[\w-]{43}$/);
    expect(String(row.password_hash)).not.toContain('correct-horse-1');
    const sessions = await env.DB.prepare('SELECT id_hash FROM sessions WHERE user_id = ?').bind(data.user.id).all();
    expect(sessions.results).toHaveLength(1);
    expect(sessions.results[0]!.id_hash).not.toBe(cookieFrom(response).split('=')[1]);

    const whoami = await me(cookieFrom(response));
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { data: { user: Row } }).data.user.id).toBe(data.user.id);
  });

  it('refuses a duplicate email in another case with 409 and writes nothing', async () => {
    const { user } = await signUpUser();
    const before = await userCount();
    const response = await postJson('/api/v1/auth/signup', { email: user.email.toUpperCase(), password: 'another-pass-1', name: 'Copy' });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: Row }).error.code).toBe('CONFLICT');
    expect(await userCount()).toBe(before);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['missing email', { password: 'correct-horse-1', name: 'A' }, 'email'],
    ['malformed email', { email: 'not-an-email', password: 'correct-horse-1', name: 'A' }, 'email'],
    ['short password', { email: 'short@example.com', password: 'short', name: 'A' }, 'password'],
    ['missing name', { email: 'noname@example.com', password: 'correct-horse-1' }, 'name'],
    ['blank name', { email: 'blank@example.com', password: 'correct-horse-1', name: '   ' }, 'name'],
    ['bad phone', { email: 'phone@example.com', password: 'correct-horse-1', name: 'A', phone: 'call me' }, 'phone'],
    ['unknown referral code', { email: 'ref@example.com', password: 'correct-horse-1', name: 'A', referralCode: 'NOPE123' }, 'referralCode'],
  ];
  it.each(invalid)('rejects %s with VALIDATION_FAILED details and writes nothing', async (_, body, field) => {
    const before = await userCount();
    const response = await postJson('/api/v1/auth/signup', body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; details: Record<string, string[]>; requestId: string } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details[field]?.length).toBeGreaterThan(0);
    expect(error.requestId).toBe(response.headers.get('x-request-id'));
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await userCount()).toBe(before);
  });

  it('records who referred the new user', async () => {
    const referrer = await signUpUser();
    const referee = await signUpUser({ referralCode: referrer.user.referralCode.toLowerCase() });
    const row = (await env.DB.prepare('SELECT referred_by FROM users WHERE id = ?').bind(referee.user.id).first()) as Row;
    expect(row.referred_by).toBe(referrer.user.id);
  });

  it('accepts only JSON bodies on the API', async () => {
    const before = await userCount();
    const response = await call('/api/v1/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=form%40example.com&password=correct-horse-1&name=Form',
    });
    expect(response.status).toBe(415);
    expect(await userCount()).toBe(before);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await call('/api/v1/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: Row }).error.code).toBe('VALIDATION_FAILED');
  });
});

describe('login and logout', () => {
  it('logs in with the right password, case-insensitive email', async () => {
    const { user, password } = await signUpUser();
    const response = await postJson('/api/v1/auth/login', { email: user.email.toUpperCase(), password }, { 'cf-connecting-ip': '10.1.0.1' });
    expect(response.status).toBe(200);
    expect((await me(cookieFrom(response))).status).toBe(200);
  });

  it('refuses a wrong password with 401 and no cookie', async () => {
    const { user } = await signUpUser();
    const response = await postJson('/api/v1/auth/login', { email: user.email, password: 'wrong-password-9' }, { 'cf-connecting-ip': '10.1.0.2' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: Row }).error.code).toBe('UNAUTHENTICATED');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('logout kills the session server-side, so the old cookie stops working', async () => {
    const { user, cookie } = await signUpUser();
    expect((await me(cookie)).status).toBe(200);
    const out = await call('/api/v1/auth/logout', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect((await me(cookie)).status).toBe(401);
    const left = await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').bind(user.id).first();
    expect(left).toEqual({ n: 0 });
  });

  it('answers /me without a session with 401 UNAUTHENTICATED', async () => {
    const response = await call('/api/v1/me');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: Row }).error.code).toBe('UNAUTHENTICATED');
  });

  it('rejects expired sessions and slides sessions past half their life', async () => {
    const { user, cookie } = await signUpUser();
    const soon = Date.now() + 60_000; // less than half of the 72 h TTL left
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?').bind(soon, user.id).run();
    const renewed = await me(cookie);
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('set-cookie')).toContain(cookie);
    const row = (await env.DB.prepare('SELECT expires_at FROM sessions WHERE user_id = ?').bind(user.id).first()) as { expires_at: number };
    expect(row.expires_at).toBeGreaterThan(Date.now() + 71 * 3600_000);

    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?').bind(Date.now() - 1, user.id).run();
    expect((await me(cookie)).status).toBe(401);
  });

  it('refuses an unknown API key', async () => {
    const response = await call('/api/v1/me', { headers: { authorization: 'Bearer not-a-key' } });
    expect(response.status).toBe(401);
  });
});

describe('login rate limit', () => {
  it('locks an email after 10 failures, even for the right password, with Retry-After', async () => {
    const { user, password } = await signUpUser();
    for (let i = 0; i < 10; i++) {
      const response = await postJson('/api/v1/auth/login', { email: user.email, password: `wrong-${i}-password` }, { 'cf-connecting-ip': `10.2.0.${i}` });
      expect(response.status).toBe(401);
    }
    const locked = await postJson('/api/v1/auth/login', { email: user.email, password }, { 'cf-connecting-ip': '10.2.1.1' });
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: Row }).error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('locks a client IP that tries many emails', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 10; i++) {
      await postJson('/api/v1/auth/login', { email: uniqueEmail('spray'), password: 'guess-guess-1' }, { 'cf-connecting-ip': ip });
    }
    const { user, password } = await signUpUser();
    const fromSameIp = await postJson('/api/v1/auth/login', { email: user.email, password }, { 'cf-connecting-ip': ip });
    expect(fromSameIp.status).toBe(429);
    const fromOtherIp = await postJson('/api/v1/auth/login', { email: user.email, password }, { 'cf-connecting-ip': '10.3.0.2' });
    expect(fromOtherIp.status).toBe(200);
  });
});

describe('password change', () => {
  it('needs the current password, then ends every other session', async () => {
    const { user, cookie, password } = await signUpUser();
    const other = await postJson('/api/v1/auth/login', { email: user.email, password }, { 'cf-connecting-ip': '10.4.0.1' });
    const otherCookie = cookieFrom(other);

    const wrong = await postJson('/api/v1/me/password', { currentPassword: 'not-it-at-all', newPassword: 'brand-new-pass-1' }, { cookie });
    expect(wrong.status).toBe(400);
    expect((await me(otherCookie)).status).toBe(200);

    const changed = await postJson('/api/v1/me/password', { currentPassword: password, newPassword: 'brand-new-pass-1' }, { cookie });
    expect(changed.status).toBe(204);
    expect((await me(otherCookie)).status).toBe(401);
    expect((await me(cookie)).status).toBe(401);
    expect((await me(cookieFrom(changed))).status).toBe(200);

    const oldLogin = await postJson('/api/v1/auth/login', { email: user.email, password }, { 'cf-connecting-ip': '10.4.0.2' });
    expect(oldLogin.status).toBe(401);
    const newLogin = await postJson('/api/v1/auth/login', { email: user.email, password: 'brand-new-pass-1' }, { 'cf-connecting-ip': '10.4.0.2' });
    expect(newLogin.status).toBe(200);
  });
});

describe('session lifetime', () => {
  it('ends a session 30 days after login however active it was', async () => {
    const { user, cookie } = await signUpUser();
    await env.DB.prepare('UPDATE sessions SET created_at = ? WHERE user_id = ?').bind(Date.now() - 31 * 24 * 3600_000, user.id).run();
    expect((await me(cookie)).status).toBe(401);
    const left = await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').bind(user.id).first();
    expect(left).toEqual({ n: 0 });
  });
});
