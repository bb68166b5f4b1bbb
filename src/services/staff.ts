import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { staff } from '../db/schema';

export type StaffRole = (typeof staff.$inferSelect)['role'];

/** Who is using the staff console; what `requireStaff` puts on the context as `staff`. */
export type StaffMember = Pick<typeof staff.$inferSelect, 'id' | 'email' | 'name' | 'role'>;

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
