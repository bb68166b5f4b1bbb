import { and, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { simMonnifyBankAccounts, simMonnifyFaults, simMonnifyReservedAccounts, simMonnifyTransactions } from '../db/schema';
import { randomBytes } from '../lib/crypto';

/** What the Monnify simulator remembers (D1), and the answer bodies Monnify gives about it. */

export type SimReservedAccount = typeof simMonnifyReservedAccounts.$inferSelect;
export type SimBankAccount = typeof simMonnifyBankAccounts.$inferSelect;
export type SimTransaction = typeof simMonnifyTransactions.$inferSelect;
export type FaultKind = (typeof simMonnifyFaults.$inferSelect)['kind'];
export const FAULT_OPERATIONS = ['login', 'createReservedAccount', 'initTransaction', 'verify'] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

const LAGOS_OFFSET_MS = 60 * 60 * 1000;
/** Invented pricing: 1% of each collection, capped at ₦2,000. */
const FEE_RATE = 0.01;
const FEE_CAP_KOBO = 2_000_00;

/** The partner banks Monnify reserves accounts at (CBN codes). */
export const PARTNER_BANKS = [
  { bankCode: '035', bankName: 'Wema bank' },
  { bankCode: '232', bankName: 'Sterling bank' },
  { bankCode: '50515', bankName: 'Moniepoint Microfinance Bank' },
] as const;

const DIGITS = '0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomFrom(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * A valid NUBAN: 9 serial digits and the CBN check digit over the 6-digit institution code (`000` +
 * a bank's 3-digit code, `9` + a microfinance bank's 5-digit code), weights 3,7,3 repeating.
 */
function newNuban(bankCode: string): string {
  const institution = bankCode.length === 3 ? `000${bankCode}` : `9${bankCode}`;
  const serial = randomFrom(DIGITS, 9);
  const sum = [...institution + serial].reduce((total, digit, i) => total + Number(digit) * [3, 7, 3][i % 3]!, 0);
  return serial + String((10 - (sum % 10)) % 10);
}

/** `YYYYMMDDHHmmss` in Lagos time. */
function lagosStamp(ms: number): string {
  return new Date(ms + LAGOS_OFFSET_MS).toISOString().slice(0, 19).replace(/\D/g, '');
}

/** Like `MNFY|85|20250115143000|000123`. @see providers.md §3.4 */
export function newTransactionReference(now: number): string {
  return `MNFY|${randomFrom(DIGITS, 2)}|${lagosStamp(now)}|${randomFrom(DIGITS, 6)}`;
}

/** `2025-01-15 11:28:42.615`, Lagos time: the reserved-account sample's `paidOn`. @see providers.md §3.7 */
export function dashedTime(ms: number): string {
  return new Date(ms + LAGOS_OFFSET_MS).toISOString().slice(0, 23).replace('T', ' ');
}

/** `17/11/2021 3:48:10 PM`, Lagos time: the test vector's `paidOn`. @see providers.md §3.7 */
export function slashedTime(ms: number): string {
  const [date, time] = new Date(ms + LAGOS_OFFSET_MS).toISOString().slice(0, 19).split('T') as [string, string];
  const [y, mo, d] = date.split('-');
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d}/${mo}/${y} ${h % 12 || 12}:${pad(mi)}:${pad(s)} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Kobo → `"2990.00"`, from the integer (never through a float). */
export function nairaText(kobo: number): string {
  return `${Math.trunc(kobo / 100)}.${String(kobo % 100).padStart(2, '0')}`;
}

export function settlementKobo(paidKobo: number): number {
  return paidKobo - Math.min(Math.round(paidKobo * FEE_RATE), FEE_CAP_KOBO);
}

