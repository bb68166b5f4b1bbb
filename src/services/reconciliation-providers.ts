import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { deposits, ledgerEntries } from '../db/schema';
import { majorUnits } from '../lib/csv';
import type { VtpassClient } from '../providers/vtpass';
import { askFloat, type FloatBalance } from './console/overview';
import { monnifyTransferId } from './monnify-deposits';
import type { Difference, Period } from './reconciliation';

/**
 * Our own records and the providers against the ledger (D1 copy), for one period: every
 * succeeded deposit has a posted credit of the same amount from its clearing account and every
 * such credit a succeeded deposit; every delivered purchase a posted hold (`<id>:post`) of its
 * amount and every post a delivered (or since reversed and refunded) purchase.
 */

/** Amounts in differences read as staff read money: `NGN 1500.50`, not kobo. */
export function money(minor: number, currency: string): string {
  return `${currency} ${majorUnits(minor)}`;
}

/** Each list stops here; the page says so when it does. */
export const DIFFERENCES_PER_CHECK = 200;
/** The copy to D1 normally lands within seconds; younger differences are marked as possibly lag. */
const LAG_MS = 2 * 60_000;

/** How the deposit flows name a deposit's credit (deposits.ts, monnify-deposits.ts), in SQL; hashed Monnify ids are checked in code. */
const EXPECTED_TRANSFER = sql`CASE d.method WHEN 'mpesa' THEN d.id ELSE 'mnfy:' || replace(coalesce(d.receipt, d.checkout_request_id, ''), '|', ':') END`;
const CLEARING = sql`CASE d.method WHEN 'mpesa' THEN 'mpesa:clearing' ELSE 'monnify:clearing' END`;

type DepositRow = { id: string; user_id: string; method: 'mpesa' | 'monnify'; currency: string; amount: number; reference: string | null; settled_at: number | null; credited: number | null; status: string | null };
type CreditRow = { transfer_id: string; user_id: string; currency: string; account: string; amount: number; created_at: number };

/** Succeeded deposits without their credit, and clearing credits without a succeeded deposit. */
export async function depositDifferences(db: Database, period: Period, now = Date.now()): Promise<Difference[]> {
  const uncredited = await db.all<DepositRow>(sql`
    SELECT d.id, d.user_id, d.method, d.currency, d.amount, coalesce(d.receipt, d.checkout_request_id) AS reference, d.settled_at, e.amount AS credited, e.status
    FROM deposits d LEFT JOIN ledger_entries e
      ON e.transfer_id = ${EXPECTED_TRANSFER} AND e.user_id = d.user_id AND e.currency = d.currency AND e.kind = 'credit' AND e.account = ${CLEARING}
    WHERE d.status = 'succeeded' AND d.created_at >= ${period.start} AND d.created_at < ${period.end}
      AND (e.id IS NULL OR e.amount <> d.amount OR e.status <> 'posted')
    LIMIT ${DIFFERENCES_PER_CHECK}`);
  const unmatched = await db.all<CreditRow>(sql`
    SELECT e.transfer_id, e.user_id, e.currency, e.account, e.amount, e.created_at FROM ledger_entries e
    WHERE e.kind = 'credit' AND e.account IN ('mpesa:clearing', 'monnify:clearing') AND e.created_at >= ${period.start} AND e.created_at < ${period.end}
      AND NOT EXISTS (SELECT 1 FROM deposits d WHERE d.status = 'succeeded' AND d.user_id = e.user_id AND d.method = (CASE e.account WHEN 'mpesa:clearing' THEN 'mpesa' ELSE 'monnify' END)
        AND e.transfer_id = ${EXPECTED_TRANSFER})
    LIMIT ${DIFFERENCES_PER_CHECK}`);
  const out: Difference[] = [];
  for (const d of uncredited) {
    const credit = d.credited === null && d.method === 'monnify' && d.reference ? await hashedCredit(db, d) : null;
    if (credit && credit.amount === d.amount) continue;
    const credited = credit?.amount ?? d.credited;
    out.push({
      section: 'deposit',
      kind: credited === null ? 'succeeded deposit without a credit' : 'credit differs from the deposit',
      subject: d.id,
      href: `/admin/deposits/${encodeURIComponent(d.id)}`,
      expected: `${money(d.amount, d.currency)} credited from ${d.method}:clearing`,
      actual: credited === null ? 'no credit in the ledger' : `${money(credited, d.currency)}${d.status && d.status !== 'posted' ? ` (${d.status})` : ''}`,
      detail: `${d.method} deposit of customer ${d.user_id}`,
      recent: (d.settled_at ?? 0) > now - LAG_MS,
    });
  }
  for (const e of unmatched) {
    if (e.transfer_id.startsWith('mnfy:h:') && (await hashedDeposit(db, e))) continue;
    out.push({
      section: 'deposit',
      kind: 'credit without a succeeded deposit',
      subject: e.transfer_id,
      href: `/admin/ledger/${encodeURIComponent(e.transfer_id)}`,
      expected: 'a succeeded deposit with this transfer id',
      actual: await depositStateFor(db, e),
      detail: `${money(e.amount, e.currency)} from ${e.account} to customer ${e.user_id}`,
      recent: e.created_at > now - LAG_MS,
    });
  }
  return out;
}

