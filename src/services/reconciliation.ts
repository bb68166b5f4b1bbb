import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { ledgerEntries } from '../db/schema';
import { CURRENCIES, type Currency } from '../durable/ledger-types';
import { toCsv } from '../lib/csv';
import type { VtpassClient } from '../providers/vtpass';
import { depositDifferences, DIFFERENCES_PER_CHECK, type FloatCheck, money, purchaseDifferences, vtpassFloat } from './reconciliation-providers';
import { type ReconciliationReport, reconcileWallet } from './wallets';

/**
 * Reconciliation for staff: the D1 projection against each wallet's journal, the system accounts'
 * sums, and (reconciliation-providers.ts) what providers and our own records say against the
 * ledger. It only reads; every difference is for a person to look at.
 */

/** Each wallet is a Durable Object call plus a few D1 reads, so a page checks this many. */
const WALLETS_PER_PAGE = 50;
const PARALLEL_WALLETS = 8;
const DAY_MS = 24 * 3600_000;
const DEFAULT_PERIOD_DAYS = 7;
const MAX_PERIOD_DAYS = 92;

const blank = (value: unknown) => (value === '' ? undefined : value);
const day = z.preprocess(blank, z.iso.date('Use a date like 2026-01-31').optional());

/** The page's query: a period of whole UTC days (default the last week) and where the wallet check resumes. */
export const reconciliationQuery = z
  .object({
    from: day,
    to: day,
    after: z.preprocess(blank, z.string().regex(/^[A-Za-z0-9_.-]{1,100}:(KES|NGN)$/, 'This is not a wallet from this list').optional()),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end date is before the start date' });
  });
export type ReconciliationQuery = z.output<typeof reconciliationQuery>;

/** `[start, end)` in ms, from whole UTC days; an open or too long range is brought within bounds. */
export type Period = { from: string; to: string; start: number; end: number };

/** The period a query asks for, defaulting to the last week and never longer than MAX_PERIOD_DAYS. */
export function periodOf(query: Pick<ReconciliationQuery, 'from' | 'to'>, now = Date.now()): Period {
  const today = new Date(now).toISOString().slice(0, 10);
  const to = query.to ?? today;
  const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  const earliest = end - MAX_PERIOD_DAYS * DAY_MS;
  let start = query.from ? Date.parse(`${query.from}T00:00:00Z`) : end - DEFAULT_PERIOD_DAYS * DAY_MS;
  if (start < earliest) start = earliest;
  return { from: new Date(start).toISOString().slice(0, 10), to, start, end };
}

/** One thing that does not agree, with where to look: the page lists these and the CSV exports them. */
export type Difference = {
  section: 'wallet' | 'accounts' | 'deposit' | 'purchase';
  kind: string;
  subject: string;
  href: string;
  expected: string | null;
  actual: string | null;
  detail: string;
  /** Settled in the last few minutes: the copy to D1 may simply not have landed yet. */
  recent: boolean;
};

export type WalletsCheck = { checked: number; first: string | null; last: string | null; lagging: number; differences: Difference[]; nextAfter: string | null };

/**
 * Reconciles up to `limit` wallets that have entries in D1, in (user, currency) order after
 * `after`, a few at a time. Undelivered entries are lag and are counted, not listed.
 */
export async function checkWallets(env: Env, db: Database, after?: string, limit = WALLETS_PER_PAGE): Promise<WalletsCheck> {
  const cut = after ? after.lastIndexOf(':') : -1;
  const position = after ? { userId: after.slice(0, cut), currency: after.slice(cut + 1) as Currency } : null;
  const wallets = await db
    .selectDistinct({ userId: ledgerEntries.userId, currency: ledgerEntries.currency })
    .from(ledgerEntries)
    .where(position ? or(gt(ledgerEntries.userId, position.userId), and(eq(ledgerEntries.userId, position.userId), gt(ledgerEntries.currency, position.currency))) : undefined)
    .orderBy(asc(ledgerEntries.userId), asc(ledgerEntries.currency))
    .limit(limit + 1);
  const page = wallets.slice(0, limit);
  const reports: ReconciliationReport[] = [];
  for (let i = 0; i < page.length; i += PARALLEL_WALLETS) {
    reports.push(...(await Promise.all(page.slice(i, i + PARALLEL_WALLETS).map((w) => reconcileWallet(env, w.userId, w.currency)))));
  }
  const name = (w: { userId: string; currency: string }) => `${w.userId}:${w.currency}`;
  return {
    checked: page.length,
    first: page[0] ? name(page[0]) : null,
    last: page.at(-1) ? name(page.at(-1)!) : null,
    lagging: reports.filter((r) => r.undelivered > 0).length,
    differences: page.flatMap((w, i) => walletDifferences(w, reports[i]!)),
    nextAfter: wallets.length > limit && page.at(-1) ? name(page.at(-1)!) : null,
  };
}

