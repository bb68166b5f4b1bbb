import { and, count, desc, eq, gt, lt, or } from 'drizzle-orm';
import { type Database, database } from '../../db/client';
import { contains } from '../../db/match';
import { deposits, monnifyAccounts, purchases, sessions, users } from '../../db/schema';
import { cappedCsv, type CsvColumn, isoOrEmpty } from '../../lib/csv';
import { normaliseKenyanPhone } from '../../lib/phone';
import { listAdjustments } from '../adjustments';
import { listAudit } from '../audit';
import { listWallets } from '../wallets';
import { pageOf } from './filters';

export type Customer = typeof users.$inferSelect;
/** What the console lists and exports: never the password hash. */
export type CustomerRow = Pick<Customer, 'id' | 'email' | 'name' | 'phone' | 'status' | 'referralCode' | 'createdAt'>;
export type CustomerFilters = { q?: string; status?: Customer['status'] };

const rowColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  phone: users.phone,
  status: users.status,
  referralCode: users.referralCode,
  createdAt: users.createdAt,
};

/** The digits to look for in stored phones (typed by customers in any form), or null if `q` is not a phone. */
function phoneDigits(q: string): string | null {
  if (!/^\+?[\d\s-]{6,}$/.test(q)) return null;
  const kenyan = normaliseKenyanPhone(q);
  if (kenyan) return kenyan.slice(3);
  return q.replace(/\D/g, '').replace(/^0+/, '') || null;
}

function where(filters: CustomerFilters, cursor?: string) {
  const q = filters.q?.trim();
  const phone = q ? phoneDigits(q) : null;
  return and(
    cursor ? lt(users.id, cursor) : undefined,
    filters.status ? eq(users.status, filters.status) : undefined,
    q ? or(eq(users.id, q), contains(users.email, q.toLowerCase()), contains(users.name, q), phone ? contains(users.phone, phone) : undefined) : undefined,
  );
}

/**
 * Customers newest first (ids sort by time), walking the primary key from the cursor. Search
 * matches an id exactly, or part of an email (lower-cased, as stored), a name or a phone.
 */
export async function listCustomers(db: Database, filters: CustomerFilters & { limit: number; cursor?: string }) {
  const rows = await db
    .select(rowColumns)
    .from(users)
    .where(where(filters, filters.cursor))
    .orderBy(desc(users.id))
    .limit(filters.limit + 1);
  return pageOf(rows, filters.limit, (row) => row.id);
}

/** The same filters without paging, up to `cap` rows; `truncated` says whether more matched. */
export async function exportCustomers(db: Database, filters: CustomerFilters, cap: number) {
  const rows = await db.select(rowColumns).from(users).where(where(filters)).orderBy(desc(users.id)).limit(cap + 1);
  return cappedCsv(CUSTOMER_CSV, rows, cap);
}

const CUSTOMER_CSV: CsvColumn<CustomerRow>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'email', value: (r) => r.email },
  { header: 'name', value: (r) => r.name },
  { header: 'phone', value: (r) => r.phone },
  { header: 'status', value: (r) => r.status },
  { header: 'referral_code', value: (r) => r.referralCode },
  { header: 'joined_utc', value: (r) => isoOrEmpty(r.createdAt) },
];

const RECENT = 10;

/**
 * Everything staff need on one customer's page: the profile, both wallets from the ledger itself,
 * recent deposits and purchases, how many sessions are live, the dedicated Monnify account and the
 * audit trail and latest adjustment. Null for an unknown id.
 */
export async function customerDetail(env: Env, id: string, now = Date.now()) {
  const db = database(env.DB);
  const customer = await db.query.users.findFirst({ where: eq(users.id, id) });
  if (!customer) return null;
  const [wallets, recentDeposits, recentPurchases, [live], monnifyAccount, referrer, audit, adjustments] = await Promise.all([
    listWallets(env, id),
    db.select().from(deposits).where(eq(deposits.userId, id)).orderBy(desc(deposits.createdAt)).limit(RECENT),
    db.select().from(purchases).where(eq(purchases.userId, id)).orderBy(desc(purchases.createdAt)).limit(RECENT),
    db
      .select({ sessions: count() })
      .from(sessions)
      .where(and(eq(sessions.userId, id), gt(sessions.expiresAt, now))),
    db.query.monnifyAccounts.findFirst({ where: eq(monnifyAccounts.userId, id) }),
    customer.referredBy ? db.query.users.findFirst({ where: eq(users.id, customer.referredBy), columns: { id: true, email: true } }) : undefined,
    listAudit(db, { targetType: 'customer', targetId: id, limit: 50 }),
    listAdjustments(db, { userId: id, limit: 1 }),
  ]);
  return {
    customer,
    wallets,
    recentDeposits,
    recentPurchases,
    activeSessions: live?.sessions ?? 0,
    monnifyAccount: monnifyAccount ? { ...monnifyAccount, accounts: parseAccounts(monnifyAccount.accounts) } : null,
    referrer: referrer ?? null,
    audit: audit.entries,
    latestAdjustment: adjustments.rows[0] ?? null,
  };
}
export type CustomerDetail = NonNullable<Awaited<ReturnType<typeof customerDetail>>>;

type BankAccount = { bankName?: string; accountNumber?: string; accountName?: string };

function parseAccounts(json: string): BankAccount[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as BankAccount[]) : [];
  } catch {
    return [];
  }
}
