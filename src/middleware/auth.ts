import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { resolveApiKey, resolveSession } from '../services/sessions';

export function sessionCookieName(c: Context<AppEnv>) {
  // `__Host-` binds the cookie to this exact origin; browsers only accept it with Secure.
  return c.var.config.secureCookies ? '__Host-malipo_session' : 'malipo_session';
}

export function sessionTtlMs(c: Context<AppEnv>) {
  return c.var.config.SESSION_TTL_HOURS * 3600_000;
}

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: number) {
  setCookie(c, sessionCookieName(c), token, {
    httpOnly: true,
    secure: c.var.config.secureCookies,
    sameSite: 'Lax',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>) {
  deleteCookie(c, sessionCookieName(c), { path: '/', secure: c.var.config.secureCookies });
}

export function sessionToken(c: Context<AppEnv>) {
  return getCookie(c, sessionCookieName(c));
}

/** Loads the user from an API key (`Authorization: Bearer`) or the session cookie, if either is valid. */
export const loadUser = createMiddleware<AppEnv>(async (c, next) => {
  const db = database(c.env.DB);
  const authorization = c.req.header('authorization');
  if (authorization?.startsWith('Bearer ')) {
    const user = await resolveApiKey(db, authorization.slice(7).trim());
    if (!user) throw new AppError('UNAUTHENTICATED', 'That API key is not valid');
    c.set('user', user);
    c.set('authMethod', 'api-key');
  } else {
    const token = sessionToken(c);
    if (token) {
      const session = await resolveSession(db, token, sessionTtlMs(c));
      if (session) {
        c.set('user', session.user);
        c.set('authMethod', 'session');
        if (session.renewedUntil) setSessionCookie(c, token, session.renewedUntil);
      } else {
        clearSessionCookie(c);
      }
    }
  }
  await next();
});

/** For API routes: 401 without a user, 403 for a suspended one. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.var.user;
  if (!user) throw new AppError('UNAUTHENTICATED', 'Log in first');
  if (user.status !== 'active') throw new AppError('FORBIDDEN', 'This account is suspended');
  await next();
});

/** For pages: a visitor without a session goes to the login page and comes back afterwards. */
export const requireUserPage = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.user || c.var.user.status !== 'active') {
    if (c.req.header('hx-request')) {
      // An htmx request fetches a fragment: after logging in, return to the page it came from.
      const page = URL.parse(c.req.header('hx-current-url') ?? '')?.pathname ?? c.req.path;
      c.header('hx-redirect', `/login?next=${encodeURIComponent(page)}`);
      return c.body(null, 401);
    }
    return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
  }
  await next();
});

/** Client IP as Cloudflare sees it; rate limits key on it. */
export function clientIp(c: Context<AppEnv>) {
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}
