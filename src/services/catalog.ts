import { and, asc, count, eq, sql } from 'drizzle-orm';
import { catalogServices, catalogVariations } from '../db/schema';
import type { Database } from '../db/client';
import { log } from '../lib/log';
import type { VtpassClient } from '../providers/vtpass';

export type Category = (typeof catalogServices.$inferSelect)['category'];
export type CatalogService = typeof catalogServices.$inferSelect;
export type CatalogVariation = typeof catalogVariations.$inferSelect;

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

/**
 * Pulls services and variations from VTpass and upserts them. Names, limits and costs follow
 * VTpass; our margin and enabled flags are kept, and prices are recomputed from them.
 */
export async function syncCatalog(db: Database, vtpass: Pick<VtpassClient, 'services' | 'serviceVariations'>, now = Date.now()) {
  let services = 0;
  let variations = 0;
  for (const [identifier, category] of Object.entries(IDENTIFIERS)) {
    for (const service of await vtpass.services(identifier)) {
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
      services += 1;
      if (category === 'airtime' || !row) continue;
      const listed = await vtpass.serviceVariations(service.serviceId);
      const statements = listed.variations.map((v) => {
        const cost = v.amountKobo ?? 0;
        const fixedPrice = category !== 'electricity' && cost > 0;
        return db
          .insert(catalogVariations)
          .values({ serviceId: row.serviceId, code: v.code, name: v.name, costAmount: cost, price: sellingPrice(cost, row.marginBps), fixedPrice, syncedAt: now })
          .onConflictDoUpdate({
            target: [catalogVariations.serviceId, catalogVariations.code],
            set: { name: v.name, costAmount: cost, price: sellingPrice(cost, row.marginBps), fixedPrice, syncedAt: now },
          });
      });
      const [first, ...rest] = statements;
      if (first) await db.batch([first, ...rest]);
      variations += statements.length;
    }
  }
  log('info', 'catalogue synced', { services, variations });
  return { services, variations };
}

/** Syncs once when the catalogue has never been filled (fresh dev database, first deploy). */
export async function ensureCatalog(db: Database, vtpass: Pick<VtpassClient, 'services' | 'serviceVariations'>): Promise<void> {
  const [row] = await db.select({ n: count() }).from(catalogServices);
  if ((row?.n ?? 0) === 0) await syncCatalog(db, vtpass);
}

/** One enabled service and its enabled variations, or null. */
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
