import { and, asc, eq, ne, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { contains } from '../db/match';
import { staff } from '../db/schema';
import { toCsv } from '../lib/csv';
import { newId } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { auditInsert } from './audit';

export type StaffRole = (typeof staff.$inferSelect)['role'];
export type StaffRow = typeof staff.$inferSelect;

/** Who is using the staff console; what `requireStaff` puts on the context as `staff`. */
export type StaffMember = Pick<typeof staff.$inferSelect, 'id' | 'email' | 'name' | 'role'>;

export const STAFF_ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly StaffRole[];

/** Each role can do everything the roles before it can. */
const ROLE_RANK: Record<StaffRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(member: StaffMember, minRole: StaffRole): boolean {
  return ROLE_RANK[member.role] >= ROLE_RANK[minRole];
}

/** The active staff member with this email (staff emails are stored lower-cased), or null. */
export async function findActiveStaff(db: Database, email: string): Promise<StaffMember | null> {
  const member = await db
    .select({ id: staff.id, email: staff.email, name: staff.name, role: staff.role })
    .from(staff)
    .where(and(eq(staff.email, email.trim().toLowerCase()), eq(staff.active, true)))
    .get();
  return member ?? null;
}

const blank = (value: unknown) => (value === '' ? undefined : value);

/** `/admin/staff` filters: empty form fields mean "any". */
export const staffFilters = z.object({
  q: z.preprocess(blank, z.string().trim().max(100).optional()),
  role: z.preprocess(blank, z.enum(STAFF_ROLES, 'Choose a role from the list').optional()),
  active: z.preprocess(blank, z.enum(['yes', 'no'], 'Choose yes or no').optional()),
});
export type StaffFilters = z.output<typeof staffFilters>;

/** A new member: the email is what Access signs in, compared lower-cased like `findActiveStaff` does. */
export const newStaffInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('Enter an email address').max(254)),
  name: z.string().trim().min(2, 'Enter their name').max(100),
  role: z.enum(STAFF_ROLES, 'Choose a role'),
});

/** Everyone who has had console access, active first, for the list and its CSV. */
export function listStaff(db: Database, filters: StaffFilters, limit = 500): Promise<StaffRow[]> {
  return db
    .select()
    .from(staff)
    .where(
      and(
        filters.role ? eq(staff.role, filters.role) : undefined,
        filters.active ? eq(staff.active, filters.active === 'yes') : undefined,
        filters.q ? or(contains(staff.email, filters.q), contains(staff.name, filters.q)) : undefined,
      ),
    )
    .orderBy(sql`${staff.active} DESC`, asc(staff.email))
    .limit(limit);
}

/** The staff list as CSV, for access reviews. */
export function staffCsv(rows: StaffRow[]): string {
  return toCsv(
    [
      { header: 'id', value: (r) => r.id },
      { header: 'email', value: (r) => r.email },
      { header: 'name', value: (r) => r.name },
      { header: 'role', value: (r) => r.role },
      { header: 'active', value: (r) => (r.active ? 'yes' : 'no') },
      { header: 'since', value: (r) => new Date(r.createdAt) },
    ],
    rows,
  );
}

function snapshot(row: StaffRow) {
  return { email: row.email, name: row.name, role: row.role, active: row.active };
}

/** Gives someone console access; a second member with the same email is refused. */
export async function addStaff(db: Database, actor: StaffMember, input: z.output<typeof newStaffInput>, reason: string, now = Date.now()): Promise<StaffRow> {
  const duplicate = new AppError('CONFLICT', `${input.email} is already a staff member`, { email: ['A staff member already has this email; change their role or reactivate them instead'] });
  if (await db.query.staff.findFirst({ where: eq(staff.email, input.email), columns: { id: true } })) throw duplicate;
  const row: StaffRow = { id: newId('stf', now), ...input, active: true, createdAt: now };
  try {
    await db.batch([db.insert(staff).values(row), auditInsert(db, actor, { action: 'staff.add', targetType: 'staff', targetId: row.id, reason, before: null, after: snapshot(row) }, now)]);
  } catch (error) {
    if (failedWith(error, 'UNIQUE constraint failed: staff.email')) throw duplicate;
    throw error;
  }
  return row;
}

