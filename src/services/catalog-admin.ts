import { and, asc, count, eq, getTableColumns, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { contains } from '../db/match';
import { catalogServices, catalogVariations } from '../db/schema';
import { typedAmount } from '../lib/amounts';
import { majorUnits, toCsv } from '../lib/csv';
import { AppError } from '../lib/errors';
import { auditInsert, auditInsertIfChanged, recordAudit } from './audit';
import { sellingPrice, staffDisabledCodes, syncCatalog, VARIATION_AUDIT, type CatalogService, type CatalogVariation, type SyncReport } from './catalog';
import type { StaffMember } from './staff';

const SERVICE_TARGET = 'catalog_service';
const CATEGORIES = ['airtime', 'data', 'electricity', 'tv'] as const;
const blank = (value: unknown) => (value === '' ? undefined : value);

/** `/admin/catalog` filters: empty form fields mean "any". */
export const catalogFilters = z.object({
  q: z.preprocess(blank, z.string().trim().max(100).optional()),
  category: z.preprocess(blank, z.enum(CATEGORIES, 'Choose a category from the list').optional()),
  enabled: z.preprocess(blank, z.enum(['yes', 'no'], 'Choose yes or no').optional()),
});
export type CatalogFilters = z.output<typeof catalogFilters>;

/** "2.5", "2.50%" (percent, two decimals at most) or "250 bps", as basis points from 0 to 100%. */
export const marginInput = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const bps = /^(\d{1,5})\s*bps$/i.exec(text);
    const percent = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$/.exec(text);
    const value = bps ? Number(bps[1]) : percent ? Number(percent[1]) * 100 + Number((percent[2] ?? '').padEnd(2, '0')) : null;
    if (value === null || value > 10_000) {
      ctx.addIssue({ code: 'custom', message: 'Enter a margin from 0 to 100%, e.g. 2.5 or 250 bps' });
      return z.NEVER;
    }
    return value;
  });

/** ₦10 million: no data or TV plan costs more; anything bigger is a typo. */
const MAX_PLAN_COST = 1_000_000_000;

/** A VTpass variation code (in a path or typed for a manual plan). */
export const planCode = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'Enter the VTpass variation code (letters, digits, ".", "_" or "-")');

/** A manual plan as staff type it: VTpass's code, a name, and VTpass's cost in naira. */
export const manualPlanInput = z.object({
  code: planCode,
  name: z.string().trim().min(2, 'Enter the plan name').max(120),
  cost: typedAmount('Enter the cost in naira, e.g. 1500 or 1500.50').pipe(z.int().positive('The cost must be more than zero').max(MAX_PLAN_COST, 'That is more than any plan costs')),
});

export type AdminServiceRow = CatalogService & { plans: number; enabledPlans: number };

/** Services with their plan counts, for the console list and its CSV. */
export async function listCatalogServices(db: Database, filters: CatalogFilters, limit = 500): Promise<AdminServiceRow[]> {
  return db
    .select({
      ...getTableColumns(catalogServices),
      plans: count(catalogVariations.code),
      enabledPlans: sql<number>`coalesce(sum(CASE WHEN ${catalogVariations.enabled} = 1 THEN 1 ELSE 0 END), 0)`.mapWith(Number),
    })
    .from(catalogServices)
    .leftJoin(catalogVariations, eq(catalogVariations.serviceId, catalogServices.serviceId))
    .where(
      and(
        filters.category ? eq(catalogServices.category, filters.category) : undefined,
        filters.enabled ? eq(catalogServices.enabled, filters.enabled === 'yes') : undefined,
        filters.q ? or(contains(catalogServices.serviceId, filters.q), contains(catalogServices.name, filters.q)) : undefined,
      ),
    )
    .groupBy(catalogServices.serviceId)
    .orderBy(asc(catalogServices.category), asc(catalogServices.serviceId))
    .limit(limit);
}

/** Basis points as staff read them: `2.50%`. */
export function formatMargin(bps: number): string {
  return `${majorUnits(bps)}%`;
}