/** A Monnify reference with characters a transfer id cannot hold is credited under its hash. */
async function hashedCredit(db: Database, d: DepositRow) {
  const transferId = await monnifyTransferId(d.reference!);
  if (!transferId.startsWith('mnfy:h:')) return null;
  const [entry] = await db
    .select({ amount: ledgerEntries.amount })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.transferId, transferId), eq(ledgerEntries.userId, d.user_id), eq(ledgerEntries.account, 'monnify:clearing'), eq(ledgerEntries.status, 'posted')));
  return entry ?? null;
}

async function hashedDeposit(db: Database, e: CreditRow): Promise<boolean> {
  const candidates = await db
    .select({ receipt: deposits.receipt, checkout: deposits.checkoutRequestId, amount: deposits.amount })
    .from(deposits)
    .where(and(eq(deposits.userId, e.user_id), eq(deposits.method, 'monnify'), eq(deposits.status, 'succeeded')));
  for (const d of candidates) {
    const reference = d.receipt ?? d.checkout;
    if (reference && d.amount === e.amount && (await monnifyTransferId(reference)) === e.transfer_id) return true;
  }
  return false;
}

/** What our records say about the deposit a stray credit names, in words for the list. */
async function depositStateFor(db: Database, e: CreditRow): Promise<string> {
  const [row] = await db.all<{ id: string; status: string }>(sql`
    SELECT d.id, d.status FROM deposits d WHERE d.user_id = ${e.user_id} AND d.method = (CASE ${e.account} WHEN 'mpesa:clearing' THEN 'mpesa' ELSE 'monnify' END)
      AND ${e.transfer_id} = ${EXPECTED_TRANSFER} LIMIT 1`);
  return row ? `deposit ${row.id} is ${row.status}` : 'no deposit has this transfer id';
}

type PurchaseRow = { id: string; user_id: string; status: string; amount: number; posted: number | null; refunded: number | null; settled_at: number | null };
type PostRow = { transfer_id: string; user_id: string; amount: number; created_at: number; purchase_id: string | null; status: string | null };

