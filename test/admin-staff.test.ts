import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { changeStaffRole, setStaffActive } from '../src/services/staff';
import { adminGet, adminPost, auditRowsFor, createStaff } from './admin-helpers';

const db = () => database(env.DB);

function member(id: string) {
  return db().query.staff.findFirst({ where: (s, { eq }) => eq(s.id, id) });
}

function memberByEmail(email: string) {
  return db().query.staff.findFirst({ where: (s, { eq }) => eq(s.email, email) });
}

describe('/admin/staff is for admins only', () => {
  it('refuses viewers and operators (403), pages and posts alike', async () => {
    const viewer = await createStaff('viewer');
    const operator = await createStaff('operator');
    for (const who of [viewer, operator]) {
      expect((await adminGet(who, '/admin/staff')).status).toBe(403);
      expect((await adminGet(who, '/admin/staff.csv')).status).toBe(403);
      expect((await adminPost(who, '/admin/staff', { email: 'x@malipo.test', name: 'X Person', role: 'admin', reason: 'Escalate myself' })).status).toBe(403);
      expect((await adminPost(who, `/admin/staff/${who.id}/role`, { role: 'admin', reason: 'Escalate myself' })).status).toBe(403);
    }
    expect((await member(viewer.id))!.role).toBe('viewer');
    expect(await memberByEmail('x@malipo.test')).toBeUndefined();
  });

  it('lists members with email, name, role, active and since, and exports them as CSV', async () => {
    const admin = await createStaff('admin', 'Amina Admin');
    const viewer = await createStaff('viewer', 'Vic Viewer');
    const html = await (await adminGet(admin, '/admin/staff')).text();
    expect(html).toContain(viewer.email);
    expect(html).toContain('Vic Viewer');
    expect(html).toContain('<label for="add-staff-email">Email</label>');
    expect(html).toContain(`<label for="role-${viewer.id}-role">Role for ${viewer.email}</label>`);
    const csv = await adminGet(admin, '/admin/staff.csv?role=viewer');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,email,name,role,active,since');
    expect(lines.some((line) => line.startsWith(`${viewer.id},${viewer.email},Vic Viewer,viewer,yes,`))).toBe(true);
    expect(lines.slice(1).every((line) => line.split(',')[3] === 'viewer')).toBe(true);
    // Search matches `_` and `%` literally (emails often hold underscores).
    const found = await (await adminGet(admin, `/admin/staff?q=${encodeURIComponent(viewer.email.slice(0, viewer.email.indexOf('@')))}`)).text();
    expect(found).toContain(viewer.email);
    expect(found).not.toContain(`>${admin.email}<`);
  });
});

