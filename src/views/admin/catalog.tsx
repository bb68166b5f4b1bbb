import { type AdminServiceRow, type AdminVariation, formatMargin } from '../../services/catalog-admin';
import type { CatalogService } from '../../services/catalog';
import { hasRole, type StaffMember } from '../../services/staff';
import { Money } from '../components/money';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AuditedForm, type FormFailure, failureFor, TextField } from './form-fields';
import { AdminBase } from './layout';
import { DataTable, Facts, Notice, Pager, Status } from './parts';

const PATH = '/admin/catalog';
const CATEGORIES = ['airtime', 'data', 'electricity', 'tv'] as const;

/** Catalogue times on Lagos time: it is the naira catalogue of a Nigerian provider. */
function lagos(ms: number): string {
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Africa/Lagos' }).format(new Date(ms))} WAT`;
}

function servicePath(serviceId: string): string {
  return `${PATH}/${encodeURIComponent(serviceId)}`;
}

type CatalogFilterValues = { q?: string; category?: string; enabled?: string };

/** `/admin/catalog`: services with their margin and plan counts; operators can sync from VTpass now. */
export function CatalogListPage(props: { staff: StaffMember; values: CatalogFilterValues; rows: AdminServiceRow[]; notice?: string; problem?: string; failed?: FormFailure }) {
  const { values } = props;
  return (
    <AdminBase title="Catalogue" staff={props.staff} current={PATH}>
      <Notice message={props.notice} />
      <Notice message={props.problem} tone="error" />
      <FilterForm action={PATH}>
        <InputField name="q" label="Search" type="search" value={values.q} />
        <ChoiceField name="category" label="Category" options={CATEGORIES} value={values.category} />
        <ChoiceField name="enabled" label="Enabled" options={['yes', 'no']} value={values.enabled} />
      </FilterForm>
      <DataTable
        class="catalog-list"
        rows={props.rows}
        empty="No services match these filters."
        columns={[
          { header: 'Category', cell: (row) => row.category },
          {
            header: 'Service',
            cell: (row) => (
              <>
                <a href={servicePath(row.serviceId)}>{row.name}</a> <code class="muted">{row.serviceId}</code>
              </>
            ),
          },
          { header: 'Margin', num: true, cell: (row) => formatMargin(row.marginBps) },
          { header: 'Enabled', cell: (row) => <Status value={row.enabled ? 'enabled' : 'disabled'} /> },
          { header: 'Plans', num: true, cell: (row) => (row.plans === row.enabledPlans ? String(row.plans) : `${row.enabledPlans} of ${row.plans} on`) },
          { header: 'Last synced', cell: (row) => lagos(row.syncedAt) },
        ]}
      />
      <Pager path={PATH} query={values} nextCursor={null} />
      {hasRole(props.staff, 'operator') ? (
        <section class="section catalog-sync" aria-labelledby="sync-heading">
          <h2 id="sync-heading">Sync from VTpass now</h2>
          <p class="muted">
            Names, limits and costs follow VTpass; margins and staff's enable/disable choices are kept. VTpass plans it no longer lists are disabled; manual plans are
            never touched.
          </p>
          <AuditedForm id="sync" action={`${PATH}/sync`} button="Sync now" failed={props.failed} />
        </section>
      ) : null}
    </AdminBase>
  );
}

/** Why a plan is off: staff switched it off, or VTpass stopped listing it (it comes back when listed again). */
function PlanState({ plan }: { plan: AdminVariation }) {
  if (plan.enabled) return <Status value="enabled" />;
  return (
    <>
      <Status value="disabled" /> <small class="muted">{plan.staffDisabled ? 'by staff' : 'VTpass stopped listing it'}</small>
    </>
  );
}

/** The id of a plan's enable or disable form, unique on the page, so a refusal shows on the right row. */
export function planFormId(code: string, enabled: boolean): string {
  return `plan-${code.replace(/[^A-Za-z0-9_-]/g, '_')}-${enabled}`;
}

function PlanToggle({ service, plan, failed }: { service: CatalogService; plan: AdminVariation; failed?: FormFailure }) {
  const action = `${servicePath(service.serviceId)}/plans/${encodeURIComponent(plan.code)}/enabled`;
  const offers: [string, string][] = plan.enabled ? [['false', 'Disable']] : plan.staffDisabled ? [['true', 'Enable']] : [['true', 'Enable'], ['false', 'Keep disabled']];
  return (
    <>
      {offers.map(([value, label]) => (
        <AuditedForm id={planFormId(plan.code, value === 'true')} action={action} button={label} failed={failed} class="action-form compact">
          <input type="hidden" name="enabled" value={value} />
        </AuditedForm>
      ))}
    </>
  );
}

