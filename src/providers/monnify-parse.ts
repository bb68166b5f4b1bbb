import { z } from 'zod';

/**
 * Readers for Monnify's answers and events. Monnify writes naira as numbers in one place and strings
 * in another, sends `paymentSourceInformation` as an object or an array, and dates in more than one
 * format; everything here turns that into kobo integers and one shape. @see providers.md §3.3–3.7
 */

const LAGOS_OFFSET_MS = 60 * 60 * 1000;

/**
 * Naira as Monnify writes it (`3000`, `77600`, `"2990.00"`, `"30.5"`) → kobo, digit by digit so no
 * float error creeps in. Null for anything else, including fractions of a kobo (`"1.005"`).
 */
export function monnifyAmountToKobo(value: unknown): number | null {
  let written: string;
  if (typeof value === 'number') written = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'string') written = value.trim();
  else return null;
  const match = /^(\d+)(?:\.(\d{1,2})0*)?$/.exec(written);
  if (!match) return null;
  const kobo = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(kobo) ? kobo : null;
}

/** Kobo → the naira number Monnify takes (`500050` → `5000.5`); exact for every safe kobo integer. */
export function koboToNaira(kobo: number): number {
  return kobo / 100;
}

/**
 * `paidOn` → epoch ms. Seen as `2025-01-15 11:28:42.615` and `17/11/2021 3:48:10 PM` (day first), both
 * read as Lagos time (WAT, UTC+1: the test vector's time matches its transaction reference); an ISO
 * string with an offset keeps its offset. Null when it is none of these. @see providers.md §3.7
 */
export function parsePaidOn(value: string | null | undefined): number | null {
  if (!value) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction, zone] = iso;
    const ms = Number((fraction ?? '0').slice(0, 3).padEnd(3, '0'));
    return wallClock(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms, zoneOffset(zone));
  }
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i.exec(value.trim());
  if (dmy) {
    const [, d, mo, y, h, mi, s, meridiem] = dmy;
    const hour12 = Number(h);
    if (hour12 < 1 || hour12 > 12) return null;
    const hour = (hour12 % 12) + (meridiem!.toUpperCase() === 'PM' ? 12 : 0);
    return wallClock(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s), 0, LAGOS_OFFSET_MS);
  }
  return null;
}

function zoneOffset(zone: string | undefined): number {
  if (!zone) return LAGOS_OFFSET_MS;
  if (zone === 'Z') return 0;
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000;
}

/** The instant of a wall-clock time at `offsetMs` from UTC; null for impossible dates (31/02). */
function wallClock(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMs: number): number | null {
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return utc - offsetMs;
}

/** A required amount in naira (string or number) → kobo. */
const amount = z.union([z.number(), z.string()]).transform(monnifyAmountToKobo).pipe(z.int().nonnegative());
/** An informational amount: missing or unreadable reads as null instead of failing the answer. */
const optionalAmount = z.unknown().optional().transform((value) => monnifyAmountToKobo(value));
/** Text that may come as a number (account numbers, bank codes), empty or missing. */
const text = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .nullish()
  .transform((value) => value || null);

/** The common wrapper of every API answer. @see providers.md §3.3 */
export const envelopeSchema = z.object({
  requestSuccessful: z.boolean(),
  responseMessage: z.string().nullish(),
  responseCode: z.union([z.string(), z.number()]).transform(String),
  responseBody: z.unknown().optional(),
});

/** `POST /api/v1/auth/login` body; `expiresIn` is seconds. @see providers.md §3.2 */
export const tokenSchema = z.object({
  accessToken: z.string().min(1),
  expiresIn: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive()),
});

/** init-transaction body. @see providers.md §3.4 */
export const checkoutSchema = z
  .object({
    transactionReference: z.string().min(1),
    paymentReference: z.string().min(1),
    checkoutUrl: z.url({ protocol: /^https?$/ }),
    enabledPaymentMethod: z.array(z.string()).nullish(),
  })
  .transform((body) => ({
    transactionReference: body.transactionReference,
    paymentReference: body.paymentReference,
    checkoutUrl: body.checkoutUrl,
    enabledPaymentMethods: body.enabledPaymentMethod ?? [],
  }));
export type MonnifyCheckout = z.output<typeof checkoutSchema>;

export interface MonnifyBankAccount {
  bankCode: string;
  bankName: string;
  /** A 10-digit NUBAN. */
  accountNumber: string;
  accountName: string;
}

export interface MonnifyReservedAccount {
  accountReference: string;
  accountName: string;
  customerEmail: string | null;
  customerName: string | null;
  reservationReference: string | null;
  status: string | null;
  accounts: MonnifyBankAccount[];
}

const bankAccountSchema = z.object({ bankCode: text, bankName: z.string().min(1), accountNumber: text.pipe(z.string().regex(/^\d{10}$/)), accountName: text });

