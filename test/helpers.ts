import { exports } from 'cloudflare:workers';

export const ORIGIN = 'http://malipo.test';

/** Calls the Worker's real fetch handler, as a browser or API client would. */
export function call(path: string, init: RequestInit = {}) {
  return exports.default.fetch(new Request(new URL(path, ORIGIN), { redirect: 'manual', ...init }));
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A same-origin form post, as our own pages send it. */
export function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The `name=value` pair of a Set-Cookie header, ready to send back. */
export function cookieFrom(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  return header.split(';')[0] ?? '';
}

let counter = 0;
export function uniqueEmail(prefix = 'user') {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export async function signUpUser(overrides: Record<string, unknown> = {}) {
  const body = { email: uniqueEmail(), password: 'correct-horse-1', name: 'Wanjiku Kamau', ...overrides };
  const response = await postJson('/api/v1/auth/signup', body);
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${await response.text()}`);
  const { data } = (await response.json()) as { data: { user: { id: string; email: string; referralCode: string } } };
  return { user: data.user, cookie: cookieFrom(response), password: body.password as string };
}
