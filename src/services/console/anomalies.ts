import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { anomalies, staff } from '../../db/schema';
import { cappedCsv, type CsvColumn, isoOrEmpty } from '../../lib/csv';
import { listAudit } from '../audit';
import { idRange, pageOf } from './filters';

export type Anomaly = typeof anomalies.$inferSelect;

/** What `consumeDeadLetters` records for a queue message that used up its retries (src/jobs/queue.ts). */
export const DEAD_LETTER_KIND = 'job_dead_letter';
export const ANOMALY_STATUSES = ['open', 'resolved', 'all'] as const;

export type AnomalyFilters = {
  q?: string;
  /** `open` unless asked: the list is a to-do list first, an archive second. */
  status: (typeof ANOMALY_STATUSES)[number];
  kind?: string;
  provider?: string;
  /** `YYYY-MM-DD`, Nairobi days. */
  from?: string;
  to?: string;
};

/** What an anomaly points at, read from its columns and its details (different kinds keep different keys). */
export type AnomalyLinks = { depositId: string | null; eventId: string | null; purchaseId: string | null; userId: string | null };

/** A dead letter's message, as far as its body says. */
export type DeadLetter = { messageId: string | null; type: string | null; attempt: number | null };

/** Exact keys: anomaly id, deposit id or event id. */
function search(q: string) {
  return or(eq(anomalies.id, q), eq(anomalies.depositId, q), eq(anomalies.eventId, q));
}

function where(filters: AnomalyFilters, cursor?: string) {
  const q = filters.q?.trim();
  return and(
    cursor ? lt(anomalies.id, cursor) : undefined,
    filters.status === 'all' ? undefined : eq(anomalies.status, filters.status),
    filters.kind ? eq(anomalies.kind, filters.kind) : undefined,
    filters.provider ? eq(anomalies.provider, filters.provider) : undefined,
    ...idRange(anomalies.id, 'anm', filters, 'Africa/Nairobi'),
    q ? search(q) : undefined,
  );
}

function select(db: Database, filters: AnomalyFilters, limit: number, cursor?: string) {
  return db.select().from(anomalies).where(where(filters, cursor)).orderBy(desc(anomalies.id)).limit(limit);
}

/** Anomalies newest first (ids sort by time); the cursor is the last id shown. */
export async function listAnomalies(db: Database, filters: AnomalyFilters & { limit: number; cursor?: string }) {
  const rows = await select(db, filters, filters.limit + 1, filters.cursor);
  return pageOf(rows, filters.limit, (row) => row.id);
}

/** The same filters without paging, up to `cap` rows. */
export async function exportAnomalies(db: Database, filters: AnomalyFilters, cap: number) {
  const rows = await select(db, filters, cap + 1);
  return cappedCsv(ANOMALY_CSV, rows, cap);
}

const ANOMALY_CSV: CsvColumn<Anomaly>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'created_utc', value: (r) => isoOrEmpty(r.createdAt) },
  { header: 'kind', value: (r) => r.kind },
  { header: 'provider', value: (r) => r.provider },
  { header: 'status', value: (r) => r.status },
  { header: 'deposit_id', value: (r) => r.depositId },
  { header: 'event_id', value: (r) => r.eventId },
  { header: 'purchase_id', value: (r) => anomalyLinks(r).purchaseId },
  { header: 'details', value: (r) => r.details },
  { header: 'resolved_utc', value: (r) => isoOrEmpty(r.resolvedAt) },
  { header: 'resolved_by', value: (r) => r.resolvedBy },
  { header: 'resolution', value: (r) => r.resolution },
];

function parseDetails(details: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(details);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

/** Links from the columns, else from the details or, for a dead letter, the message body it kept. */
export function anomalyLinks(anomaly: Anomaly): AnomalyLinks {
  const details = parseDetails(anomaly.details);
  const body = parseBody(details);
  return {
    depositId: anomaly.depositId ?? text(details.depositId) ?? text(body.depositId),
    eventId: anomaly.eventId,
    purchaseId: text(details.purchaseId) ?? text(body.purchaseId),
    userId: text(details.userId) ?? text(body.userId),
  };
}

function parseBody(details: Record<string, unknown>): Record<string, unknown> {
  const body = details.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The message a dead letter kept: its queue id, its `type` and the attempt it was on. */
export function deadLetter(anomaly: Anomaly): DeadLetter {
  const details = parseDetails(anomaly.details);
  const body = parseBody(details);
  return { messageId: text(details.messageId), type: text(body.type), attempt: typeof body.attempt === 'number' ? body.attempt : null };
}

/** One anomaly with who resolved it (the stored value may be a staff id or an email) and the last staff action. Null if unknown. */
export async function anomalyDetail(db: Database, id: string) {
  const anomaly = await db.query.anomalies.findFirst({ where: eq(anomalies.id, id) });
  if (!anomaly) return null;
  const resolver = anomaly.resolvedBy
    ? await db.query.staff.findFirst({ where: or(eq(staff.id, anomaly.resolvedBy), eq(staff.email, anomaly.resolvedBy.toLowerCase())), columns: { email: true, name: true } })
    : undefined;
  const { entries } = await listAudit(db, { targetType: 'anomaly', targetId: id, limit: 1 });
  return { anomaly, links: anomalyLinks(anomaly), deadLetter: anomaly.kind === DEAD_LETTER_KIND ? deadLetter(anomaly) : null, resolver: resolver ?? null, lastAction: entries[0] ?? null };
}
export type AnomalyDetail = NonNullable<Awaited<ReturnType<typeof anomalyDetail>>>;