/** `/admin/catalog/:serviceId`: the service, its plans with cost and our price, and the operator's actions. */
export function CatalogServicePage(props: { staff: StaffMember; service: CatalogService; variations: AdminVariation[]; notice?: string; failed?: FormFailure }) {
  const { service, failed } = props;
  const operator = hasRole(props.staff, 'operator');
  const manual = failureFor(failed, 'manual-plan');
  const margin = failureFor(failed, 'margin');
  return (
    <AdminBase title={`Catalogue: ${service.name}`} staff={props.staff} current={PATH}>
      <Notice message={props.notice} />
      <Facts
        rows={[
          ['Service id', <code>{service.serviceId}</code>],
          ['Category', service.category],
          ['Margin', `${formatMargin(service.marginBps)} (${service.marginBps} bps)`],
          ['Enabled', <Status value={service.enabled ? 'enabled' : 'disabled'} />],
          ['Amount limits', <><Money amount={service.minAmount} currency="NGN" /> to <Money amount={service.maxAmount} currency="NGN" /></>],
          ['Last synced', lagos(service.syncedAt)],
          ['Audit', <a href={`/admin/audit?targetType=catalog_service&targetId=${encodeURIComponent(service.serviceId)}`}>Staff actions on this service</a>],
        ]}
      />
      <section class="section" aria-labelledby="plans-heading">
        <h2 id="plans-heading">Plans</h2>
        <DataTable
          class="catalog-plans"
          rows={props.variations}
          empty={service.category === 'airtime' ? 'Airtime has no plans: customers choose the amount within the limits.' : 'No plans.'}
          columns={[
            { header: 'Code', cell: (plan) => <code>{plan.code}</code> },
            { header: 'Name', cell: (plan) => plan.name },
            { header: 'Cost (VTpass)', num: true, cell: (plan) => (plan.fixedPrice ? <Money amount={plan.costAmount} currency="NGN" /> : '—') },
            { header: 'Our price', num: true, cell: (plan) => (plan.fixedPrice ? <Money amount={plan.price} currency="NGN" /> : 'customer enters amount') },
            { header: 'Fixed price', cell: (plan) => (plan.fixedPrice ? 'yes' : 'no') },
            { header: 'State', cell: (plan) => <PlanState plan={plan} /> },
            { header: 'Source', cell: (plan) => plan.source },
            ...(operator ? [{ header: 'Actions', class: 'plan-actions', cell: (plan: AdminVariation) => <PlanToggle service={service} plan={plan} failed={failed} /> }] : []),
          ]}
        />
      </section>
      {operator ? (
        <section class="section" aria-labelledby="catalog-actions-heading">
          <h2 id="catalog-actions-heading">Staff actions</h2>
          <div class="actions">
            <AuditedForm id="margin" action={`${servicePath(service.serviceId)}/margin`} title="Change the margin" button="Save margin" failed={failed}>
              <TextField form="margin" name="margin" label="Margin" inputmode="decimal" value={margin.values.margin ?? formatMargin(service.marginBps)} errors={margin.errors.margin} hint="Percent with up to two decimals (2.5) or basis points (250 bps). Fixed-price plans are repriced." />
            </AuditedForm>
            <AuditedForm id="service-enabled" action={`${servicePath(service.serviceId)}/enabled`} title={service.enabled ? 'Disable this service' : 'Enable this service'} button={service.enabled ? 'Disable service' : 'Enable service'} failed={failed}>
              <input type="hidden" name="enabled" value={service.enabled ? 'false' : 'true'} />
            </AuditedForm>
            {service.category === 'data' || service.category === 'tv' ? (
              <AuditedForm id="manual-plan" action={`${servicePath(service.serviceId)}/plans`} title="Add a manual plan" button="Add plan" failed={failed}>
                <TextField form="manual-plan" name="code" label="VTpass variation code" value={manual.values.code} errors={manual.errors.code} />
                <TextField form="manual-plan" name="name" label="Plan name" value={manual.values.name} errors={manual.errors.name} />
                <TextField form="manual-plan" name="cost" label="Cost in naira" inputmode="decimal" value={manual.values.cost} errors={manual.errors.cost} hint="What VTpass charges; our price adds this service's margin" />
              </AuditedForm>
            ) : null}
          </div>
        </section>
      ) : null}
    </AdminBase>
  );
}
