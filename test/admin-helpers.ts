import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { database } from '../src/db/client';
import { auditLog, staff } from '../src/db/schema';
import { ACCESS_HEADER } from '../src/middleware/access';
import { call, postForm, postJson } from './helpers';

type Role = 'viewer' | 'operator' | 'admin';
export type TestStaff = { id: string; email: string; role: Role; token: string };

let counter = 0;

/** An active staff member with a fresh Access token minted by the simulator (as the real sign-in does). */
export async function createStaff(role: Role, name = `Test ${role}`): Promise<TestStaff> {
  counter += 1;
  const id = `stf_t_${role}_${Date.now().toString(36)}_${counter}`;
  const email = `${id}@malipo.test`.toLowerCase();
  await database(env.DB).insert(staff).values({ id, email, name, role, active: true });
  return { id, email, role, token: await accessToken(email) };
}

export async function accessToken(email: string): Promise<string> {
  const response = await postJson('/__sim/access/token', { email });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** A console page as a browser behind Access sees it. */
export function adminGet(member: Pick<TestStaff, 'token'>, path: string) {
  return call(path, { headers: { [ACCESS_HEADER]: member.token, accept: 'text/html' } });
}

/** A console form post from our own origin (passes the CSRF check). */
export function adminPost(member: Pick<TestStaff, 'token'>, path: string, fields: Record<string, string>) {
  return postForm(path, fields, { [ACCESS_HEADER]: member.token });
}

/** The audit rows written for one target, oldest first. */
export async function auditRowsFor(targetType: string, targetId: string) {
  const rows = await database(env.DB).query.auditLog.findMany({
    where: (t, { and, eq }) => and(eq(t.targetType, targetType), eq(t.targetId, targetId)),
    orderBy: (t, { asc }) => asc(t.id),
  });
  return rows as (typeof auditLog.$inferSelect)[];
}
