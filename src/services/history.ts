import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { catalogServices, deposits, purchases } from '../db/schema';
import { CURRENCIES, type Currency } from '../durable/ledger-types';
import { majorUnits, toCsv, type CsvColumn } from '../lib/csv';

export const HISTORY_TYPES = ['all', 'airtime', 'data', 'electricity', 'tv', 'deposit'] as const;
/** One status vocabulary over both kinds: `completed` is a delivered purchase or a succeeded deposit. */
export const HISTORY_STATUSES = ['all', 'pending', 'completed', 'failed', 'reversed'] as const;
export type HistoryType = Exclude<(typeof HISTORY_TYPES)[number], 'all'>;
export type HistoryStatus = Exclude<(typeof HISTORY_STATUSES)[number], 'all'>;

/**
 * An item's calendar day is its own country's: naira items (every purchase, Monnify top-ups) in
 * Lagos, shilling items (M-Pesa top-ups) in Nairobi, for the date filters, the page and the CSV.
 * Neither zone has daylight saving, so a fixed offset is exact.
 */
export const HISTORY_ZONES: Record<Currency, { timeZone: string; label: string; offsetMinutes: number }> = {
  KES: { timeZone: 'Africa/Nairobi', label: 'EAT', offsetMinutes: 180 },
  NGN: { timeZone: 'Africa/Lagos', label: 'WAT', offsetMinutes: 60 },
};

const blank = (value: unknown) => (value === '' ? undefined : value);
const day = z.preprocess(blank, z.iso.date('Enter a date as YYYY-MM-DD').optional());

/** The `/history` and `/history.csv` query: empty form fields mean "no filter". */
export const historyQuery = z
  .object({
    type: z.preprocess(blank, z.enum(HISTORY_TYPES, 'Choose a type from the list').default('all')),
    status: z.preprocess(blank, z.enum(HISTORY_STATUSES, 'Choose a status from the list').default('all')),
    from: day,
    to: day,
    cursor: z.preprocess(blank, z.string().regex(/^\d{1,15}\.[A-Za-z0-9_-]{1,64}$/, 'This is not a page of this list').optional()),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'The end date is before the start date', path: ['to'] });
export type HistoryFilters = z.output<typeof historyQuery>;

/** A purchase or a deposit, as the history page and the CSV show it. */
export type HistoryItem = {
  kind: 'purchase' | 'deposit';
  id: string;
  type: HistoryType;
  status: HistoryStatus;
  currency: Currency;
  /** Minor units, always positive: purchases take money out, deposits put it in. */
  amount: number;
  createdAt: number;
  description: string;
  /** M-Pesa receipt or Monnify reference for deposits, the token for electricity. */
  receipt: string | null;
  method: 'mpesa' | 'monnify' | null;
};

export type HistoryPage = { items: HistoryItem[]; nextCursor: string | null };

const PURCHASE_STATUS = { pending: 'pending', completed: 'delivered', failed: 'failed', reversed: 'reversed' } as const;
const DEPOSIT_STATUS = { pending: 'pending', completed: 'succeeded', failed: 'failed' } as const;
const FROM_PURCHASE_STATUS = { pending: 'pending', delivered: 'completed', failed: 'failed', reversed: 'reversed' } as const;
const FROM_DEPOSIT_STATUS = { pending: 'pending', succeeded: 'completed', failed: 'failed' } as const;
const NETWORKS: Record<string, string> = { mtn: 'MTN', glo: 'Glo', airtel: 'Airtel', etisalat: '9mobile' };
const TV_BRANDS: Record<string, string> = { dstv: 'DStv', gotv: 'GOtv', startimes: 'StarTimes', showmax: 'Showmax' };
const DAY_MS = 86_400_000;

/** Midnight at the start of `date` in the currency's zone, as epoch ms. */
function startOfDay(date: string, currency: Currency): number {
  return Date.parse(`${date}T00:00:00Z`) - HISTORY_ZONES[currency].offsetMinutes * 60_000;
}

/** `(created_at, id)` strictly before the cursor; `created_at <=` keeps the (user_id, created_at) index range. */
function beforeCursor(table: typeof purchases | typeof deposits, cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const dot = cursor.indexOf('.');
  const at = Number(cursor.slice(0, dot));
  return and(lte(table.createdAt, at), or(lt(table.createdAt, at), lt(table.id, cursor.slice(dot + 1))));
}

function dateRange(table: typeof purchases | typeof deposits, currency: Currency, filters: HistoryFilters): SQL | undefined {
  return and(filters.from ? gte(table.createdAt, startOfDay(filters.from, currency)) : undefined, filters.to ? lt(table.createdAt, startOfDay(filters.to, currency) + DAY_MS) : undefined);
}

/** Each currency's own day bounds, inside an envelope over both that the index can range-scan. */
function depositDateRange(filters: HistoryFilters): SQL | undefined {
  const { from, to } = filters;
  if (!from && !to) return undefined;
  const envelope = and(
    from ? gte(deposits.createdAt, Math.min(...CURRENCIES.map((c) => startOfDay(from, c)))) : undefined,
    to ? lt(deposits.createdAt, Math.max(...CURRENCIES.map((c) => startOfDay(to, c))) + DAY_MS) : undefined,
  );
  return and(envelope, or(...CURRENCIES.map((c) => and(eq(deposits.currency, c), dateRange(deposits, c, filters)))));
}

