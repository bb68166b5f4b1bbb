import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const timestamp = (name: string) => integer(name, { mode: 'number' });

/** What customers may buy, as VTpass lists it; `marginBps` and `enabled` are ours and survive a sync. */
export const catalogServices = sqliteTable('catalog_services', {
  serviceId: text('service_id').primaryKey(),
  category: text('category', { enum: ['airtime', 'data', 'electricity', 'tv'] }).notNull(),
  name: text('name').notNull(),
  /** Kobo, inclusive; for amount-priced services (airtime, electricity). */
  minAmount: integer('min_amount').notNull(),
  maxAmount: integer('max_amount').notNull(),
  /** Our margin on plan prices, in basis points of VTpass's price. */
  marginBps: integer('margin_bps').notNull().default(0),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  syncedAt: timestamp('synced_at').notNull(),
});

/**
 * Plans, bouquets and meter types. `price` is what the customer pays (cost + margin, whole kobo);
 * `fixedPrice = false` (meter types) means the amount comes from the customer within the service limits.
 */
export const catalogVariations = sqliteTable(
  'catalog_variations',
  {
    serviceId: text('service_id')
      .notNull()
      .references(() => catalogServices.serviceId),
    code: text('code').notNull(),
    name: text('name').notNull(),
    costAmount: integer('cost_amount').notNull(),
    price: integer('price').notNull(),
    fixedPrice: integer('fixed_price', { mode: 'boolean' }).notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** `manual`: added by staff (a VTpass code the sync did not list); a sync never disables it. */
    source: text('source', { enum: ['vtpass', 'manual'] }).notNull().default('vtpass'),
    syncedAt: timestamp('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.code] })],
);