function walletDifferences(wallet: { userId: string; currency: Currency }, report: ReconciliationReport): Difference[] {
  if (report.ok) return [];
  const href = `/admin/ledger?userId=${encodeURIComponent(wallet.userId)}&currency=${wallet.currency}`;
  const base = { section: 'wallet' as const, subject: report.wallet, href, recent: false };
  const list = (ids: string[]) => (ids.length > 10 ? `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more` : ids.join(', '));
  const out: Difference[] = [];
  if (report.missing.length) out.push({ ...base, kind: 'missing entries', expected: `${report.missing.length} in the journal`, actual: 'not in D1', detail: list(report.missing) });
  if (report.unexpected.length) out.push({ ...base, kind: 'extra entries', expected: 'none', actual: `${report.unexpected.length} in D1 only`, detail: list(report.unexpected) });
  if (report.mismatched.length) out.push({ ...base, kind: 'mismatched entries', expected: 'as in the journal', actual: `${report.mismatched.length} differ in D1`, detail: list(report.mismatched) });
  if (report.undelivered === 0 && report.balance.journal !== report.balance.projection) {
    out.push({ ...base, kind: 'balance differs', expected: money(report.balance.journal, wallet.currency), actual: money(report.balance.projection, wallet.currency), detail: 'the journal against its D1 copy' });
  }
  return out;
}

export type AccountSum = { account: string; currency: Currency; credits: number; debits: number; net: number; pendingHolds: number };

/**
 * Posted totals per account and currency from the D1 copy, both directions, with holds still
 * open (neither posted nor voided). The wallet side is summed as one `wallet` row; across every
 * account, posted credits equal posted debits in each currency, since every transfer is balanced.
 */
async function accountSums(db: Database): Promise<{ accounts: AccountSum[]; balanced: Record<Currency, boolean> }> {
  const posted = await db
    .select({
      account: ledgerEntries.account,
      currency: ledgerEntries.currency,
      credits: sql<number>`coalesce(sum(CASE WHEN ${ledgerEntries.status} = 'posted' AND ${ledgerEntries.direction} = 'credit' THEN ${ledgerEntries.amount} ELSE 0 END), 0)`.mapWith(Number),
      debits: sql<number>`coalesce(sum(CASE WHEN ${ledgerEntries.status} = 'posted' AND ${ledgerEntries.direction} = 'debit' THEN ${ledgerEntries.amount} ELSE 0 END), 0)`.mapWith(Number),
    })
    .from(ledgerEntries)
    .groupBy(ledgerEntries.account, ledgerEntries.currency)
    .orderBy(asc(ledgerEntries.account), asc(ledgerEntries.currency));
  const holds = await db.all<{ account: string; currency: Currency; held: number }>(sql`
    SELECT h.account, h.currency, sum(h.amount) AS held FROM ledger_entries h
    WHERE h.kind = 'hold' AND NOT EXISTS (
      SELECT 1 FROM ledger_entries s WHERE s.user_id = h.user_id AND s.currency = h.currency AND s.related_id = h.transfer_id AND s.kind IN ('post', 'void'))
    GROUP BY h.account, h.currency`);
  const held = new Map(holds.map((h) => [`${h.account}|${h.currency}`, Number(h.held)]));
  const accounts = posted.map((row) => ({ ...row, net: row.credits - row.debits, pendingHolds: held.get(`${row.account}|${row.currency}`) ?? 0 }));
  const balanced = Object.fromEntries(
    CURRENCIES.map((currency) => [currency, accounts.filter((a) => a.currency === currency).reduce((total, a) => total + a.net, 0) === 0]),
  ) as Record<Currency, boolean>;
  return { accounts, balanced };
}

export type Reconciliation = {
  period: Period;
  wallets: WalletsCheck;
  accounts: Awaited<ReturnType<typeof accountSums>>;
  float: FloatCheck;
  deposits: Difference[];
  purchases: Difference[];
  /** Where each provider-side list stops. */
  limit: number;
};

/** Everything the page shows, for one period and one page of wallets. */
export async function reconcile(env: Env, db: Database, vtpass: Pick<VtpassClient, 'balance'>, query: ReconciliationQuery, now = Date.now()): Promise<Reconciliation> {
  const period = periodOf(query, now);
  const [wallets, accounts, float, deposits, purchases] = await Promise.all([
    checkWallets(env, db, query.after),
    accountSums(db),
    vtpassFloat(db, vtpass, period),
    depositDifferences(db, period, now),
    purchaseDifferences(db, period, now),
  ]);
  return { period, wallets, accounts, float, deposits, purchases, limit: DIFFERENCES_PER_CHECK };
}

/** Every difference of a reconciliation in page order, unbalanced currencies included. */
export function allDifferences(r: Reconciliation): Difference[] {
  const unbalanced = Object.entries(r.accounts.balanced)
    .filter(([, ok]) => !ok)
    .map(([currency]): Difference => ({
      section: 'accounts',
      kind: 'accounts do not sum to zero',
      subject: currency,
      href: `/admin/ledger?currency=${currency}`,
      expected: money(0, currency),
      actual: money(r.accounts.accounts.filter((a) => a.currency === currency).reduce((total, a) => total + a.net, 0), currency),
      detail: 'posted credits − debits over every account; some transfer is copied only in part',
      recent: false,
    }));
  return [...r.wallets.differences, ...unbalanced, ...r.deposits, ...r.purchases];
}

/** The differences as CSV, in the order the page lists them. */
export function differencesCsv(differences: Difference[], origin: string): string {
  return toCsv(
    [
      { header: 'section', value: (d) => d.section },
      { header: 'kind', value: (d) => d.kind },
      { header: 'subject', value: (d) => d.subject },
      { header: 'expected', value: (d) => d.expected },
      { header: 'actual', value: (d) => d.actual },
      { header: 'detail', value: (d) => d.detail },
      { header: 'recent', value: (d) => (d.recent ? 'yes' : 'no') },
      { header: 'link', value: (d) => `${origin}${d.href}` },
    ],
    differences,
  );
}