/** The catalogue list as CSV; amounts stay in kobo so a spreadsheet can sum them. */
export function catalogCsv(rows: AdminServiceRow[]): string {
  return toCsv(
    [
      { header: 'service_id', value: (r) => r.serviceId },
      { header: 'category', value: (r) => r.category },
      { header: 'name', value: (r) => r.name },
      { header: 'margin_bps', value: (r) => r.marginBps },
      { header: 'margin', value: (r) => formatMargin(r.marginBps) },
      { header: 'enabled', value: (r) => (r.enabled ? 'yes' : 'no') },
      { header: 'plans', value: (r) => r.plans },
      { header: 'enabled_plans', value: (r) => r.enabledPlans },
      { header: 'min_amount_kobo', value: (r) => r.minAmount },
      { header: 'max_amount_kobo', value: (r) => r.maxAmount },
      { header: 'last_synced', value: (r) => new Date(r.syncedAt) },
    ],
    rows,
  );
}

export type AdminVariation = CatalogVariation & { staffDisabled: boolean };

/** A service and all its plans (enabled or not), each marked when staff, not the sync, disabled it. */
export async function catalogServiceDetail(db: Database, serviceId: string): Promise<{ service: CatalogService; variations: AdminVariation[] }> {
  const service = await db.query.catalogServices.findFirst({ where: eq(catalogServices.serviceId, serviceId) });
  if (!service) throw new AppError('NOT_FOUND', 'No such catalogue service');
  const rows = await db.select().from(catalogVariations).where(eq(catalogVariations.serviceId, serviceId)).orderBy(asc(catalogVariations.costAmount), asc(catalogVariations.code));
  const byStaff = await staffDisabledCodes(db, serviceId, rows.filter((v) => !v.enabled).map((v) => v.code));
  return { service, variations: rows.map((v) => ({ ...v, staffDisabled: byStaff.has(v.code) })) };
}

/**
 * A new margin for a service, repricing its fixed-price plans; the change and its audit row commit
 * together. Prices are worked out in SQL from each plan's cost as it is then, so a sync landing
 * meanwhile cannot leave a plan priced from a stale (lower) cost. Same rounding as `sellingPrice`.
 */
export async function changeMargin(db: Database, actor: StaffMember, serviceId: string, marginBps: number, reason: string): Promise<void> {
  const { service, variations } = await catalogServiceDetail(db, serviceId);
  if (service.marginBps === marginBps) throw new AppError('CONFLICT', `The margin is already ${formatMargin(marginBps)}`, { margin: ['That is the current margin'] });
  const repriced = variations.filter((v) => v.fixedPrice).map((v) => ({ code: v.code, from: v.price, to: sellingPrice(v.costAmount, marginBps) }));
  const [[changed]] = await db.batch([
    db
      .update(catalogServices)
      .set({ marginBps })
      .where(and(eq(catalogServices.serviceId, serviceId), eq(catalogServices.marginBps, service.marginBps)))
      .returning({ serviceId: catalogServices.serviceId }),
    auditInsertIfChanged(db, actor, {
      action: 'catalog.service.margin',
      targetType: SERVICE_TARGET,
      targetId: serviceId,
      reason,
      before: { marginBps: service.marginBps, prices: Object.fromEntries(repriced.map((p) => [p.code, p.from])) },
      after: { marginBps, prices: Object.fromEntries(repriced.map((p) => [p.code, p.to])) },
    }),
    db
      .update(catalogVariations)
      // D1 binds numbers as REAL: the cast keeps this integer division, as in `sellingPrice`.
      .set({ price: sql`${catalogVariations.costAmount} + (${catalogVariations.costAmount} * CAST(${marginBps} AS INTEGER) + 9999) / 10000` })
      .where(and(eq(catalogVariations.serviceId, serviceId), eq(catalogVariations.fixedPrice, true), sql`(SELECT margin_bps FROM catalog_services WHERE service_id = ${serviceId}) = ${marginBps}`)),
  ]);
  if (!changed) throw new AppError('CONFLICT', 'Someone changed this margin at the same time; reload and try again');
}

