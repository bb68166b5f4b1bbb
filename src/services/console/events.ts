import { and, asc, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { anomalies, deposits, providerEvents, purchases } from '../../db/schema';
import { cappedCsv, type CsvColumn, isoOrEmpty } from '../../lib/csv';
import { idRange, pageOf } from './filters';

export type ProviderEvent = typeof providerEvents.$inferSelect;
export const EVENT_PROVIDERS = providerEvents.provider.enumValues;
export const EVENT_OUTCOMES = providerEvents.outcome.enumValues;

export type EventFilters = {
  q?: string;
  provider?: ProviderEvent['provider'];
  outcome?: ProviderEvent['outcome'];
  /** `YYYY-MM-DD`, Nairobi days. */
  from?: string;
  to?: string;
};

/** How much of a payload a CSV cell carries; the detail page shows all of it. */
const CSV_PAYLOAD_CHARS = 1_000;

const listColumns = {
  id: providerEvents.id,
  provider: providerEvents.provider,
  externalId: providerEvents.externalId,
  depositId: providerEvents.depositId,
  sourceIp: providerEvents.sourceIp,
  outcome: providerEvents.outcome,
  note: providerEvents.note,
  receivedAt: providerEvents.receivedAt,
};
export type EventRow = Omit<ProviderEvent, 'payload'>;

/** Exact keys as staff paste them: event id, provider's external id, deposit id or source IP. */
function search(q: string) {
  return or(eq(providerEvents.id, q), eq(providerEvents.externalId, q), eq(providerEvents.depositId, q), eq(providerEvents.sourceIp, q));
}

function where(filters: EventFilters, cursor?: string) {
  const q = filters.q?.trim();
  return and(
    cursor ? lt(providerEvents.id, cursor) : undefined,
    filters.provider ? eq(providerEvents.provider, filters.provider) : undefined,
    filters.outcome ? eq(providerEvents.outcome, filters.outcome) : undefined,
    ...idRange(providerEvents.id, 'evt', filters, 'Africa/Nairobi'),
    q ? search(q) : undefined,
  );
}

/** Webhook calls newest first (ids sort by time), without their payloads; the cursor is the last id. */
export async function listEvents(db: Database, filters: EventFilters & { limit: number; cursor?: string }) {
  const rows = await db
    .select(listColumns)
    .from(providerEvents)
    .where(where(filters, filters.cursor))
    .orderBy(desc(providerEvents.id))
    .limit(filters.limit + 1);
  return pageOf(rows, filters.limit, (row) => row.id);
}

/** The same filters without paging, up to `cap` rows, each payload cut to CSV_PAYLOAD_CHARS. */
export async function exportEvents(db: Database, filters: EventFilters, cap: number) {
  const rows = await db
    .select({ ...listColumns, payload: sql<string>`substr(${providerEvents.payload}, 1, ${sql.raw(String(CSV_PAYLOAD_CHARS))})`, payloadLength: sql<number>`length(${providerEvents.payload})` })
    .from(providerEvents)
    .where(where(filters))
    .orderBy(desc(providerEvents.id))
    .limit(cap + 1);
  return cappedCsv(EVENT_CSV, rows, cap);
}

const EVENT_CSV: CsvColumn<EventRow & { payload: string; payloadLength: number }>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'received_utc', value: (r) => isoOrEmpty(r.receivedAt) },
  { header: 'provider', value: (r) => r.provider },
  { header: 'outcome', value: (r) => r.outcome },
  { header: 'external_id', value: (r) => r.externalId },
  { header: 'deposit_id', value: (r) => r.depositId },
  { header: 'source_ip', value: (r) => r.sourceIp },
  { header: 'note', value: (r) => r.note },
  { header: 'payload_chars', value: (r) => r.payloadLength },
  { header: 'payload_truncated', value: (r) => r.payload },
];

/**
 * One event with what it is about: its deposit (by id), its purchase (a VTpass event's external id
 * is the purchase's request id) and any anomalies it raised. Null for an unknown id.
 */
export async function eventDetail(db: Database, id: string) {
  const event = await db.query.providerEvents.findFirst({ where: eq(providerEvents.id, id) });
  if (!event) return null;
  const [deposit, purchase, raised] = await Promise.all([
    event.depositId ? db.query.deposits.findFirst({ where: eq(deposits.id, event.depositId), columns: { id: true, userId: true, status: true } }) : undefined,
    event.provider === 'vtpass' && event.externalId
      ? db.query.purchases.findFirst({ where: eq(purchases.requestId, event.externalId), columns: { id: true, userId: true, status: true } })
      : undefined,
    db.select({ id: anomalies.id, kind: anomalies.kind, status: anomalies.status }).from(anomalies).where(eq(anomalies.eventId, id)).orderBy(asc(anomalies.id)).limit(20),
  ]);
  return { event, deposit: deposit ?? null, purchase: purchase ?? null, anomalies: raised };
}
export type EventDetail = NonNullable<Awaited<ReturnType<typeof eventDetail>>>;