/** v2 answers `accounts[]`; v1 put a single `accountNumber`/`bankName`/`bankCode` on the body. @see providers.md §3.5 */
export const reservedAccountSchema = z
  .object({
    accountReference: z.string().min(1),
    accountName: z.string(),
    customerEmail: text,
    customerName: text,
    reservationReference: text,
    status: text,
    accounts: z.array(bankAccountSchema).nullish(),
    accountNumber: text,
    bankName: text,
    bankCode: text,
  })
  .transform((body): MonnifyReservedAccount => {
    const single = body.accountNumber && body.bankName ? [{ accountNumber: body.accountNumber, bankName: body.bankName, bankCode: body.bankCode, accountName: null }] : [];
    const accounts = (body.accounts?.length ? body.accounts : single).map((a) => ({
      bankCode: a.bankCode ?? '',
      bankName: a.bankName,
      accountNumber: a.accountNumber,
      accountName: a.accountName ?? body.accountName,
    }));
    return {
      accountReference: body.accountReference,
      accountName: body.accountName,
      customerEmail: body.customerEmail,
      customerName: body.customerName,
      reservationReference: body.reservationReference,
      status: body.status,
      accounts,
    };
  })
  .refine((account) => account.accounts.length > 0 && account.accounts.every((a) => /^\d{10}$/.test(a.accountNumber)), 'no 10-digit account number in the answer');

/** CONFIRMED: PAID (fulfil), PARTIALLY_PAID, PENDING; the rest are seen in the wild. @see providers.md §3.6 */
export type MonnifyPaymentStatus = 'PAID' | 'PARTIALLY_PAID' | 'PENDING' | 'OVERPAID' | 'EXPIRED' | 'FAILED' | 'USER_CANCELLED' | 'REVERSED' | (string & {});

export interface MonnifyPaymentSource {
  accountName: string | null;
  accountNumber: string | null;
  bankCode: string | null;
  sessionId: string | null;
  amountPaidKobo: number | null;
}

/** One collection, from a verify answer or a `SUCCESSFUL_TRANSACTION` event. Amounts in kobo. */
export interface MonnifyTransaction {
  transactionReference: string;
  paymentReference: string;
  paymentStatus: MonnifyPaymentStatus;
  amountPaidKobo: number;
  totalPayableKobo: number;
  settlementAmountKobo: number | null;
  currency: string;
  paymentMethod: string | null;
  paymentDescription: string | null;
  /** As Monnify wrote it. */
  paidOn: string | null;
  /** `paidOn` as epoch ms, when readable. */
  paidAt: number | null;
  /** `RESERVED_ACCOUNT` + accountReference, or `WEB_SDK` + our paymentReference. */
  product: { type: string; reference: string };
  customer: { name: string | null; email: string | null };
  /** The reserved NUBAN a transfer was paid into (events only). */
  destinationAccount: { bankCode: string | null; bankName: string | null; accountNumber: string } | null;
  /** Who paid: `paymentSourceInformation` (events) or `accountPayments`/`accountDetails` (verify). */
  paymentSources: MonnifyPaymentSource[];
  metaData: Record<string, unknown>;
}

const sourceSchema = z.object({ accountName: text, accountNumber: text, bankCode: text, sessionId: text, amountPaid: optionalAmount });
type Source = z.output<typeof sourceSchema>;

function toSources(...lists: (Source | Source[] | null | undefined)[]): MonnifyPaymentSource[] {
  for (const list of lists) {
    const sources = (Array.isArray(list) ? list : list ? [list] : []).filter((s) => s.accountNumber || s.accountName || s.sessionId || s.amountPaid != null);
    if (sources.length > 0) {
      return sources.map((s) => ({ accountName: s.accountName, accountNumber: s.accountNumber, bankCode: s.bankCode, sessionId: s.sessionId, amountPaidKobo: s.amountPaid ?? null }));
    }
  }
  return [];
}

/** The transaction fields shared by verify answers and webhook `eventData`. @see providers.md §3.6, §3.7 */
export const transactionSchema = z
  .object({
    transactionReference: z.string().min(1),
    paymentReference: z.string().min(1),
    paymentStatus: z.string().min(1),
    amountPaid: amount,
    totalPayable: amount,
    settlementAmount: optionalAmount,
    currency: z.string().min(1),
    paymentMethod: text,
    paymentDescription: text,
    paidOn: z.string().nullish(),
    product: z.object({ type: z.string().min(1), reference: z.string().min(1) }),
    customer: z.object({ name: text, email: text }).nullish(),
    destinationAccountInformation: z.object({ bankCode: text, bankName: text, accountNumber: text }).nullish(),
    paymentSourceInformation: z.union([z.array(sourceSchema), sourceSchema]).nullish(),
    accountPayments: z.array(sourceSchema).nullish(),
    accountDetails: sourceSchema.nullish(),
    metaData: z.record(z.string(), z.unknown()).nullish(),
  })
  .transform((t): MonnifyTransaction => {
    const destination = t.destinationAccountInformation;
    return {
      transactionReference: t.transactionReference,
      paymentReference: t.paymentReference,
      paymentStatus: t.paymentStatus,
      amountPaidKobo: t.amountPaid,
      totalPayableKobo: t.totalPayable,
      settlementAmountKobo: t.settlementAmount ?? null,
      currency: t.currency,
      paymentMethod: t.paymentMethod,
      paymentDescription: t.paymentDescription,
      paidOn: t.paidOn ?? null,
      paidAt: parsePaidOn(t.paidOn),
      product: t.product,
      customer: { name: t.customer?.name ?? null, email: t.customer?.email ?? null },
      destinationAccount: destination?.accountNumber ? { bankCode: destination.bankCode, bankName: destination.bankName, accountNumber: destination.accountNumber } : null,
      paymentSources: toSources(t.paymentSourceInformation, t.accountPayments, t.accountDetails),
      metaData: t.metaData ?? {},
    };
  });