/** Stores a reserved account and its NUBANs; null when the accountReference already has one. */
export async function reserveAccount(
  db: Database,
  account: Omit<SimReservedAccount, 'reservationReference' | 'createdAt'>,
  banks: readonly { bankCode: string; bankName: string }[],
  now: number,
): Promise<{ account: SimReservedAccount; banks: SimBankAccount[] } | null> {
  const [row] = await db
    .insert(simMonnifyReservedAccounts)
    .values({ ...account, reservationReference: randomFrom(UPPER_DIGITS, 20), createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  const numbers = banks.map((bank) => ({ ...bank, accountNumber: newNuban(bank.bankCode), accountReference: row.accountReference }));
  const inserted = await db.insert(simMonnifyBankAccounts).values(numbers).returning();
  return { account: row, banks: inserted };
}

export async function findReservedAccount(db: Database, accountReference: string) {
  const account = await db.query.simMonnifyReservedAccounts.findFirst({ where: eq(simMonnifyReservedAccounts.accountReference, accountReference) });
  if (!account) return null;
  const banks = await db.select().from(simMonnifyBankAccounts).where(eq(simMonnifyBankAccounts.accountReference, accountReference));
  return { account, banks };
}

export async function findBankAccount(db: Database, accountNumber: string) {
  const bank = await db.query.simMonnifyBankAccounts.findFirst({ where: eq(simMonnifyBankAccounts.accountNumber, accountNumber) });
  if (!bank) return null;
  const account = await db.query.simMonnifyReservedAccounts.findFirst({ where: eq(simMonnifyReservedAccounts.accountReference, bank.accountReference) });
  return account ? { bank, account } : null;
}

/** The v2 reserved-account body. @see providers.md §3.5 */
export function reservedAccountBody({ account, banks }: { account: SimReservedAccount; banks: SimBankAccount[] }) {
  return {
    contractCode: account.contractCode,
    accountReference: account.accountReference,
    accountName: account.accountName,
    currencyCode: 'NGN',
    customerEmail: account.customerEmail,
    customerName: account.customerName,
    accounts: banks.map((b) => ({ bankCode: b.bankCode, bankName: b.bankName, accountNumber: b.accountNumber, accountName: account.accountName })),
    collectionChannel: 'RESERVED_ACCOUNT',
    reservationReference: account.reservationReference,
    reservedAccountType: 'GENERAL',
    status: 'ACTIVE',
    createdOn: dashedTime(account.createdAt),
    incomeSplitConfig: [],
    bvn: account.bvn,
    nin: account.nin,
    restrictPaymentSource: false,
  };
}

/** Stores a collection; null when its paymentReference was used before ("Duplicate payment reference"). */
export async function recordTransaction(db: Database, values: typeof simMonnifyTransactions.$inferInsert): Promise<SimTransaction | null> {
  const [row] = await db.insert(simMonnifyTransactions).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export function findTransaction(db: Database, by: { transactionReference: string } | { paymentReference: string }) {
  const where = 'transactionReference' in by ? eq(simMonnifyTransactions.transactionReference, by.transactionReference) : eq(simMonnifyTransactions.paymentReference, by.paymentReference);
  return db.query.simMonnifyTransactions.findFirst({ where });
}

/** PAID for the exact amount, PARTIALLY_PAID below it, OVERPAID above. @see providers.md §3.6 */
function statusFor(payableKobo: number, paidKobo: number): SimTransaction['status'] {
  if (paidKobo === payableKobo) return 'PAID';
  return paidKobo < payableKobo ? 'PARTIALLY_PAID' : 'OVERPAID';
}

/** Settles a PENDING checkout; null if it is not pending any more (paid once only). */
export async function payCheckout(
  db: Database,
  transactionReference: string,
  payment: Pick<SimTransaction, 'paidKobo' | 'paymentMethod' | 'sourceAccountName' | 'sourceAccountNumber' | 'sourceBankCode' | 'sessionId'> & { payableKobo: number },
  now: number,
): Promise<SimTransaction | null> {
  const { payableKobo, ...paid } = payment;
  const [row] = await db
    .update(simMonnifyTransactions)
    .set({ ...paid, status: statusFor(payableKobo, paid.paidKobo), paidAt: now })
    .where(and(eq(simMonnifyTransactions.transactionReference, transactionReference), eq(simMonnifyTransactions.status, 'PENDING')))
    .returning();
  return row ?? null;
}

function metaData(row: SimTransaction): Record<string, unknown> {
  return JSON.parse(row.metaData) as Record<string, unknown>;
}

/** What paid, for verify answers: the transfer's account (naira as strings here). */
function accountPayment(row: SimTransaction) {
  if (!row.sourceAccountNumber) return null;
  return { accountName: row.sourceAccountName, accountNumber: row.sourceAccountNumber, bankCode: row.sourceBankCode, amountPaid: nairaText(row.paidKobo) };
}

/** The verify answer: every amount a string, `paidOn` null until paid. @see providers.md §3.6 */
export function verifyBody(row: SimTransaction) {
  const payment = accountPayment(row);
  return {
    transactionReference: row.transactionReference,
    paymentReference: row.paymentReference,
    amountPaid: nairaText(row.paidKobo),
    totalPayable: nairaText(row.payableKobo),
    settlementAmount: nairaText(row.paidAt === null ? 0 : settlementKobo(row.paidKobo)),
    paidOn: row.paidAt === null ? null : dashedTime(row.paidAt),
    paymentStatus: row.status,
    paymentDescription: row.description,
    currency: 'NGN',
    paymentMethod: row.paymentMethod,
    product: { type: row.productType, reference: row.productReference },
    cardDetails: row.paymentMethod === 'CARD' ? cardDetails() : null,
    accountDetails: payment,
    accountPayments: payment ? [payment] : [],
    customer: { email: row.customerEmail, name: row.customerName },
    metaData: metaData(row),
  };
}

export function cardDetails() {
  return { cardType: 'MASTERCARD', last4: '1111', expMonth: '09', expYear: '32', bin: '539983', bankCode: null, bankName: null, reusable: false, countryCode: 'NGA', maskedPan: '539983******1111' };
}

/** The next call of `operation` fails if a fault is armed for it; counts it down atomically. */
export async function takeFault(db: Database, operation: FaultOperation): Promise<FaultKind | null> {
  const [fault] = await db
    .update(simMonnifyFaults)
    .set({ remaining: sql`${simMonnifyFaults.remaining} - 1` })
    .where(and(eq(simMonnifyFaults.operation, operation), gt(simMonnifyFaults.remaining, 0)))
    .returning();
  return fault?.kind ?? null;
}

/** Arms (or, with 0, clears) the faults given; answers what is armed now. */
export async function setFaults(db: Database, faults: Partial<Record<FaultOperation, { times: number; kind: FaultKind }>>) {
  for (const [operation, { times, kind }] of Object.entries(faults)) {
    await db
      .insert(simMonnifyFaults)
      .values({ operation, remaining: times, kind })
      .onConflictDoUpdate({ target: simMonnifyFaults.operation, set: { remaining: times, kind } });
  }
  const armed = await db.select().from(simMonnifyFaults).where(gt(simMonnifyFaults.remaining, 0));
  return Object.fromEntries(armed.map((f) => [f.operation, { remaining: f.remaining, kind: f.kind }]));
}

export function newSessionId(): string {
  return randomFrom(`${UPPER_DIGITS}abcdefghijklmnopqrstuvwxyz`, 32);
}

export function newAccountNumber(): string {
  return randomFrom(DIGITS, 10);
}