/** Shows or hides a whole service from customers; guarded, so two staff at once leave one change and one audit row. */
export async function setServiceEnabled(db: Database, actor: StaffMember, serviceId: string, enabled: boolean, reason: string): Promise<void> {
  const { service } = await catalogServiceDetail(db, serviceId);
  if (service.enabled === enabled) throw new AppError('CONFLICT', `This service is already ${enabled ? 'enabled' : 'disabled'}`);
  const [[changed]] = await db.batch([
    db
      .update(catalogServices)
      .set({ enabled })
      .where(and(eq(catalogServices.serviceId, serviceId), eq(catalogServices.enabled, service.enabled)))
      .returning({ serviceId: catalogServices.serviceId }),
    auditInsertIfChanged(db, actor, { action: enabled ? 'catalog.service.enable' : 'catalog.service.disable', targetType: SERVICE_TARGET, targetId: serviceId, reason, before: { enabled: service.enabled }, after: { enabled } }),
  ]);
  if (!changed) throw new AppError('CONFLICT', `This service is already ${enabled ? 'enabled' : 'disabled'}`);
}

/**
 * Shows or hides one plan. Disabling a plan the sync switched off (VTpass stopped listing it) is
 * allowed: it records that staff want it off, so it stays off when VTpass lists it again.
 */
export async function setVariationEnabled(db: Database, actor: StaffMember, serviceId: string, code: string, enabled: boolean, reason: string): Promise<void> {
  const { variations } = await catalogServiceDetail(db, serviceId);
  const plan = variations.find((v) => v.code === code);
  if (!plan) throw new AppError('NOT_FOUND', 'No such plan in this service');
  const decidedBy = (v: AdminVariation) => (v.enabled ? null : v.staffDisabled ? 'staff' : 'sync');
  if (plan.enabled === enabled && (enabled || plan.staffDisabled)) throw new AppError('CONFLICT', `This plan is already ${enabled ? 'enabled' : 'disabled'}`);
  const [[changed]] = await db.batch([
    db
      .update(catalogVariations)
      .set({ enabled })
      .where(and(eq(catalogVariations.serviceId, serviceId), eq(catalogVariations.code, code), eq(catalogVariations.enabled, plan.enabled)))
      .returning({ code: catalogVariations.code }),
    auditInsertIfChanged(db, actor, {
      action: enabled ? VARIATION_AUDIT.enable : VARIATION_AUDIT.disable,
      targetType: VARIATION_AUDIT.targetType,
      targetId: VARIATION_AUDIT.targetId(serviceId, code),
      reason,
      before: { enabled: plan.enabled, disabledBy: decidedBy(plan) },
      after: { enabled, disabledBy: enabled ? null : 'staff' },
    }),
  ]);
  if (!changed) throw new AppError('CONFLICT', 'Someone changed this plan at the same time; reload and try again');
}

/**
 * A plan VTpass sells but did not list (source `manual`, which no sync disables), priced from
 * the service's margin. Only data and TV have plans with a fixed price; a code already in the
 * service is refused, whatever its source.
 */
export async function addManualPlan(db: Database, actor: StaffMember, serviceId: string, plan: z.output<typeof manualPlanInput>, reason: string, now = Date.now()): Promise<void> {
  const { service, variations } = await catalogServiceDetail(db, serviceId);
  if (service.category !== 'data' && service.category !== 'tv') throw new AppError('VALIDATION_FAILED', 'Only data and TV services have plans', { code: ['Only data and TV services have plans'] });
  if (variations.some((v) => v.code.toLowerCase() === plan.code.toLowerCase())) {
    throw new AppError('CONFLICT', `Plan ${plan.code} already exists in this service`, { code: ['This code already exists in this service'] });
  }
  const row = { serviceId, code: plan.code, name: plan.name, costAmount: plan.cost, price: sellingPrice(plan.cost, service.marginBps), fixedPrice: true, enabled: true, source: 'manual' as const, syncedAt: now };
  await db.batch([
    db.insert(catalogVariations).values(row),
    auditInsert(db, actor, { action: 'catalog.variation.add', targetType: VARIATION_AUDIT.targetType, targetId: VARIATION_AUDIT.targetId(serviceId, plan.code), reason, before: null, after: row }, now),
  ]);
}

/** A sync now, on staff's word; the audit row carries what it changed (and what VTpass failed to answer). */
export async function syncCatalogNow(db: Database, vtpass: Parameters<typeof syncCatalog>[1], actor: StaffMember, reason: string): Promise<SyncReport> {
  const report = await syncCatalog(db, vtpass);
  await recordAudit(db, actor, { action: 'catalog.sync', targetType: 'catalog', targetId: 'vtpass', reason, after: report });
  return report;
}
