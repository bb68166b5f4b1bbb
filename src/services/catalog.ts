import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { auditLog, catalogServices, catalogVariations } from '../db/schema';
import type { Database } from '../db/client';
import { startsWith } from '../db/match';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import { VtpassError, type VtpassClient, type VtpassService, type VtpassVariation } from '../providers/vtpass';

export type Category = (typeof catalogServices.$inferSelect)['category'];
export type CatalogService = typeof catalogServices.$inferSelect;
export type CatalogVariation = typeof catalogVariations.$inferSelect;
type CatalogSource = Pick<VtpassClient, 'services' | 'serviceVariations'>;

/** VTpass category identifiers we sell, and what we call them. @see providers.md §2.4 */
const IDENTIFIERS: Record<string, Category> = {
  airtime: 'airtime',
  data: 'data',
  'electricity-bill': 'electricity',
  'tv-subscription': 'tv',
};

/** Margin on plan prices for services new to the catalogue; staff change it per service afterwards. */
const DEFAULT_MARGIN_BPS: Record<Category, number> = { airtime: 0, data: 200, electricity: 0, tv: 100 };

/** Selling price in whole kobo: VTpass's price plus our margin, rounded up. */
export function sellingPrice(costAmount: number, marginBps: number): number {
  return costAmount + Math.ceil((costAmount * marginBps) / 10_000);
}

export type SyncReport = {
  services: number;
  variations: number;
  /** VTpass plans it no longer lists, disabled by this sync. */
  disabled: number;
  /** Plans VTpass lists again after dropping them, enabled again because staff had not disabled them. */
  restored: number;
  /** Categories or services whose VTpass call failed; what they had is left exactly as it was. */
  failures: string[];
};

/**
 * Pulls services and variations from VTpass and upserts them. Names, limits and costs follow
 * VTpass; our margins and staff's enabled choices are kept, and prices are recomputed from them.
 * A failed call skips only its category or service, so one bad answer never disables anything.
 */
export async function syncCatalog(db: Database, vtpass: CatalogSource, now = Date.now()): Promise<SyncReport> {
  const report: SyncReport = { services: 0, variations: 0, disabled: 0, restored: 0, failures: [] };
  for (const [identifier, category] of Object.entries(IDENTIFIERS)) {
    const listed = await attempt(report, identifier, () => vtpass.services(identifier));
    for (const service of listed ?? []) {
      const row = await upsertService(db, service, category, now);
      report.services += 1;
      if (category === 'airtime' || !row) continue;
      const plans = await attempt(report, service.serviceId, async () => (await vtpass.serviceVariations(service.serviceId)).variations);
      if (!plans) continue;
      const outcome = await syncVariations(db, row, plans, now);
      report.variations += plans.length;
      report.disabled += outcome.disabled;
      report.restored += outcome.restored;
    }
  }
  log(report.failures.length ? 'warn' : 'info', 'catalogue synced', report);
  return report;
}

/** A VTpass catalogue call, or null (noted in the report) when VTpass gave no usable answer. */
async function attempt<T>(report: SyncReport, what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof VtpassError)) throw error;
    report.failures.push(`${what}: ${error.message}`);
    return null;
  }
}

async function upsertService(db: Database, service: VtpassService, category: Category, now: number) {
  const [row] = await db
    .insert(catalogServices)
    .values({
      serviceId: service.serviceId,
      category,
      name: service.name,
      minAmount: service.minimumAmountKobo ?? 100,
      maxAmount: service.maximumAmountKobo ?? 100_000_000,
      marginBps: DEFAULT_MARGIN_BPS[category],
      syncedAt: now,
    })
    .onConflictDoUpdate({
      target: catalogServices.serviceId,
      set: { category, name: service.name, minAmount: sql`excluded.min_amount`, maxAmount: sql`excluded.max_amount`, syncedAt: now },
    })
    .returning();
  return row;
}

/**
 * One service's plans, in one batch. Listed plans are upserted (a manual plan keeps its source and
 * is never disabled here). A VTpass plan missing from the list is disabled, unless the list is
 * empty (more likely a VTpass glitch than every plan withdrawn at once). A disabled VTpass plan
 * that was missing from the previous listing (its `syncedAt` is older than its siblings') and is
 * listed again is enabled, unless staff disabled it: the audit log records every staff
 * enable/disable, so it tells the two apart without a column of its own.
 */
