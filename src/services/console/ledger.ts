import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Database } from '../../db/client';
import { deposits, ledgerEntries, monnifyCheckouts, monnifyTransactions } from '../../db/schema';
import { type Currency, type EntryStatus, type SystemAccount, type TransferKind, WALLET_ACCOUNT } from '../../durable/ledger-types';
import { cappedCsv, type CsvColumn, isoOrEmpty, majorUnits } from '../../lib/csv';
import { dayStartMs, pageOf } from './filters';

/**
 * The console's view of the D1 copy of every wallet journal. One row per transfer, not per entry:
 * every transfer is exactly two entries with the same amount (the wallet's, and the system
 * account's opposite one, always at the next seq), so the wallet side plus the name of the account
 * on the other side says everything, in half the rows. The account filter picks that other side.
 */
export type TransferFilters = {
  q?: string;
  userId?: string;
  currency?: Currency;
  account?: SystemAccount;
  kind?: TransferKind;
  status?: EntryStatus;
  /** `YYYY-MM-DD`, Nairobi days. */
  from?: string;
  to?: string;
};

export type LedgerEntry = typeof ledgerEntries.$inferSelect;
export type TransferRow = LedgerEntry & { counterparty: string | null };

const DAY_MS = 86_400_000;
const side = alias(ledgerEntries, 'side');
const w = ledgerEntries;

/** `(created_at, id)` strictly before the cursor `<created_at>.<entry id>`. */
function beforeCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const dot = cursor.indexOf('.');
  const at = Number(cursor.slice(0, dot));
  return and(lte(w.createdAt, at), or(lt(w.createdAt, at), lt(w.id, cursor.slice(dot + 1))));
}

/** Exact keys as staff paste them: a transfer id, a reference, or a purchase id (its `purchase:<id>` reference). */
function search(q: string) {
  return or(eq(w.transferId, q), inArray(w.reference, [q, `purchase:${q}`]));
}

function select(db: Database, filters: TransferFilters, limit: number, cursor?: string) {
  const q = filters.q?.trim();
  return db
    .select({ entry: w, counterparty: side.account })
    .from(w)
    .leftJoin(side, and(eq(side.userId, w.userId), eq(side.currency, w.currency), eq(side.seq, sql`${w.seq} + 1`), eq(side.transferId, w.transferId)))
    .where(
      and(
        eq(w.account, WALLET_ACCOUNT),
        filters.userId ? eq(w.userId, filters.userId) : undefined,
        filters.currency ? eq(w.currency, filters.currency) : undefined,
        filters.account ? eq(side.account, filters.account) : undefined,
        filters.kind ? eq(w.kind, filters.kind) : undefined,
        filters.status ? eq(w.status, filters.status) : undefined,
        filters.from ? gte(w.createdAt, dayStartMs(filters.from, 'Africa/Nairobi')) : undefined,
        filters.to ? lt(w.createdAt, dayStartMs(filters.to, 'Africa/Nairobi') + DAY_MS) : undefined,
        q ? search(q) : undefined,
        beforeCursor(cursor),
      ),
    )
    .orderBy(desc(w.createdAt), desc(w.id))
    .limit(limit)
    .then((rows) => rows.map((row): TransferRow => ({ ...row.entry, counterparty: row.counterparty })));
}

/** Transfers newest first; the cursor is `<created_at>.<entry id>` of the last row shown. */
export async function listTransfers(db: Database, filters: TransferFilters & { limit: number; cursor?: string }) {
  const rows = await select(db, filters, filters.limit + 1, filters.cursor);
  return pageOf(rows, filters.limit, (row) => `${row.createdAt}.${row.id}`);
}

/** The same filters without paging, up to `cap` rows. */
export async function exportTransfers(db: Database, filters: TransferFilters, cap: number) {
  const rows = await select(db, filters, cap + 1);
  return cappedCsv(TRANSFER_CSV, rows, cap);
}

