import { Hono, type Context } from 'hono';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { clearSessionCookie, clientIp, requireUser, sessionToken, sessionTtlMs, setSessionCookie } from '../middleware/auth';
import { formBody, jsonBody } from '../middleware/validate';
import { changePassword, changePasswordInput, logIn, loginInput, signUp, signupInput } from '../services/accounts';
import { queueReservedAccount } from '../services/monnify-accounts';
import { createSession, destroySession, destroyUserSessions, type SessionUser } from '../services/sessions';
import { LoginForm, LoginPage, SignupForm, SignupPage } from '../views/pages/auth';

/** Public shape of a user in the API (design.md §5). */
export function publicUser(user: SessionUser) {
  return { id: user.id, email: user.email, name: user.name, phone: user.phone, referralCode: user.referralCode };
}

async function startSession(c: Context<AppEnv>, user: SessionUser) {
  const session = await createSession(database(c.env.DB), user.id, sessionTtlMs(c), {
    ip: clientIp(c),
    userAgent: c.req.header('user-agent'),
  });
  setSessionCookie(c, session.token, session.expiresAt);
  c.set('user', user);
}

async function endSession(c: Context<AppEnv>) {
  const token = sessionToken(c);
  if (token) await destroySession(database(c.env.DB), token);
  clearSessionCookie(c);
}

function loginLimits(c: Context<AppEnv>) {
  return { maxFailures: c.var.config.LOGIN_MAX_FAILURES, windowMinutes: c.var.config.LOGIN_WINDOW_MINUTES };
}

/** Only same-site paths, so `next` cannot send someone to another origin. */
function safeNext(next: string | undefined) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/dashboard';
}

function redirectAfterForm(c: Context<AppEnv>, to: string) {
  if (c.req.header('hx-request')) {
    c.header('hx-redirect', to);
    return c.body(null, 200);
  }
  return c.redirect(to, 303);
}

export const authApi = new Hono<AppEnv>()
  .post('/signup', async (c) => {
    const input = await jsonBody(c, signupInput);
    const user = await signUp(database(c.env.DB), input, c.var.config.PASSWORD_ITERATIONS);
    await queueReservedAccount(c.env, user.id);
    await startSession(c, user);
    return c.json({ data: { user: publicUser(user) } }, 201);
  })
  .post('/login', async (c) => {
    const input = await jsonBody(c, loginInput);
    const user = await logIn(database(c.env.DB), input, clientIp(c), loginLimits(c), c.var.config.PASSWORD_ITERATIONS);
    await startSession(c, user);
    return c.json({ data: { user: publicUser(user) } });
  })
  .post('/logout', async (c) => {
    await endSession(c);
    return c.body(null, 204);
  });

export const meApi = new Hono<AppEnv>()
  .get('/', requireUser, (c) => c.json({ data: { user: publicUser(c.var.user!) } }))
  .post('/password', requireUser, async (c) => {
    const input = await jsonBody(c, changePasswordInput);
    const db = database(c.env.DB);
    const user = c.var.user!;
    await changePassword(db, user.id, input.currentPassword, input.newPassword, c.var.config.PASSWORD_ITERATIONS);
    // Every other device is signed out; this one gets a fresh session.
    await destroyUserSessions(db, user.id);
    await startSession(c, user);
    return c.body(null, 204);
  });

export const authPages = new Hono<AppEnv>()
  .get('/signup', (c) => (c.var.user ? c.redirect('/dashboard', 303) : c.html(<SignupPage values={{ referralCode: c.req.query('ref') ?? '' }} />)))
  .post('/signup', async (c) => {
    const form = await formBody(c, signupInput);
    const render = (errors: Record<string, string[]>, message?: string) => {
      const props = { values: form.raw, errors, message };
      return c.html(c.req.header('hx-request') ? <SignupForm {...props} /> : <SignupPage {...props} />, 422);
    };
    if (!form.ok) return render(form.errors, 'Please fix the fields marked below.');
    try {
      const user = await signUp(database(c.env.DB), form.data, c.var.config.PASSWORD_ITERATIONS);
      await queueReservedAccount(c.env, user.id);
      await startSession(c, user);
    } catch (error) {
      if (error instanceof AppError && error.details) return render(error.details, error.message);
      throw error;
    }
    return redirectAfterForm(c, '/dashboard');
  })
  .get('/login', (c) => (c.var.user ? c.redirect('/dashboard', 303) : c.html(<LoginPage next={c.req.query('next')} />)))
  .post('/login', async (c) => {
    const form = await formBody(c, loginInput);
    const next = form.raw.next;
    const render = (status: 401 | 403 | 422 | 429, errors: Record<string, string[]>, message?: string) => {
      const props = { values: { email: form.raw.email ?? '' }, errors, message, next };
      return c.html(c.req.header('hx-request') ? <LoginForm {...props} /> : <LoginPage {...props} />, c.req.header('hx-request') ? 422 : status);
    };
    if (!form.ok) return render(422, form.errors, 'Please fix the fields marked below.');
    try {
      const user = await logIn(database(c.env.DB), form.data, clientIp(c), loginLimits(c), c.var.config.PASSWORD_ITERATIONS);
      await startSession(c, user);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
      return render(error.status as 401 | 403 | 429, {}, error.message);
    }
    return redirectAfterForm(c, safeNext(next));
  })
  .post('/logout', async (c) => {
    await endSession(c);
    return redirectAfterForm(c, '/');
  });
