import { and, eq, gt, isNull, lte } from 'drizzle-orm';
import type { Database } from '../db/client';
import { simMpesaPayments } from '../db/schema';
import { log } from '../lib/log';
import type { Fetch } from '../providers/http';
import { darajaTimestamp } from '../providers/mpesa';

interface Outcome {
  resultCode: number;
  resultDesc: string;
  /** Times the callback is posted: 1, or 0 ("only STK query tells"), or 2 ("sent twice"). */
  callbacks: number;
}

const PAID: Outcome = { resultCode: 0, resultDesc: 'The service request is processed successfully.', callbacks: 1 };

/** The magic numbers of design.md §6; any other valid number pays. */
const OUTCOMES_BY_PHONE: Record<string, Outcome> = {
  '254700000001': { resultCode: 1032, resultDesc: 'Request cancelled by user', callbacks: 1 },
  '254700000002': { resultCode: 1037, resultDesc: 'DS timeout user cannot be reached', callbacks: 1 },
  '254700000003': { resultCode: 1, resultDesc: 'The balance is insufficient for the transaction.', callbacks: 1 },
  '254700000004': { resultCode: 2001, resultDesc: 'The initiator information is invalid.', callbacks: 1 },
  '254700000005': { ...PAID, callbacks: 0 },
  '254700000006': { ...PAID, callbacks: 2 },
};

/** A PartyB that does not fit the TransactionType fails like Daraja does: 2028 in the callback. @see providers.md §1.6 */
const NOT_PERMITTED: Outcome = { resultCode: 2028, resultDesc: 'The request is not permitted according to product assignment', callbacks: 1 };

/** What happens to a push, decided when it is accepted: by the prompted phone, unless PartyB is wrong. */
export function outcomeFor(phone: string, partyBFits: boolean): Outcome {
  if (!partyBFits) return NOT_PERMITTED;
  return OUTCOMES_BY_PHONE[phone] ?? PAID;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UPPER_DIGITS = `${UPPER}0123456789`;

function randomFrom(alphabet: string, length: number): string {
  return [...crypto.getRandomValues(new Uint8Array(length))].map((b) => alphabet[b % alphabet.length]).join('');
}

/** `ws_CO_` + DDMMYYYYHHmmss + digits, like `ws_CO_1007202409152617172396192`. */
export function newCheckoutRequestId(timestamp: string): string {
  const ddmmyyyy = timestamp.slice(6, 8) + timestamp.slice(4, 6) + timestamp.slice(0, 4);
  return `ws_CO_${ddmmyyyy}${timestamp.slice(8)}${randomFrom('0123456789', 11)}`;
}

/** Like `2654-4b64-97ff-b827b542881d3130`. */
export function newMerchantRequestId(): string {
  const [, a, b, c, d] = crypto.randomUUID().split('-');
  return `${a}-${b}-${c}-${d}${randomFrom('0123456789', 4)}`;
}

export const newRequestId = newMerchantRequestId;

/** Ten upper-case letters and digits, like `NLJ7RT61SV`. */
export function newReceipt(): string {
  return randomFrom(UPPER, 3) + randomFrom(UPPER_DIGITS, 7);
}

/** The documented callback shape: numbers for ResultCode, TransactionDate and PhoneNumber; a Balance with no Value. @see providers.md §1.5 */
function callbackBody(payment: typeof simMpesaPayments.$inferSelect, paidAt: number) {
  const { merchantRequestId, checkoutRequestId, resultCode, resultDesc } = payment;
  const stkCallback = { MerchantRequestID: merchantRequestId, CheckoutRequestID: checkoutRequestId, ResultCode: resultCode, ResultDesc: resultDesc };
  if (resultCode !== 0) return { Body: { stkCallback } };
  const Item = [
    { Name: 'Amount', Value: payment.amount },
    { Name: 'MpesaReceiptNumber', Value: payment.receipt },
    { Name: 'Balance' },
    { Name: 'TransactionDate', Value: Number(darajaTimestamp(paidAt)) },
    { Name: 'PhoneNumber', Value: Number(payment.phone) },
  ];
  return { Body: { stkCallback: { ...stkCallback, CallbackMetadata: { Item } } } };
}

/** Brings open payments' outcomes forward to `now`: one (by CheckoutRequestID) or all of them. */
export async function makeDue(db: Database, now: number, checkoutRequestId?: string): Promise<void> {
  await db
    .update(simMpesaPayments)
    .set({ dueAt: now })
    .where(
      and(
        isNull(simMpesaPayments.callbackSentAt),
        gt(simMpesaPayments.dueAt, now),
        checkoutRequestId ? eq(simMpesaPayments.checkoutRequestId, checkoutRequestId) : undefined,
      ),
    );
}

/**
 * Posts the callback of every payment that is due and not yet sent, claiming each row first so two
 * isolates never both send it. Like M-Pesa, a callback that fails is not retried. Returns the
 * CheckoutRequestIDs whose callbacks went out.
 */
export async function deliverDueCallbacks(db: Database, fetch: Fetch, now: number): Promise<string[]> {
  const due = await db
    .update(simMpesaPayments)
    .set({ callbackSentAt: now })
    .where(and(isNull(simMpesaPayments.callbackSentAt), lte(simMpesaPayments.dueAt, now), gt(simMpesaPayments.callbacks, 0)))
    .returning();
  for (const payment of due) {
    const body = JSON.stringify(callbackBody(payment, payment.dueAt));
    const results: string[] = [];
    for (let i = 0; i < payment.callbacks; i++) {
      try {
        const response = await fetch(payment.callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        results.push(String(response.status));
      } catch (error) {
        results.push(`error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    log('info', 'sim mpesa callback', { checkoutRequestId: payment.checkoutRequestId, url: payment.callbackUrl, results });
    await db.update(simMpesaPayments).set({ callbackResult: results.join(', ') }).where(eq(simMpesaPayments.checkoutRequestId, payment.checkoutRequestId));
  }
  return due.map((payment) => payment.checkoutRequestId);
}
