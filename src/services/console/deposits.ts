import { and, asc, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { anomalies, deposits, ledgerEntries, monnifyCheckouts, monnifyTransactions, providerEvents, users } from '../../db/schema';
import type { Currency } from '../../durable/ledger-types';
import { cappedCsv, type CsvColumn, isoOrEmpty, majorUnits } from '../../lib/csv';
import { normaliseKenyanPhone } from '../../lib/phone';
import { listAudit } from '../audit';
import type { Deposit } from '../deposits';
import { monnifyTransferId } from '../monnify-deposits';
import { DETAIL_EVENT_LIMIT, idRange, pageOf } from './filters';

export type DepositFilters = {
  q?: string;
  method?: Deposit['method'];
  status?: Deposit['status'];
  currency?: Currency;
  /** `YYYY-MM-DD`, Nairobi days (the console's deposit clock). */
  from?: string;
  to?: string;
};

const rowColumns = {
  id: deposits.id,
  userId: deposits.userId,
  customerEmail: users.email,
  customerName: users.name,
  method: deposits.method,
  currency: deposits.currency,
  amount: deposits.amount,
  status: deposits.status,
  phone: deposits.phone,
  receipt: deposits.receipt,
  checkoutRequestId: deposits.checkoutRequestId,
  failureReason: deposits.failureReason,
  createdAt: deposits.createdAt,
  settledAt: deposits.settledAt,
};
export type DepositRow = {
  [K in keyof typeof rowColumns]: K extends 'customerEmail' | 'customerName' ? string | null : Deposit[K & keyof Deposit];
};

/**
 * Search is by exact key, as staff paste them: deposit id, phone (any Kenyan form), M-Pesa receipt,
 * checkout request id (M-Pesa) or Monnify transaction reference, or the customer's email (on the
 * joined customer row).
 */
function search(q: string) {
  const phone = normaliseKenyanPhone(q);
  return or(
    eq(deposits.id, q),
    eq(deposits.checkoutRequestId, q),
    inArray(deposits.receipt, [...new Set([q, q.toUpperCase()])]),
    phone ? eq(deposits.phone, phone) : undefined,
    eq(users.email, q.toLowerCase()),
  );
}

function where(filters: DepositFilters, cursor?: string) {
  const q = filters.q?.trim();
  return and(
    cursor ? lt(deposits.id, cursor) : undefined,
    filters.method ? eq(deposits.method, filters.method) : undefined,
    filters.status ? eq(deposits.status, filters.status) : undefined,
    filters.currency ? eq(deposits.currency, filters.currency) : undefined,
    ...idRange(deposits.id, 'dep', filters, 'Africa/Nairobi'),
    q ? search(q) : undefined,
  );
}

function select(db: Database, filters: DepositFilters, limit: number, cursor?: string) {
  return db
    .select(rowColumns)
    .from(deposits)
    .leftJoin(users, eq(users.id, deposits.userId))
    .where(where(filters, cursor))
    .orderBy(desc(deposits.id))
    .limit(limit);
}

/** Deposits newest first (ids sort by time) with their customer, one cursor page at a time. */
export async function listConsoleDeposits(db: Database, filters: DepositFilters & { limit: number; cursor?: string }) {
  const rows = await select(db, filters, filters.limit + 1, filters.cursor);
  return pageOf(rows, filters.limit, (row) => row.id);
}

/** The same filters without paging, up to `cap` rows; amounts in major units next to their currency. */
export async function exportDeposits(db: Database, filters: DepositFilters, cap: number) {
  const rows = await select(db, filters, cap + 1);
  return cappedCsv(DEPOSIT_CSV, rows, cap);
}

const DEPOSIT_CSV: CsvColumn<DepositRow>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'created_utc', value: (r) => isoOrEmpty(r.createdAt) },
  { header: 'customer_id', value: (r) => r.userId },
  { header: 'customer_email', value: (r) => r.customerEmail },
  { header: 'method', value: (r) => r.method },
  { header: 'currency', value: (r) => r.currency },
  { header: 'amount', value: (r) => majorUnits(r.amount) },
  { header: 'status', value: (r) => r.status },
  { header: 'phone', value: (r) => r.phone },
  { header: 'receipt', value: (r) => r.receipt },
  { header: 'checkout_request_id', value: (r) => r.checkoutRequestId },
  { header: 'failure_reason', value: (r) => r.failureReason },
  { header: 'settled_utc', value: (r) => isoOrEmpty(r.settledAt) },
];

/**
 * The ledger transfer ids a deposit can have: its own id (M-Pesa), or Monnify's transaction
 * reference as `monnifyTransferId` writes it, from whichever record names it.
 */
async function transferIdsOf(deposit: Deposit, references: string[]): Promise<string[]> {
  const ids = [deposit.id];
  if (deposit.method === 'monnify') {
    const known = [deposit.receipt, deposit.checkoutRequestId, ...references].filter((r): r is string => !!r);
    for (const reference of new Set(known)) ids.push(await monnifyTransferId(reference));
  }
  return [...new Set(ids)];
}

/**
 * One deposit with everything around it: customer, provider events, anomalies, Monnify's records,
 * the ledger entries it made (from the D1 copy) and the audit trail. Null for an unknown id.
 */
export async function depositDetail(db: Database, id: string) {
  const deposit = await db.query.deposits.findFirst({ where: eq(deposits.id, id) });
  if (!deposit) return null;
  const [customer, events, anomalyRows, checkout, collections, audit] = await Promise.all([
    db.query.users.findFirst({ where: eq(users.id, deposit.userId), columns: { id: true, email: true, name: true, status: true } }),
    db.select().from(providerEvents).where(eq(providerEvents.depositId, id)).orderBy(asc(providerEvents.id)).limit(DETAIL_EVENT_LIMIT),
    db.select().from(anomalies).where(eq(anomalies.depositId, id)).orderBy(asc(anomalies.id)),
    db.query.monnifyCheckouts.findFirst({ where: eq(monnifyCheckouts.depositId, id) }),
    db.select().from(monnifyTransactions).where(eq(monnifyTransactions.depositId, id)),
    listAudit(db, { targetType: 'deposit', targetId: id, limit: 50 }),
  ]);
  const transferIds = await transferIdsOf(deposit, [checkout?.transactionReference, ...collections.map((c) => c.transactionReference)].filter((r): r is string => !!r));
  const entries = await db
    .select()
    .from(ledgerEntries)
    .where(inArray(ledgerEntries.transferId, transferIds))
    .orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.seq), asc(ledgerEntries.account));
  return { deposit, customer: customer ?? null, events, anomalies: anomalyRows, checkout: checkout ?? null, collections, transferIds, entries, audit: audit.entries };
}
export type DepositDetail = NonNullable<Awaited<ReturnType<typeof depositDetail>>>;