/** A new role. Nobody changes their own, and the last active admin cannot be demoted. */
export function changeStaffRole(db: Database, actor: StaffMember, staffId: string, role: StaffRole, reason: string): Promise<void> {
  return change(db, actor, staffId, { role }, reason);
}

/** Turns console access off or on again; the next request of a deactivated member is refused. */
export function setStaffActive(db: Database, actor: StaffMember, staffId: string, active: boolean, reason: string): Promise<void> {
  return change(db, actor, staffId, { active }, reason);
}

/**
 * One change to a member and its audit row, in one batch. The checks are made first for clear
 * messages, and again inside the UPDATE, which sets NULL into a NOT NULL column if the member
 * changed meanwhile or no other active admin would remain: that failure rolls the whole batch
 * back, audit row included (SQLite has no RAISE outside triggers), so two admins demoting each
 * other at once can never leave the console without one.
 */
async function change(db: Database, actor: StaffMember, staffId: string, next: { role?: StaffRole; active?: boolean }, reason: string): Promise<void> {
  const before = await db.query.staff.findFirst({ where: eq(staff.id, staffId) });
  if (!before) throw new AppError('NOT_FOUND', 'No such staff member');
  const after = { ...before, ...next };
  if (after.role === before.role && after.active === before.active) {
    throw new AppError('CONFLICT', next.role ? `${before.email} is already ${before.role}` : `${before.email} is already ${before.active ? 'active' : 'inactive'}`);
  }
  if (before.id === actor.id) {
    throw new AppError('CONFLICT', next.role ? 'You cannot change your own role; ask another admin' : 'You cannot deactivate yourself; ask another admin');
  }
  const losesAdmin = before.role === 'admin' && before.active && (after.role !== 'admin' || !after.active);
  const otherAdmins = await db.$count(staff, and(eq(staff.role, 'admin'), eq(staff.active, true), ne(staff.id, staffId)));
  if (losesAdmin && otherAdmins === 0) throw new AppError('CONFLICT', `${before.email} is the last active admin; make someone else admin first`);

  // The actor is re-checked too: an admin deactivated or demoted meanwhile changes nothing.
  const unchanged = sql`${staff.role} = ${before.role} AND ${staff.active} = ${before.active ? 1 : 0} AND EXISTS (SELECT 1 FROM staff a WHERE a.id = ${actor.id} AND a.role = 'admin' AND a.active = 1)`;
  const guard: SQL = losesAdmin ? sql`${unchanged} AND (SELECT count(*) FROM staff s WHERE s.role = 'admin' AND s.active = 1 AND s.id <> ${staffId}) > 0` : unchanged;
  const set = next.role ? { role: sql`CASE WHEN ${guard} THEN ${next.role} END` } : { active: sql`CASE WHEN ${guard} THEN ${after.active ? 1 : 0} END` };
  const action = next.role ? 'staff.role' : after.active ? 'staff.reactivate' : 'staff.deactivate';
  try {
    await db.batch([
      db.update(staff).set(set).where(eq(staff.id, staffId)),
      auditInsert(db, actor, { action, targetType: 'staff', targetId: staffId, reason, before: snapshot(before), after: snapshot(after) }),
    ]);
  } catch (error) {
    if (failedWith(error, 'NOT NULL constraint failed: staff.')) {
      throw new AppError('CONFLICT', 'Someone changed staff at the same time, or this would leave no active admin. Reload and try again.');
    }
    throw error;
  }
}

function failedWith(error: unknown, text: string): boolean {
  const message = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  return message.includes(text);
}
