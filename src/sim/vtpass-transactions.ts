import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { simVtpassTransactions } from '../db/schema';
import { randomBytes } from '../lib/crypto';
import type { Fetch } from '../providers/http';
import { findService, TRANSACTION_TYPE, type Category } from './vtpass-catalogue';
import { scenarioFor } from './vtpass-sandbox';

/** The simulator's memory of accepted `pay` calls, and the answers VTpass gives about them. */

export type SimTransaction = typeof simVtpassTransactions.$inferSelect;
type NewSimTransaction = typeof simVtpassTransactions.$inferInsert;

const t = simVtpassTransactions;
const CALLBACK_ATTEMPTS = 5;
const FLOAT_NAIRA = 1_000_000;
/** Naira per kWh (NERC Band A, 2025), VAT of 7.5% taken first. */
const TARIFF_NAIRA_PER_KWH = 209.5;

export function findTransaction(db: Database, requestId: string): Promise<SimTransaction | undefined> {
  return db.query.simVtpassTransactions.findFirst({ where: eq(t.requestId, requestId) });
}

/** Stores a new transaction; null when the request id was used before (→ 014). */
export async function recordTransaction(db: Database, values: Omit<NewSimTransaction, 'token' | 'units'>): Promise<SimTransaction | null> {
  const [row] = await db
    .insert(t)
    .values({ ...values, ...vend(values.productType, values.variationCode ?? null, values.status, values.amountKobo) })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** A requery: pending transactions settle once they have been asked about often enough. */
export async function requeryTransaction(db: Database, requestId: string, pendingRequeries: number, now: number): Promise<SimTransaction | undefined> {
  const row = await findTransaction(db, requestId);
  if (!row || row.status !== 'pending') return row;
  if (row.requeryCount >= pendingRequeries) return settle(db, row, now);
  const [updated] = await db.update(t).set({ requeryCount: sql`${t.requeryCount} + 1`, updatedAt: now }).where(eq(t.requestId, requestId)).returning();
  return updated;
}

/** Moves every pending transaction (or just `requestId`) to where its sandbox number sends it. */
export async function settlePending(db: Database, now: number, requestId?: string): Promise<string[]> {
  const pending = await db.select().from(t).where(and(eq(t.status, 'pending'), only(requestId)));
  const settled = await Promise.all(pending.map((row) => settle(db, row, now)));
  return settled.map((row) => row.requestId);
}

/** A later reversal of a delivered purchase, as VTpass sometimes does; null if not delivered. */
export async function reverseDelivered(db: Database, requestId: string, now: number): Promise<SimTransaction | null> {
  const [row] = await db
    .update(t)
    .set({ status: 'reversed', callbackState: 'due', callbackAttempts: 0, updatedAt: now })
    .where(and(eq(t.requestId, requestId), eq(t.status, 'delivered')))
    .returning();
  return row ?? null;
}

async function settle(db: Database, row: SimTransaction, now: number): Promise<SimTransaction> {
  const status = row.settlesTo ?? 'delivered';
  const [updated] = await db
    .update(t)
    .set({ status, settlesTo: null, ...vend(row.productType, row.variationCode, status, row.amountKobo), callbackState: 'due', updatedAt: now })
    .where(and(eq(t.requestId, row.requestId), eq(t.status, 'pending')))
    .returning();
  return updated ?? (await findTransaction(db, row.requestId)) ?? row;
}

/** A prepaid meter gets a 20-digit token and its units when the sale is delivered. */
function vend(category: string, variationCode: string | null, status: string, amountKobo: number): { token: string | null; units: string | null } {
  if (category !== 'electricity-bill' || variationCode !== 'prepaid' || status !== 'delivered') return { token: null, units: null };
  const token = [...randomBytes(20)].map((b) => String(b % 10)).join('');
  const units = (amountKobo / 100 / 1.075 / TARIFF_NAIRA_PER_KWH).toFixed(1);
  return { token, units };
}

export type CallbackReport = { requestId: string; status: 'sent' | 'due' | 'gave-up'; httpStatus: number | null };

/**
 * Posts `transaction-update` for every due callback (or just `requestId`), one at a time. Only a
 * `{"response":"success"}` answer counts; VTpass tries 5 times in all. @see providers.md §2.8
 */
export async function deliverCallbacks(db: Database, send: Fetch, url: string, now: number, requestId?: string): Promise<CallbackReport[]> {
  const due = await db.select().from(t).where(and(eq(t.callbackState, 'due'), only(requestId)));
  const reports: CallbackReport[] = [];
  for (const row of due) {
    let httpStatus: number | null = null;
    let accepted = false;
    try {
      const response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'transaction-update', data: requeryAnswer(row) }),
      });
      httpStatus = response.status;
      const body = (await response.json().catch(() => null)) as { response?: unknown } | null;
      accepted = response.ok && body?.response === 'success';
    } catch {
      accepted = false;
    }
    const attempts = row.callbackAttempts + 1;
    const status = accepted ? 'sent' : attempts >= CALLBACK_ATTEMPTS ? 'gave-up' : 'due';
    await db.update(t).set({ callbackState: status, callbackAttempts: attempts, updatedAt: now }).where(eq(t.requestId, row.requestId));
    reports.push({ requestId: row.requestId, status, httpStatus });
  }
  return reports;
}