async function purchaseItems(db: Database, userId: string, filters: HistoryFilters, take: number): Promise<HistoryItem[]> {
  const rows = await db
    .select({ p: purchases, serviceName: catalogServices.name })
    .from(purchases)
    .leftJoin(catalogServices, eq(catalogServices.serviceId, purchases.serviceId))
    .where(
      and(
        eq(purchases.userId, userId),
        filters.type === 'all' ? undefined : eq(purchases.category, filters.type as Exclude<HistoryType, 'deposit'>),
        filters.status === 'all' ? undefined : eq(purchases.status, PURCHASE_STATUS[filters.status]),
        dateRange(purchases, 'NGN', filters),
        beforeCursor(purchases, filters.cursor),
      ),
    )
    .orderBy(desc(purchases.createdAt), desc(purchases.id))
    .limit(take);
  return rows.map(({ p, serviceName }) => ({
    kind: 'purchase',
    id: p.id,
    type: p.category,
    status: FROM_PURCHASE_STATUS[p.status],
    currency: 'NGN',
    amount: p.amount,
    createdAt: p.createdAt,
    description: describePurchase(p.category, p.serviceId, serviceName, p.recipient),
    receipt: p.token,
    method: null,
  }));
}

async function depositItems(db: Database, userId: string, filters: HistoryFilters, take: number): Promise<HistoryItem[]> {
  const rows = await db
    .select()
    .from(deposits)
    .where(
      and(
        eq(deposits.userId, userId),
        filters.status === 'all' ? undefined : eq(deposits.status, DEPOSIT_STATUS[filters.status as keyof typeof DEPOSIT_STATUS]),
        depositDateRange(filters),
        beforeCursor(deposits, filters.cursor),
      ),
    )
    .orderBy(desc(deposits.createdAt), desc(deposits.id))
    .limit(take);
  return rows.map((d) => ({
    kind: 'deposit',
    id: d.id,
    type: 'deposit',
    status: FROM_DEPOSIT_STATUS[d.status],
    currency: d.currency,
    amount: d.amount,
    createdAt: d.createdAt,
    description: d.method === 'mpesa' ? `M-Pesa top-up${d.phone ? ` from ${d.phone}` : ''}` : 'Monnify top-up (bank transfer or card)',
    receipt: d.receipt,
    method: d.method,
  }));
}

/** "MTN airtime to 08011111111": what a customer recognises, from our service ids and VTpass's names. */
export function describePurchase(category: HistoryType, serviceId: string, serviceName: string | null, recipient: string): string {
  const name = serviceName ?? serviceId.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(' ');
  if (category === 'airtime') return `${NETWORKS[serviceId] ?? name} airtime to ${recipient}`;
  if (category === 'data') return `${NETWORKS[serviceId.replace(/-data$/, '')] ?? name} data to ${recipient}`;
  if (category === 'electricity') return `Electricity (${name.split(' - ').at(-1)}) for meter ${recipient}`;
  return `${TV_BRANDS[serviceId] ? `${TV_BRANDS[serviceId]} subscription` : name} for smartcard ${recipient}`;
}

/** Newest first over both tables; ties on time fall back to the id, so the order is total and stable. */
function newestFirst(a: HistoryItem, b: HistoryItem): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * One page of a customer's purchases and deposits, newest first. Each table is read through its
 * (user_id, created_at) index for at most `limit + 1` rows and the two are merged; the cursor is
 * `createdAt.id` of the last item shown, so a page never repeats or skips an item.
 */
export async function listHistory(db: Database, userId: string, filters: HistoryFilters, limit = 25): Promise<HistoryPage> {
  const wantPurchases = filters.type !== 'deposit';
  const wantDeposits = (filters.type === 'all' || filters.type === 'deposit') && filters.status !== 'reversed';
  const [bought, funded] = await Promise.all([
    wantPurchases ? purchaseItems(db, userId, filters, limit + 1) : [],
    wantDeposits ? depositItems(db, userId, filters, limit + 1) : [],
  ]);
  const merged = [...bought, ...funded].sort(newestFirst);
  const items = merged.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: merged.length > limit && last ? `${last.createdAt}.${last.id}` : null };
}

/** A CSV export is bounded: at most this many rows (newest first), so one request cannot read a whole table. */
export const HISTORY_EXPORT_CAP = 10_000;

/** Everything the filters match, newest first, read in index-friendly pages up to `cap` items. */
export async function exportHistory(db: Database, userId: string, filters: HistoryFilters, cap = HISTORY_EXPORT_CAP): Promise<{ items: HistoryItem[]; truncated: boolean }> {
  const items: HistoryItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await listHistory(db, userId, { ...filters, cursor }, Math.min(1000, cap - items.length));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < cap);
  return { items, truncated: cursor !== undefined };
}

/** ISO 8601 in the item's own zone (e.g. `2025-01-15T14:30:04+01:00`), so dates match the filters. */
export function localIsoTime(ms: number, currency: Currency): string {
  const offset = HISTORY_ZONES[currency].offsetMinutes;
  const sign = offset < 0 ? '-' : '+';
  const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  return `${new Date(ms + offset * 60_000).toISOString().slice(0, 19)}${sign}${hhmm}`;
}

const CSV_COLUMNS: CsvColumn<HistoryItem>[] = [
  { header: 'date', value: (i) => localIsoTime(i.createdAt, i.currency) },
  { header: 'type', value: (i) => i.type },
  { header: 'description', value: (i) => i.description },
  { header: 'status', value: (i) => i.status },
  { header: 'direction', value: (i) => (i.kind === 'deposit' ? 'in' : 'out') },
  { header: 'currency', value: (i) => i.currency },
  { header: 'amount', value: (i) => majorUnits(i.amount) },
  { header: 'reference', value: (i) => i.id },
  { header: 'receipt', value: (i) => i.receipt },
];

/** The customer's history as CSV (see src/lib/csv.ts for quoting and formula-injection rules). */
export function historyCsv(items: HistoryItem[]): string {
  return toCsv(CSV_COLUMNS, items);
}
