import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { z } from 'zod';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { ACCESS_COOKIE } from '../middleware/access';
import { formBody, jsonBody } from '../middleware/validate';
import { DEMO_STAFF } from '../services/dev-seed';
import { Field, FormAlert, SubmitButton } from '../views/components/field';
import { Base } from '../views/layouts/base';
import { ACCESS_TOKEN_TTL_SECONDS, accessCertsDocument, mintAccessToken, rotateAccessKey } from './access-keys';

const signIn = z.object({ email: z.string({ error: 'Enter an email address' }).trim().pipe(z.email({ error: 'Enter a valid email address' })) });
const DEFAULT_REDIRECT = '/admin';

/**
 * Cloudflare Access as the staff console sees it (design.md §6): the team JWKS, application tokens
 * for any email (Access authenticates; Malipo decides who is staff), and a sign-in page that sets
 * the `CF_Authorization` cookie. `ACCESS_TEAM_DOMAIN` points here in dev. @see providers.md §4
 */
export function createAccessSimulator() {
  const sim = new Hono<AppEnv>();

  sim.get('/cdn-cgi/access/certs', async (c) => c.json(await accessCertsDocument(database(c.env.DB))));

  /** Not Access: a token for `{email}`, as Access would put in `Cf-Access-Jwt-Assertion`. */
  sim.post('/token', async (c) => {
    const { email } = await jsonBody(c, signIn);
    return c.json({ token: await mintAccessToken(database(c.env.DB), c.var.config, email) });
  });

  /** Not Access: rotates the signing key now (the previous key stays published). */
  sim.post('/rotate', async (c) => c.json({ kid: await rotateAccessKey(database(c.env.DB)) }));

  sim.get('/login', (c) => c.html(<SignInPage action={c.req.path} redirect={sameSitePath(c.req.query('redirect'), c.req.url)} email={DEMO_STAFF.email} />));

  sim.post('/login', csrf(), async (c) => {
    const form = await formBody(c, signIn);
    const redirect = sameSitePath(form.raw.redirect, c.req.url);
    if (!form.ok) return c.html(<SignInPage action={c.req.path} redirect={redirect} email={form.raw.email} errors={form.errors.email} />, 422);
    setCookie(c, ACCESS_COOKIE, await mintAccessToken(database(c.env.DB), c.var.config, form.data.email), {
      httpOnly: true,
      secure: c.var.config.secureCookies,
      sameSite: 'Lax',
      path: '/',
      maxAge: ACCESS_TOKEN_TTL_SECONDS,
    });
    return c.redirect(redirect, 303);
  });

  return sim;
}

/** A path on this origin (with its query), or the console: never another site. */
function sameSitePath(candidate: string | undefined, here: string): string {
  if (!candidate?.startsWith('/')) return DEFAULT_REDIRECT;
  const base = new URL(here);
  const target = new URL(candidate, base);
  return target.origin === base.origin ? `${target.pathname}${target.search}` : DEFAULT_REDIRECT;
}

function SignInPage(props: { action: string; redirect: string; email?: string; errors?: string[] }) {
  return (
    <Base title="Sign in (Access simulator)">
      <section class="card narrow">
        <h1>Sign in to Malipo staff</h1>
        <p class="muted">
          Cloudflare Access simulator: any email signs in here; the console then admits only active staff.
        </p>
        <form method="post" action={props.action} novalidate>
          <FormAlert message={props.errors?.length ? 'Check the email address.' : undefined} />
          <input type="hidden" name="redirect" value={props.redirect} />
          <Field name="email" label="Email" type="email" value={props.email} errors={props.errors} autocomplete="email" inputmode="email" required />
          <SubmitButton label="Sign in" busy="Signing in…" />
        </form>
      </section>
    </Base>
  );
}