const TRANSFER_CSV: CsvColumn<TransferRow>[] = [
  { header: 'created_utc', value: (r) => isoOrEmpty(r.createdAt) },
  { header: 'transfer_id', value: (r) => r.transferId },
  { header: 'customer_id', value: (r) => r.userId },
  { header: 'currency', value: (r) => r.currency },
  { header: 'kind', value: (r) => r.kind },
  { header: 'wallet_direction', value: (r) => r.direction },
  { header: 'other_account', value: (r) => r.counterparty },
  { header: 'amount', value: (r) => majorUnits(r.amount) },
  { header: 'status', value: (r) => r.status },
  { header: 'balance_after', value: (r) => (r.balanceAfter === null ? null : majorUnits(r.balanceAfter)) },
  { header: 'held_after', value: (r) => (r.heldAfter === null ? null : majorUnits(r.heldAfter)) },
  { header: 'reference', value: (r) => r.reference },
  { header: 'related_id', value: (r) => r.relatedId },
  { header: 'seq', value: (r) => r.seq },
];

/** What a transfer was for, so the page can link to it. */
export type BusinessObject = { type: 'deposit' | 'purchase' | 'adjustment'; id: string };

export type TransferDetail = {
  /** Every entry with this transfer id, both sides, grouped by wallet (an id is unique per wallet). */
  entries: LedgerEntry[];
  /** Wallet sides of the transfers this one settles or reverses, and of those that settle or reverse it. */
  related: LedgerEntry[];
  business: BusinessObject | null;
};

/** One transfer as D1 has it, with its related transfers and the business object behind it; null if unknown. */
export async function transferDetail(db: Database, transferId: string): Promise<TransferDetail | null> {
  const entries = await db.select().from(ledgerEntries).where(eq(ledgerEntries.transferId, transferId)).orderBy(asc(ledgerEntries.userId), asc(ledgerEntries.currency), asc(ledgerEntries.seq));
  const first = entries.find((e) => e.account === WALLET_ACCOUNT) ?? entries[0];
  if (!first) return null;
  const settles = [...new Set(entries.map((e) => e.relatedId).filter((id): id is string => !!id))];
  const related = await db
    .select()
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.userId, first.userId),
        eq(ledgerEntries.currency, first.currency),
        eq(ledgerEntries.account, WALLET_ACCOUNT),
        or(eq(ledgerEntries.relatedId, transferId), settles.length ? inArray(ledgerEntries.transferId, settles) : undefined),
      ),
    )
    .orderBy(asc(ledgerEntries.seq));
  const counterparty = entries.find((e) => e.account !== WALLET_ACCOUNT)?.account ?? null;
  return { entries, related, business: await businessObject(db, transferId, first.reference, counterparty) };
}

/**
 * Purchases name themselves in the reference (`purchase:<id>`, on the hold and everything that
 * settles it); adjustments use their id as the transfer id; a deposit's credit is the deposit id
 * (M-Pesa) or `mnfy:<transaction reference>` (Monnify), found through the records that keep it.
 */
async function businessObject(db: Database, transferId: string, reference: string | null, counterparty: string | null): Promise<BusinessObject | null> {
  if (reference?.startsWith('purchase:')) return { type: 'purchase', id: reference.slice('purchase:'.length) };
  if (counterparty === 'adjustments') return { type: 'adjustment', id: transferId };
  if (counterparty !== 'mpesa:clearing' && counterparty !== 'monnify:clearing') return null;
  const references = transferId.startsWith('mnfy:') ? monnifyReferences(transferId.slice('mnfy:'.length)) : [];
  const [found] = await db
    .select({ id: deposits.id })
    .from(deposits)
    .where(
      or(
        eq(deposits.id, transferId),
        references.length ? inArray(deposits.checkoutRequestId, references) : undefined,
        references.length ? inArray(deposits.id, db.select({ id: monnifyCheckouts.depositId }).from(monnifyCheckouts).where(inArray(monnifyCheckouts.transactionReference, references))) : undefined,
        references.length ? inArray(deposits.id, db.select({ id: monnifyTransactions.depositId }).from(monnifyTransactions).where(inArray(monnifyTransactions.transactionReference, references))) : undefined,
      ),
    )
    .limit(1);
  return found ? { type: 'deposit', id: found.id } : null;
}

/** `monnifyTransferId` turns `|` into `:`; either spelling may be the original reference. */
function monnifyReferences(tail: string): string[] {
  if (tail.startsWith('h:')) return [];
  return [...new Set([tail, tail.replaceAll(':', '|')])];
}
