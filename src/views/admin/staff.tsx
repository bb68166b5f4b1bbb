import { STAFF_ROLES, type StaffMember, type StaffRow } from '../../services/staff';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AuditedForm, type FormFailure, failureFor, SelectField, TextField } from './form-fields';
import { AdminBase } from './layout';
import { DataTable, Notice, Pager, Status } from './parts';
import { When } from './record-parts';

const PATH = '/admin/staff';

type StaffFilterValues = { q?: string; role?: string; active?: string };

/** The ids of one member's forms, unique on the page, so a refusal shows next to the right member. */
export function memberFormId(kind: 'role' | 'active', staffId: string): string {
  return `${kind}-${staffId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function MemberActions({ member, me, failed }: { member: StaffRow; me: StaffMember; failed?: FormFailure }) {
  if (member.id === me.id) return <span class="muted">You (another admin changes your access)</span>;
  const roleForm = memberFormId('role', member.id);
  const role = failureFor(failed, roleForm);
  return (
    <div class="staff-actions">
      <AuditedForm id={roleForm} action={`${PATH}/${encodeURIComponent(member.id)}/role`} button="Change role" failed={failed} class="action-form compact">
        <SelectField form={roleForm} name="role" label={`Role for ${member.email}`} options={STAFF_ROLES} value={role.values.role ?? member.role} errors={role.errors.role} />
      </AuditedForm>
      <AuditedForm id={memberFormId('active', member.id)} action={`${PATH}/${encodeURIComponent(member.id)}/active`} button={member.active ? 'Deactivate' : 'Reactivate'} failed={failed} class="action-form compact">
        <input type="hidden" name="active" value={member.active ? 'false' : 'true'} />
      </AuditedForm>
    </div>
  );
}

/** `/admin/staff` (admins only): who has console access, with what role, and the forms to change it. */
export function StaffPage(props: { staff: StaffMember; values: StaffFilterValues; rows: StaffRow[]; notice?: string; problem?: string; failed?: FormFailure }) {
  const { values } = props;
  const add = failureFor(props.failed, 'add-staff');
  // Your own row has no forms, so a refused change to yourself (a hand-made post) is said up here.
  const own = [memberFormId('role', props.staff.id), memberFormId('active', props.staff.id)].includes(props.failed?.form ?? '');
  return (
    <AdminBase title="Staff" staff={props.staff} current={PATH}>
      <Notice message={props.notice} />
      <Notice message={props.problem} tone="error" />
      <Notice message={own ? props.failed?.errors._?.join(' ') : undefined} tone="error" />
      <FilterForm action={PATH}>
        <InputField name="q" label="Search" type="search" value={values.q} />
        <ChoiceField name="role" label="Role" options={STAFF_ROLES} value={values.role} />
        <ChoiceField name="active" label="Active" options={['yes', 'no']} value={values.active} />
      </FilterForm>
      <DataTable
        class="staff-list"
        rows={props.rows}
        empty="No staff match these filters."
        columns={[
          { header: 'Email', cell: (member) => <a href={`/admin/audit?targetType=staff&targetId=${encodeURIComponent(member.id)}`}>{member.email}</a> },
          { header: 'Name', cell: (member) => member.name },
          { header: 'Role', cell: (member) => member.role },
          { header: 'Active', cell: (member) => <Status value={member.active ? 'active' : 'inactive'} /> },
          { header: 'Since', cell: (member) => <When ms={member.createdAt} zone="Africa/Nairobi" /> },
          { header: 'Actions', cell: (member) => <MemberActions member={member} me={props.staff} failed={props.failed} /> },
        ]}
      />
      <Pager path={PATH} query={values} nextCursor={null} />
      <section class="section" aria-labelledby="add-staff-heading">
        <h2 id="add-staff-heading">Add a staff member</h2>
        <p class="muted">They sign in through Cloudflare Access with this email; Access must let them through as well.</p>
        <AuditedForm id="add-staff" action={PATH} button="Add staff member" failed={props.failed}>
          <TextField form="add-staff" name="email" label="Email" type="email" value={add.values.email} errors={add.errors.email} />
          <TextField form="add-staff" name="name" label="Name" value={add.values.name} errors={add.errors.name} />
          <SelectField form="add-staff" name="role" label="Role" options={STAFF_ROLES} value={add.values.role ?? 'viewer'} errors={add.errors.role} />
        </AuditedForm>
      </section>
    </AdminBase>
  );
}