/** Delivered purchases whose hold was not posted for their amount, reversed ones never refunded, and posts no delivered purchase explains. */
export async function purchaseDifferences(db: Database, period: Period, now = Date.now()): Promise<Difference[]> {
  const purchaseSide = await db.all<PurchaseRow>(sql`
    SELECT p.id, p.user_id, p.status, p.amount, post.amount AS posted, refund.amount AS refunded, p.settled_at
    FROM purchases p
    LEFT JOIN ledger_entries post ON post.transfer_id = p.id || ':post' AND post.user_id = p.user_id AND post.currency = 'NGN' AND post.account = 'vtpass:float'
    LEFT JOIN ledger_entries refund ON refund.transfer_id = p.id || ':refund' AND refund.user_id = p.user_id AND refund.currency = 'NGN' AND refund.account = 'vtpass:float'
    WHERE p.created_at >= ${period.start} AND p.created_at < ${period.end}
      AND ((p.status = 'delivered' AND (post.id IS NULL OR post.amount <> p.amount)) OR (p.status = 'reversed' AND post.id IS NOT NULL AND refund.id IS NULL))
    LIMIT ${DIFFERENCES_PER_CHECK}`);
  const ledgerSide = await db.all<PostRow>(sql`
    SELECT e.transfer_id, e.user_id, e.amount, e.created_at, p.id AS purchase_id, p.status FROM ledger_entries e
    LEFT JOIN purchases p ON p.id = substr(e.transfer_id, 1, length(e.transfer_id) - 5) AND p.user_id = e.user_id
    WHERE e.account = 'vtpass:float' AND e.kind = 'post' AND e.created_at >= ${period.start} AND e.created_at < ${period.end}
      AND (p.id IS NULL OR p.status NOT IN ('delivered', 'reversed'))
    LIMIT ${DIFFERENCES_PER_CHECK}`);
  const out: Difference[] = purchaseSide.map((p) => {
    const unrefunded = p.status === 'reversed';
    return {
      section: 'purchase' as const,
      kind: unrefunded ? 'reversed purchase not refunded' : p.posted === null ? 'delivered purchase without a posted hold' : 'posted amount differs',
      subject: p.id,
      href: `/admin/purchases/${encodeURIComponent(p.id)}`,
      expected: unrefunded ? `refund ${p.id}:refund of ${money(p.amount, 'NGN')}` : `${p.id}:post of ${money(p.amount, 'NGN')}`,
      actual: unrefunded ? 'posted, no refund' : p.posted === null ? 'no post in the ledger' : `${money(p.posted, 'NGN')} posted`,
      detail: `purchase of customer ${p.user_id}`,
      recent: (p.settled_at ?? 0) > now - LAG_MS,
    };
  });
  for (const e of ledgerSide) {
    out.push({
      section: 'purchase',
      kind: 'post without a delivered purchase',
      subject: e.transfer_id,
      href: e.purchase_id ? `/admin/purchases/${encodeURIComponent(e.purchase_id)}` : `/admin/ledger/${encodeURIComponent(e.transfer_id)}`,
      expected: 'a delivered purchase',
      actual: e.purchase_id ? `purchase is ${e.status}` : 'no such purchase',
      detail: `${money(e.amount, 'NGN')} to vtpass:float from customer ${e.user_id}`,
      recent: e.created_at > now - LAG_MS,
    });
  }
  return out;
}

export type FloatCheck = { provider: FloatBalance; periodNet: number };

/**
 * VTpass's own float balance beside what our ledger sent to `vtpass:float` in the period (posted
 * credits − debits). They are shown side by side, not compared: the float also moves with our
 * top-ups at VTpass and its commissions, which the wallet ledger does not record.
 */
export async function vtpassFloat(db: Database, vtpass: Pick<VtpassClient, 'balance'>, period: Period): Promise<FloatCheck> {
  const [[row], provider] = await Promise.all([
    db
      .select({ net: sql<number>`coalesce(sum(CASE ${ledgerEntries.direction} WHEN 'credit' THEN ${ledgerEntries.amount} ELSE -${ledgerEntries.amount} END), 0)`.mapWith(Number) })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.account, 'vtpass:float'), eq(ledgerEntries.currency, 'NGN'), eq(ledgerEntries.status, 'posted'), gte(ledgerEntries.createdAt, period.start), lt(ledgerEntries.createdAt, period.end))),
    askFloat(() => vtpass.balance()),
  ]);
  return { provider, periodNet: row?.net ?? 0 };
}