async function syncVariations(db: Database, service: CatalogService, plans: VtpassVariation[], now: number) {
  const existing = await db.select().from(catalogVariations).where(eq(catalogVariations.serviceId, service.serviceId));
  const listed = new Set(plans.map((v) => v.code));
  const fromVtpass = existing.filter((v) => v.source === 'vtpass');
  const lastListing = Math.max(0, ...fromVtpass.map((v) => v.syncedAt));
  const dropped = plans.length === 0 ? [] : fromVtpass.filter((v) => v.enabled && !listed.has(v.code)).map((v) => v.code);
  const relisted = fromVtpass.filter((v) => !v.enabled && listed.has(v.code) && v.syncedAt < lastListing).map((v) => v.code);
  const keptOff = await staffDisabledCodes(db, service.serviceId, relisted);
  const restored = relisted.filter((code) => !keptOff.has(code));
  if (plans.length === 0) log('warn', 'VTpass listed no plans for a service; none disabled', { serviceId: service.serviceId });

  // At most 90 codes a statement: D1 allows 100 bound values.
  const switchPlans = (codes: string[], enabled: boolean) =>
    chunks(codes, 90).map((part) => db.update(catalogVariations).set({ enabled }).where(and(eq(catalogVariations.serviceId, service.serviceId), inArray(catalogVariations.code, part))));
  const statements = [
    ...plans.map((v) => {
      const cost = v.amountKobo ?? 0;
      const fixedPrice = service.category !== 'electricity' && cost > 0;
      const price = sellingPrice(cost, service.marginBps);
      return db
        .insert(catalogVariations)
        .values({ serviceId: service.serviceId, code: v.code, name: v.name, costAmount: cost, price, fixedPrice, syncedAt: now })
        .onConflictDoUpdate({ target: [catalogVariations.serviceId, catalogVariations.code], set: { name: v.name, costAmount: cost, price, fixedPrice, syncedAt: now } });
    }),
    ...switchPlans(dropped, false),
    ...switchPlans(restored, true),
  ];
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  return { disabled: dropped.length, restored: restored.length };
}

/** How the console names a plan in the audit log; the sync reads these rows to respect staff choices. */
export const VARIATION_AUDIT = {
  targetType: 'catalog_variation',
  enable: 'catalog.variation.enable',
  disable: 'catalog.variation.disable',
  targetId: (serviceId: string, code: string) => `${serviceId}/${code}`,
} as const;

/** The plans among `codes` whose latest enable/disable in the audit log is a disable: staff want them off. */
export async function staffDisabledCodes(db: Database, serviceId: string, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const byTarget = new Map(codes.map((code) => [VARIATION_AUDIT.targetId(serviceId, code), code]));
  // The service's prefix, not a list of codes: D1 allows at most 100 bound values in a statement.
  const rows = await db
    .select({ targetId: auditLog.targetId, action: auditLog.action })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.targetType, VARIATION_AUDIT.targetType),
        startsWith(auditLog.targetId, VARIATION_AUDIT.targetId(serviceId, '')),
        inArray(auditLog.action, [VARIATION_AUDIT.enable, VARIATION_AUDIT.disable]),
      ),
    )
    .orderBy(desc(auditLog.id));
  const latest = new Map<string, string>();
  for (const row of rows) if (byTarget.has(row.targetId) && !latest.has(row.targetId)) latest.set(row.targetId, row.action);
  return new Set([...latest].filter(([, action]) => action === VARIATION_AUDIT.disable).map(([target]) => byTarget.get(target)!));
}

/**
 * Takes a plan off sale after VTpass charged more for it than the customer paid (a stale or
 * mistyped cost): every further sale would lose money. The anomaly tells staff; a sync reprices a
 * listed plan, and staff re-enable it once the cost is right.
 */
export async function withdrawPlan(db: Database, serviceId: string, code: string): Promise<boolean> {
  const withdrawn = await db
    .update(catalogVariations)
    .set({ enabled: false })
    // Only plans with a price of their own: electricity's prepaid/postpaid are face value, not plans to withdraw.
    .where(and(eq(catalogVariations.serviceId, serviceId), eq(catalogVariations.code, code), eq(catalogVariations.fixedPrice, true)))
    .returning({ code: catalogVariations.code });
  return withdrawn.length > 0;
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Syncs once when the catalogue has never been filled (fresh dev database, first deploy). */
export async function ensureCatalog(db: Database, vtpass: CatalogSource): Promise<void> {
  const [row] = await db.select({ n: count() }).from(catalogServices);
  if ((row?.n ?? 0) > 0) return;
  const report = await syncCatalog(db, vtpass);
  if (report.services === 0 && report.failures.length > 0) {
    throw new AppError('PROVIDER_UNAVAILABLE', 'The catalogue is not available just now. Try again in a minute.');
  }
}

/** One enabled service and its enabled variations, or null: customers never see what staff or the sync switched off. */
export async function findCatalogService(db: Database, serviceId: string): Promise<{ service: CatalogService; variations: CatalogVariation[] } | null> {
  const service = await db.query.catalogServices.findFirst({ where: and(eq(catalogServices.serviceId, serviceId), eq(catalogServices.enabled, true)) });
  if (!service) return null;
  const variations = await db
    .select()
    .from(catalogVariations)
    .where(and(eq(catalogVariations.serviceId, serviceId), eq(catalogVariations.enabled, true)))
    .orderBy(asc(catalogVariations.price));
  return { service, variations };
}

/** The public catalogue (design.md §5): amounts are our selling prices in kobo; a meter type has no fixed amount. */
export async function publicCatalog(db: Database) {
  const services = await db.select().from(catalogServices).where(eq(catalogServices.enabled, true)).orderBy(asc(catalogServices.category), asc(catalogServices.serviceId));
  const variations = await db.select().from(catalogVariations).where(eq(catalogVariations.enabled, true)).orderBy(asc(catalogVariations.price));
  return services.map((s) => ({
    serviceId: s.serviceId,
    category: s.category,
    name: s.name,
    minAmount: s.minAmount,
    maxAmount: s.maxAmount,
    variations: variations.filter((v) => v.serviceId === s.serviceId).map((v) => ({ code: v.code, name: v.name, amount: v.fixedPrice ? v.price : null })),
  }));
}