/** The float left at "VTpass": what is not spent on delivered or pending purchases. */
export async function floatBalanceNaira(db: Database): Promise<number> {
  const [row] = await db
    .select({ spent: sql<number>`coalesce(sum(${t.amountKobo}), 0)` })
    .from(t)
    .where(inArray(t.status, ['delivered', 'pending']));
  return (FLOAT_NAIRA * 100 - (row?.spent ?? 0)) / 100;
}

function only(requestId: string | undefined): SQL | undefined {
  return requestId === undefined ? undefined : eq(t.requestId, requestId);
}

/** The code and description VTpass gives for a transaction's current state. */
function stateAnswer(row: SimTransaction): { code: string; description: string } {
  switch (row.status) {
    case 'delivered':
      return { code: '000', description: 'TRANSACTION SUCCESSFUL' };
    case 'reversed':
      return { code: '000', description: 'TRANSACTION REVERSED' };
    case 'failed':
      return { code: '000', description: 'TRANSACTION FAILED' };
    case 'pending': {
      const scenario = scenarioFor(row.recipient);
      return scenario.kind === 'pending' && scenario.code === '099'
        ? { code: '099', description: 'TRANSACTION IS PROCESSING' }
        : { code: '000', description: 'TRANSACTION PROCESSED' };
    }
  }
}

/** The `pay` answer: a failed sale says 016 here, while a requery says 000 + status failed. */
export function payAnswer(row: SimTransaction) {
  const answer = row.status === 'failed' ? { code: '016', description: 'TRANSACTION FAILED' } : stateAnswer(row);
  return transactionAnswer(row, answer.code, answer.description, false);
}

/** The `requery` answer, also the `data` of a `transaction-update` callback. @see providers.md §2.5, §2.8 */
export function requeryAnswer(row: SimTransaction) {
  const answer = stateAnswer(row);
  return transactionAnswer(row, answer.code, answer.description, true);
}

/** The documented answer shape, electricity extras in the disco's own style. @see providers.md §2.5 */
function transactionAnswer(row: SimTransaction, code: string, description: string, requery: boolean) {
  const service = findService(row.serviceId);
  const naira = row.amountKobo / 100;
  const rate = service?.commissionRate ?? 0;
  const commission = Math.round(naira * rate) / 100;
  return {
    code,
    content: {
      transactions: {
        status: row.status,
        product_name: row.productName,
        unique_element: row.recipient,
        unit_price: String(naira),
        quantity: 1,
        service_verification: null,
        channel: 'api',
        commission,
        total_amount: Math.round((naira - commission) * 100) / 100,
        discount: null,
        type: TRANSACTION_TYPE[row.productType as Category] ?? row.productType,
        email: 'sandbox@malipo.test',
        phone: row.phone,
        name: null,
        convinience_fee: 0,
        amount: String(naira),
        platform: 'api',
        method: 'api',
        transactionId: row.transactionId,
        commission_details: { amount: commission, rate: rate.toFixed(2), rate_type: 'percent', computation_type: 'default' },
        ...(requery ? { product_id: row.serviceId, extras: row.token ? `Token : ${row.token}` : null } : {}),
      },
    },
    response_description: description,
    requestId: row.requestId,
    amount: naira,
    transaction_date: new Date(row.createdAt).toISOString().replace(/Z$/, '000Z'),
    purchased_code: row.token ? `Token : ${row.token}` : '',
    ...electricityExtras(row, naira),
  };
}

/** IKEDC: `token`/`units`; EKEDC: `mainToken`/`mainTokenUnits`; others `Token`/`Units`. @see providers.md §2.5 */
function electricityExtras(row: SimTransaction, naira: number) {
  if (!row.token) return {};
  if (row.serviceId === 'ikeja-electric') {
    return { token: `Token : ${row.token}`, units: `${row.units} kWh`, tokenAmount: naira, tariff: 'R2 SINGLE PHASE', customerName: 'N/A', exchangeReference: row.transactionId.slice(-8) };
  }
  if (row.serviceId === 'eko-electric') {
    return { mainToken: row.token.replace(/(\d{4})(?=\d)/g, '$1-'), mainTokenDescription: 'Normal Sale', mainTokenUnits: Number(row.units), bonusToken: null };
  }
  return { Token: row.token, Units: row.units };
}

/** VTpass-style 26-digit transaction id: the clock, then random digits. */
export function newTransactionId(now: number): string {
  return String(now) + [...randomBytes(13)].map((b) => String(b % 10)).join('');
}