describe('staff actions', () => {
  it('adds a member with the email trimmed and lower-cased; a duplicate email is refused clearly', async () => {
    const admin = await createStaff('admin');
    const response = await adminPost(admin, '/admin/staff', { email: '  Wanjiru.Otieno@Malipo.TEST ', name: 'Wanjiru Otieno', role: 'operator', reason: 'Joins the ops team' });
    expect(response.status).toBe(303);
    const added = await memberByEmail('wanjiru.otieno@malipo.test');
    expect(added).toMatchObject({ name: 'Wanjiru Otieno', role: 'operator', active: true });
    const rows = await auditRowsFor('staff', added!.id);
    expect(rows.map((r) => [r.action, r.staffId, r.reason])).toEqual([['staff.add', admin.id, 'Joins the ops team']]);
    expect(JSON.parse(rows[0]!.after!)).toEqual({ email: 'wanjiru.otieno@malipo.test', name: 'Wanjiru Otieno', role: 'operator', active: true });

    const duplicate = await adminPost(admin, '/admin/staff', { email: 'WANJIRU.OTIENO@malipo.test', name: 'Someone Else', role: 'admin', reason: 'Second account' });
    expect(duplicate.status).toBe(422);
    expect(await duplicate.text()).toContain('A staff member already has this email');
    expect((await memberByEmail('wanjiru.otieno@malipo.test'))!.role).toBe('operator');

    const invalid = await adminPost(admin, '/admin/staff', { email: 'not-an-email', name: 'N', role: 'boss', reason: 'x' });
    expect(invalid.status).toBe(422);
    const page = await invalid.text();
    expect(page).toContain('Enter an email address');
    expect(page).toContain('Choose a role');
  });

  it('changes a role, but never your own', async () => {
    const admin = await createStaff('admin');
    const operator = await createStaff('operator');
    const response = await adminPost(admin, `/admin/staff/${operator.id}/role`, { role: 'viewer', reason: 'Moved to support' });
    expect(response.status).toBe(303);
    expect((await member(operator.id))!.role).toBe('viewer');
    expect((await adminPost(operator, '/admin/catalog/mtn-data/margin', { margin: '3', reason: 'Still an operator?' })).status).toBe(403);
    const [row, ...others] = await auditRowsFor('staff', operator.id);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ action: 'staff.role', reason: 'Moved to support' });
    expect(JSON.parse(row!.before!)).toMatchObject({ role: 'operator' });
    expect(JSON.parse(row!.after!)).toMatchObject({ role: 'viewer' });

    const self = await adminPost(admin, `/admin/staff/${admin.id}/role`, { role: 'viewer', reason: 'Stepping down' });
    expect(self.status).toBe(422);
    expect(await self.text()).toContain('You cannot change your own role');
    expect((await member(admin.id))!.role).toBe('admin');
    expect(await auditRowsFor('staff', admin.id)).toEqual([]);
  });

  it('deactivates a member, whose next request to /admin is refused, and reactivates them', async () => {
    const admin = await createStaff('admin');
    const operator = await createStaff('operator');
    expect((await adminGet(operator, '/admin')).status).toBe(200);
    expect((await adminPost(admin, `/admin/staff/${operator.id}/active`, { active: 'false', reason: 'Left the company' })).status).toBe(303);
    expect((await member(operator.id))!.active).toBe(false);
    // The same, still unexpired Access token: requireStaff reads D1 on every request.
    expect((await adminGet(operator, '/admin')).status).toBe(403);
    expect((await adminPost(admin, `/admin/staff/${operator.id}/active`, { active: 'true', reason: 'Came back' })).status).toBe(303);
    expect((await adminGet(operator, '/admin')).status).toBe(200);
    expect((await auditRowsFor('staff', operator.id)).map((r) => r.action)).toEqual(['staff.deactivate', 'staff.reactivate']);

    const self = await adminPost(admin, `/admin/staff/${admin.id}/active`, { active: 'false', reason: 'Going on leave' });
    expect(self.status).toBe(422);
    expect(await self.text()).toContain('You cannot deactivate yourself');
    expect((await member(admin.id))!.active).toBe(true);
  });

  it('two admins demoting each other at once still leave an admin, with one audit row per change made', async () => {
    const first = await createStaff('admin');
    const second = await createStaff('admin');
    await env.DB.prepare("UPDATE staff SET active = 0 WHERE role = 'admin' AND id NOT IN (?, ?)").bind(first.id, second.id).run();
    const [a, b] = await Promise.all([
      adminPost(first, `/admin/staff/${second.id}/role`, { role: 'operator', reason: 'Race one' }),
      adminPost(second, `/admin/staff/${first.id}/role`, { role: 'operator', reason: 'Race two' }),
    ]);
    expect([a.status, b.status].filter((s) => s === 303)).toHaveLength(1);
    const admins = await env.DB.prepare("SELECT count(*) AS n FROM staff WHERE role = 'admin' AND active = 1").first<{ n: number }>();
    expect(admins!.n).toBe(1);
    const roles = [(await member(first.id))!.role, (await member(second.id))!.role];
    expect(roles.filter((r) => r === 'admin')).toHaveLength(1);
    const rows = [...(await auditRowsFor('staff', first.id)), ...(await auditRowsFor('staff', second.id))];
    expect(rows).toHaveLength(1);
  });

  it('re-checks inside the batch: a change landing after the checks rolls back the change and its audit row', async () => {
    const actor = await createStaff('admin');
    const target = await createStaff('admin');
    await env.DB.prepare("UPDATE staff SET active = 0 WHERE role = 'admin' AND id NOT IN (?, ?)").bind(actor.id, target.id).run();
    // Another admin's request demotes the actor between our checks and our batch.
    const racing = new Proxy(db(), {
      get(target_, property, receiver) {
        if (property !== 'batch') return Reflect.get(target_, property, receiver);
        return async (statements: Parameters<typeof target_.batch>[0]) => {
          await env.DB.prepare("UPDATE staff SET role = 'operator' WHERE id = ?").bind(actor.id).run();
          return target_.batch(statements);
        };
      },
    });
    const me = { id: actor.id, email: actor.email, name: 'Actor', role: 'admin' as const };
    await expect(changeStaffRole(racing, me, target.id, 'viewer', 'Racing')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('at the same time') });
    expect(await member(target.id)).toMatchObject({ role: 'admin', active: true });
    expect(await auditRowsFor('staff', target.id)).toEqual([]);
  });

  it('re-checks the acting admin inside the batch: one deactivated meanwhile changes nobody', async () => {
    const actor = await createStaff('admin');
    const target = await createStaff('viewer');
    const racing = new Proxy(db(), {
      get(target_, property, receiver) {
        if (property !== 'batch') return Reflect.get(target_, property, receiver);
        return async (statements: Parameters<typeof target_.batch>[0]) => {
          await env.DB.prepare('UPDATE staff SET active = 0 WHERE id = ?').bind(actor.id).run();
          return target_.batch(statements);
        };
      },
    });
    const me = { id: actor.id, email: actor.email, name: 'Actor', role: 'admin' as const };
    await expect(changeStaffRole(racing, me, target.id, 'admin', 'Promote before I go')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await member(target.id)).toMatchObject({ role: 'viewer', active: true });
    expect(await auditRowsFor('staff', target.id)).toEqual([]);
  });

  it('refuses to demote or deactivate the last active admin', async () => {
    const last = await createStaff('admin');
    await env.DB.prepare("UPDATE staff SET active = 0 WHERE role = 'admin' AND id <> ?").bind(last.id).run();
    // An actor whose own access ended while their request was under way (no longer an active admin).
    const former = { id: (await createStaff('viewer')).id, email: 'former@malipo.test', name: 'Former Admin', role: 'admin' as const };
    await expect(changeStaffRole(db(), former, last.id, 'operator', 'Reorganising')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last active admin') });
    await expect(setStaffActive(db(), former, last.id, false, 'Reorganising')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last active admin') });
    expect(await member(last.id)).toMatchObject({ role: 'admin', active: true });
    expect(await auditRowsFor('staff', last.id)).toEqual([]);
  });
});
