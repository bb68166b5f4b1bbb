import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { requireStaff } from '../../middleware/access';
import { formBody, parse } from '../../middleware/validate';
import { recordId } from '../../services/console/filters';
import { addStaff, changeStaffRole, listStaff, newStaffInput, setStaffActive, STAFF_ROLES, staffCsv, staffFilters } from '../../services/staff';
import type { FormFailure } from '../../views/admin/form-fields';
import { memberFormId, StaffPage } from '../../views/admin/staff';
import { CSV_ROW_LIMIT, reason, refusalOf } from './shared';

const DONE = {
  added: 'Staff member added.',
  role: 'Role changed.',
  deactivated: 'Staff member deactivated: their next request to the console is refused.',
  reactivated: 'Staff member reactivated.',
} as const;
type Done = keyof typeof DONE;

const doneQuery = z.object({ done: z.enum(Object.keys(DONE) as [Done, ...Done[]]).optional() }).catch({});
const addForm = newStaffInput.extend({ reason });
const roleForm = z.object({ role: z.enum(STAFF_ROLES, 'Choose a role'), reason });
const activeForm = z.object({ active: z.enum(['true', 'false'], 'Choose activate or deactivate').transform((v) => v === 'true'), reason });

async function staffPage(c: Context<AppEnv>, failed?: FormFailure, status: 200 | 422 = 200) {
  const query = c.req.query();
  const filters = staffFilters.safeParse(query);
  const rows = await listStaff(database(c.env.DB), filters.success ? filters.data : {});
  const done = failed ? undefined : doneQuery.parse(query).done;
  const values = { q: query.q, role: query.role, active: query.active };
  const problem = filters.success ? undefined : 'Some filters are not valid; showing everyone.';
  return c.html(<StaffPage staff={c.var.staff} values={values} rows={rows} notice={done && DONE[done]} problem={problem} failed={failed} />, status);
}

/** `/admin/staff`: admins only (viewers and operators get 403), every change audited. */
export const staffAdmin = new Hono<AppEnv>()
  .use(requireStaff('admin'))
  .get('/', (c) => staffPage(c))
  .post('/', async (c) => {
    const form = await formBody(c, addForm);
    const failed = (errors: Record<string, string[]>) => ({ form: 'add-staff', errors, values: form.raw });
    if (!form.ok) return staffPage(c, failed(form.errors), 422);
    const { reason: why, ...member } = form.data;
    const refused = await refusalOf(() => addStaff(database(c.env.DB), c.var.staff, member, why));
    return refused ? staffPage(c, failed(refused), 422) : c.redirect('/admin/staff?done=added', 303);
  })
  .post('/:id/role', async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, roleForm);
    const failed = (errors: Record<string, string[]>) => ({ form: memberFormId('role', id), errors, values: form.raw });
    if (!form.ok) return staffPage(c, failed(form.errors), 422);
    const refused = await refusalOf(() => changeStaffRole(database(c.env.DB), c.var.staff, id, form.data.role, form.data.reason));
    return refused ? staffPage(c, failed(refused), 422) : c.redirect('/admin/staff?done=role', 303);
  })
  .post('/:id/active', async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, activeForm);
    const failed = (errors: Record<string, string[]>) => ({ form: memberFormId('active', id), errors, values: form.raw });
    if (!form.ok) return staffPage(c, failed(form.errors), 422);
    const refused = await refusalOf(() => setStaffActive(database(c.env.DB), c.var.staff, id, form.data.active, form.data.reason));
    return refused ? staffPage(c, failed(refused), 422) : c.redirect(`/admin/staff?done=${form.data.active ? 'reactivated' : 'deactivated'}`, 303);
  });

/** `/admin/staff.csv` (admins only): the list with the same filters. */
export const staffCsvAdmin = new Hono<AppEnv>().get('/staff.csv', requireStaff('admin'), async (c) => {
  const rows = await listStaff(database(c.env.DB), parse(staffFilters, c.req.query()), CSV_ROW_LIMIT);
  return csvDownload(`malipo-staff-${new Date().toISOString().slice(0, 10)}.csv`, staffCsv(rows));
});
