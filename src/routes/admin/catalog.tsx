import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { requireStaff } from '../../middleware/access';
import { formBody, parse } from '../../middleware/validate';
import { providerFetch } from '../../providers/http';
import { vtpassClientFromConfig } from '../../providers/vtpass';
import {
  addManualPlan,
  catalogCsv,
  catalogFilters,
  catalogServiceDetail,
  changeMargin,
  listCatalogServices,
  manualPlanInput,
  marginInput,
  planCode,
  setServiceEnabled,
  setVariationEnabled,
  syncCatalogNow,
} from '../../services/catalog-admin';
import { recordId } from '../../services/console/filters';
import { CatalogListPage, CatalogServicePage, planFormId } from '../../views/admin/catalog';
import type { FormFailure } from '../../views/admin/form-fields';
import { CSV_ROW_LIMIT, reason, refusalOf } from './shared';

const DONE = {
  margin: 'Margin saved; fixed-price plans repriced.',
  'service-enabled': 'Service enabled: customers can buy it again.',
  'service-disabled': 'Service disabled: customers no longer see it.',
  'plan-enabled': 'Plan enabled.',
  'plan-disabled': 'Plan disabled: customers no longer see it, and a sync will not bring it back.',
  'plan-added': 'Manual plan added.',
  sync: 'Catalogue synced from VTpass.',
} as const;
type Done = keyof typeof DONE;

const count = z.coerce.number().int().min(0).optional();
/** Only the outcome code and the sync's counts come back in the URL; the words are ours. */
const doneQuery = z.object({ done: z.enum(Object.keys(DONE) as [Done, ...Done[]]).optional(), services: count, plans: count, disabled: count, restored: count, failed: count }).catch({});
const toggleForm = z.object({ enabled: z.enum(['true', 'false'], 'Choose enable or disable').transform((v) => v === 'true'), reason });
const marginForm = z.object({ margin: marginInput, reason });
const manualForm = manualPlanInput.extend({ reason });
const syncForm = z.object({ reason });

function notice(query: Record<string, string>): string | undefined {
  const q = doneQuery.parse(query);
  if (!q.done) return undefined;
  if (q.done !== 'sync') return DONE[q.done];
  const failed = q.failed ? ` ${q.failed} VTpass call(s) failed; what they cover was left as it was (see the audit log).` : '';
  return `${DONE.sync} ${q.services ?? 0} services, ${q.plans ?? 0} plans listed; ${q.disabled ?? 0} plans disabled, ${q.restored ?? 0} restored.${failed}`;
}

async function servicePage(c: Context<AppEnv>, id: string, failed?: FormFailure, status: 200 | 422 = 200) {
  const detail = await catalogServiceDetail(database(c.env.DB), id);
  return c.html(<CatalogServicePage staff={c.var.staff} {...detail} notice={failed ? undefined : notice(c.req.query())} failed={failed} />, status);
}

async function listPage(c: Context<AppEnv>, failed?: FormFailure, status: 200 | 422 = 200) {
  const query = c.req.query();
  const filters = catalogFilters.safeParse(query);
  const rows = await listCatalogServices(database(c.env.DB), filters.success ? filters.data : {});
  const values = { q: query.q, category: query.category, enabled: query.enabled };
  const problem = filters.success ? undefined : 'Some filters are not valid; showing every service.';
  return c.html(<CatalogListPage staff={c.var.staff} values={values} rows={rows} notice={notice(query)} problem={problem} failed={failed} />, status);
}

const afterAction = (id: string, done: Done) => `/admin/catalog/${encodeURIComponent(id)}?done=${done}`;

/** `/admin/catalog`: viewers read the catalogue; operators change margins, switch things on and off, add plans and sync. */
export const catalogAdmin = new Hono<AppEnv>()
  .get('/', (c) => listPage(c))
  .post('/sync', requireStaff('operator'), async (c) => {
    const form = await formBody(c, syncForm);
    if (!form.ok) return listPage(c, { form: 'sync', errors: form.errors, values: form.raw }, 422);
    const vtpass = vtpassClientFromConfig(c.var.config, providerFetch(c.env));
    const report = await syncCatalogNow(database(c.env.DB), vtpass, c.var.staff, form.data.reason);
    const counts = new URLSearchParams({ done: 'sync', services: String(report.services), plans: String(report.variations), disabled: String(report.disabled), restored: String(report.restored), failed: String(report.failures.length) });
    return c.redirect(`/admin/catalog?${counts}`, 303);
  })
  .get('/:serviceId', (c) => servicePage(c, parse(recordId, c.req.param('serviceId'))))
  .post('/:serviceId/margin', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('serviceId'));
    const form = await formBody(c, marginForm);
    const failed = (errors: Record<string, string[]>) => ({ form: 'margin', errors, values: form.raw });
    if (!form.ok) return servicePage(c, id, failed(form.errors), 422);
    const refused = await refusalOf(() => changeMargin(database(c.env.DB), c.var.staff, id, form.data.margin, form.data.reason));
    return refused ? servicePage(c, id, failed(refused), 422) : c.redirect(afterAction(id, 'margin'), 303);
  })
  .post('/:serviceId/enabled', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('serviceId'));
    const form = await formBody(c, toggleForm);
    const failed = (errors: Record<string, string[]>) => ({ form: 'service-enabled', errors, values: form.raw });
    if (!form.ok) return servicePage(c, id, failed(form.errors), 422);
    const refused = await refusalOf(() => setServiceEnabled(database(c.env.DB), c.var.staff, id, form.data.enabled, form.data.reason));
    return refused ? servicePage(c, id, failed(refused), 422) : c.redirect(afterAction(id, form.data.enabled ? 'service-enabled' : 'service-disabled'), 303);
  })
  .post('/:serviceId/plans', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('serviceId'));
    const form = await formBody(c, manualForm);
    const failed = (errors: Record<string, string[]>) => ({ form: 'manual-plan', errors, values: form.raw });
    if (!form.ok) return servicePage(c, id, failed(form.errors), 422);
    const { reason: why, ...plan } = form.data;
    const refused = await refusalOf(() => addManualPlan(database(c.env.DB), c.var.staff, id, plan, why));
    return refused ? servicePage(c, id, failed(refused), 422) : c.redirect(afterAction(id, 'plan-added'), 303);
  })
  .post('/:serviceId/plans/:code/enabled', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('serviceId'));
    const code = parse(planCode, c.req.param('code'));
    const form = await formBody(c, toggleForm);
    const failed = (errors: Record<string, string[]>) => ({ form: planFormId(code, form.raw.enabled === 'true'), errors, values: form.raw });
    if (!form.ok) return servicePage(c, id, failed(form.errors), 422);
    const refused = await refusalOf(() => setVariationEnabled(database(c.env.DB), c.var.staff, id, code, form.data.enabled, form.data.reason));
    return refused ? servicePage(c, id, failed(refused), 422) : c.redirect(afterAction(id, form.data.enabled ? 'plan-enabled' : 'plan-disabled'), 303);
  });

/** `/admin/catalog.csv`: the list with the same filters. */
export const catalogCsvAdmin = new Hono<AppEnv>().get('/catalog.csv', async (c) => {
  const filters = parse(catalogFilters, c.req.query());
  const rows = await listCatalogServices(database(c.env.DB), filters, CSV_ROW_LIMIT);
  return csvDownload(`malipo-catalogue-${new Date().toISOString().slice(0, 10)}.csv`, catalogCsv(rows));
});
