import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ledgerEntries, providerEvents, purchases, users } from '../../db/schema';
import { cappedCsv, type CsvColumn, isoOrEmpty, majorUnits } from '../../lib/csv';
import { listAudit } from '../audit';
import type { Purchase } from '../purchases';
import { DETAIL_EVENT_LIMIT, idRange, pageOf } from './filters';

export type PurchaseFilters = {
  q?: string;
  category?: Purchase['category'];
  status?: Purchase['status'];
  escalated?: 'yes' | 'no';
  /** `YYYY-MM-DD`, Lagos days: VTpass and its request ids run on Lagos time. */
  from?: string;
  to?: string;
};

const rowColumns = {
  id: purchases.id,
  userId: purchases.userId,
  customerEmail: users.email,
  customerName: users.name,
  serviceId: purchases.serviceId,
  category: purchases.category,
  recipient: purchases.recipient,
  variationCode: purchases.variationCode,
  amount: purchases.amount,
  status: purchases.status,
  requestId: purchases.requestId,
  providerCode: purchases.providerCode,
  failureReason: purchases.failureReason,
  requeries: purchases.requeries,
  escalatedAt: purchases.escalatedAt,
  createdAt: purchases.createdAt,
  settledAt: purchases.settledAt,
};
export type PurchaseRow = {
  [K in keyof typeof rowColumns]: K extends 'customerEmail' | 'customerName' ? string | null : Purchase[K & keyof Purchase];
};

/** Purchases are NGN only (VTpass); the export still says so in its own column. */
const PURCHASE_CURRENCY = 'NGN';

/** Exact keys, as staff paste them: purchase id, VTpass request id, recipient, or the customer's email. */
function search(q: string) {
  return or(eq(purchases.id, q), eq(purchases.requestId, q), eq(purchases.recipient, q), eq(users.email, q.toLowerCase()));
}

function where(filters: PurchaseFilters, cursor?: string) {
  const q = filters.q?.trim();
  return and(
    cursor ? lt(purchases.id, cursor) : undefined,
    filters.category ? eq(purchases.category, filters.category) : undefined,
    filters.status ? eq(purchases.status, filters.status) : undefined,
    filters.escalated === 'yes' ? isNotNull(purchases.escalatedAt) : filters.escalated === 'no' ? isNull(purchases.escalatedAt) : undefined,
    ...idRange(purchases.id, 'pur', filters, 'Africa/Lagos'),
    q ? search(q) : undefined,
  );
}

function select(db: Database, filters: PurchaseFilters, limit: number, cursor?: string) {
  return db
    .select(rowColumns)
    .from(purchases)
    .leftJoin(users, eq(users.id, purchases.userId))
    .where(where(filters, cursor))
    .orderBy(desc(purchases.id))
    .limit(limit);
}

/** Purchases newest first (ids sort by time) with their customer, one cursor page at a time. */
export async function listConsolePurchases(db: Database, filters: PurchaseFilters & { limit: number; cursor?: string }) {
  const rows = await select(db, filters, filters.limit + 1, filters.cursor);
  return pageOf(rows, filters.limit, (row) => row.id);
}

/** The same filters without paging, up to `cap` rows; amounts in naira next to the currency. */
export async function exportPurchases(db: Database, filters: PurchaseFilters, cap: number) {
  const rows = await select(db, filters, cap + 1);
  return cappedCsv(PURCHASE_CSV, rows, cap);
}

const PURCHASE_CSV: CsvColumn<PurchaseRow>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'created_utc', value: (r) => isoOrEmpty(r.createdAt) },
  { header: 'customer_id', value: (r) => r.userId },
  { header: 'customer_email', value: (r) => r.customerEmail },
  { header: 'service_id', value: (r) => r.serviceId },
  { header: 'category', value: (r) => r.category },
  { header: 'recipient', value: (r) => r.recipient },
  { header: 'variation_code', value: (r) => r.variationCode },
  { header: 'currency', value: () => PURCHASE_CURRENCY },
  { header: 'amount', value: (r) => majorUnits(r.amount) },
  { header: 'status', value: (r) => r.status },
  { header: 'vtpass_request_id', value: (r) => r.requestId },
  { header: 'provider_code', value: (r) => r.providerCode },
  { header: 'failure_reason', value: (r) => r.failureReason },
  { header: 'requeries', value: (r) => r.requeries },
  { header: 'escalated_utc', value: (r) => isoOrEmpty(r.escalatedAt) },
  { header: 'settled_utc', value: (r) => isoOrEmpty(r.settledAt) },
];

/**
 * Every ledger transfer a purchase can make (src/services/purchases.ts): the hold (its own id),
 * the charge, the release, the refund of a reversed delivery, and the ledger's own release of a
 * hold whose deadline passed.
 */
function purchaseTransferIds(id: string): string[] {
  return [id, `${id}:post`, `${id}:void`, `${id}:refund`, `${id}:expired`];
}

/**
 * One purchase with its customer, ledger entries (D1 copy), the VTpass events that named its
 * request id and the audit trail. Null for an unknown id.
 */
export async function purchaseDetail(db: Database, id: string) {
  const purchase = await db.query.purchases.findFirst({ where: eq(purchases.id, id) });
  if (!purchase) return null;
  const transferIds = purchaseTransferIds(id);
  const [customer, entries, events, audit] = await Promise.all([
    db.query.users.findFirst({ where: eq(users.id, purchase.userId), columns: { id: true, email: true, name: true, status: true } }),
    db
      .select()
      .from(ledgerEntries)
      .where(inArray(ledgerEntries.transferId, transferIds))
      .orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.seq), asc(ledgerEntries.account)),
    db
      .select()
      .from(providerEvents)
      .where(and(eq(providerEvents.provider, 'vtpass'), eq(providerEvents.externalId, purchase.requestId)))
      // The webhook is unsigned, so anyone who knows a request id can add events: show the first few.
      .orderBy(asc(providerEvents.id))
      .limit(DETAIL_EVENT_LIMIT),
    listAudit(db, { targetType: 'purchase', targetId: id, limit: 50 }),
  ]);
  return { purchase, customer: customer ?? null, transferIds, entries, events, audit: audit.entries };
}
export type PurchaseDetail = NonNullable<Awaited<ReturnType<typeof purchaseDetail>>>;
