import { and, eq, inArray, lt, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { simMonnifyWebhooks } from '../db/schema';
import { newId } from '../lib/crypto';
import { log } from '../lib/log';
import type { Fetch } from '../providers/http';
import { koboToNaira } from '../providers/monnify-parse';
import { MONNIFY_SIGNATURE_HEADER, MONNIFY_WEBHOOK_IP, signMonnifyBody, SUCCESSFUL_TRANSACTION } from '../providers/monnify-webhook';
import { cardDetails, dashedTime, nairaText, settlementKobo, slashedTime, type SimTransaction } from './monnify-state';

/** Monnify's legacy docs: a notification that is not answered 200 is retried 12 times. @see providers.md §3.7 */
const MAX_ATTEMPTS = 12;
/** A claimed row whose sender died (request cancelled mid-send) is due again after this long. */
const STUCK_AFTER_MS = 60_000;

const w = simMonnifyWebhooks;

/**
 * The `SUCCESSFUL_TRANSACTION` body, keys in the official sample's order. Both documented quirks
 * show: a transfer into a reserved account has an array `paymentSourceInformation`, naira numbers, a
 * string `settlementAmount` and a dashed `paidOn`; a checkout payment has an object, a numeric
 * `settlementAmount` and a `dd/MM/yyyy h:mm:ss a` `paidOn`. @see providers.md §3.7
 */
export function successfulTransactionBody(row: SimTransaction): string {
  const paidAt = row.paidAt ?? row.createdAt;
  const reserved = row.productType === 'RESERVED_ACCOUNT';
  const source = row.sourceAccountNumber
    ? { bankCode: row.sourceBankCode ?? '', amountPaid: koboToNaira(row.paidKobo), accountName: row.sourceAccountName, sessionId: row.sessionId, accountNumber: row.sourceAccountNumber }
    : {};
  const settlement = settlementKobo(row.paidKobo);
  const eventData = {
    product: { reference: row.productReference, type: row.productType },
    transactionReference: row.transactionReference,
    paymentReference: row.paymentReference,
    paidOn: reserved ? dashedTime(paidAt) : slashedTime(paidAt),
    paymentDescription: row.description,
    metaData: JSON.parse(row.metaData) as unknown,
    paymentSourceInformation: reserved ? [source] : source,
    destinationAccountInformation: row.destinationAccountNumber
      ? { bankCode: row.destinationBankCode, bankName: row.destinationBankName, accountNumber: row.destinationAccountNumber }
      : {},
    amountPaid: koboToNaira(row.paidKobo),
    totalPayable: koboToNaira(row.payableKobo),
    cardDetails: row.paymentMethod === 'CARD' ? cardDetails() : {},
    paymentMethod: row.paymentMethod,
    currency: 'NGN',
    settlementAmount: reserved ? nairaText(settlement) : koboToNaira(settlement),
    paymentStatus: row.status,
    customer: { name: row.customerName, email: row.customerEmail },
  };
  return JSON.stringify({ eventType: SUCCESSFUL_TRANSACTION, eventData });
}

/** Queues the notification for a completed collection, `copies` times (2 = Monnify sending it twice). */
export async function queueWebhooks(db: Database, row: SimTransaction, url: string, copies: number, now: number): Promise<string[]> {
  const body = successfulTransactionBody(row);
  const rows = Array.from({ length: copies }, () => ({
    id: newId('mnwh', now),
    transactionReference: row.transactionReference,
    url,
    body,
    status: 'due' as const,
    createdAt: now,
    updatedAt: now,
  }));
  await db.insert(w).values(rows);
  return rows.map((r) => r.id);
}

export type WebhookReport = { id: string; transactionReference: string; status: 'delivered' | 'due' | 'gave-up'; httpStatus: number | null };

/**
 * Posts due notifications (the given ids, one transaction's, or all), oldest first, each claimed
 * first so two flushes never send the same row at once. Signed like Monnify: HMAC-SHA512 of the exact body
 * with the client secret in `monnify-signature`; sent as if from Monnify's address. Anything but a
 * 2xx stays due for the next flush, up to 12 attempts. @see providers.md §3.7
 */
export async function deliverWebhooks(
  db: Database,
  send: Fetch,
  secret: string,
  now: number,
  only: { ids?: string[]; transactionReference?: string } = {},
): Promise<WebhookReport[]> {
  const claimed = await db
    .update(w)
    .set({ status: 'sending', updatedAt: now })
    .where(
      and(
        or(eq(w.status, 'due'), and(eq(w.status, 'sending'), lt(w.updatedAt, now - STUCK_AFTER_MS))),
        only.ids ? inArray(w.id, only.ids) : undefined,
        only.transactionReference ? eq(w.transactionReference, only.transactionReference) : undefined,
      ),
    )
    .returning();
  claimed.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const reports: WebhookReport[] = [];
  for (const hook of claimed) {
    let httpStatus: number | null = null;
    let lastResult: string;
    try {
      const response = await send(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [MONNIFY_SIGNATURE_HEADER]: await signMonnifyBody(hook.body, secret),
          'cf-connecting-ip': MONNIFY_WEBHOOK_IP,
        },
        body: hook.body,
      });
      httpStatus = response.status;
      lastResult = String(response.status);
      await response.body?.cancel();
    } catch (error) {
      lastResult = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    const attempts = hook.attempts + 1;
    const status = httpStatus !== null && httpStatus >= 200 && httpStatus < 300 ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'gave-up' : 'due';
    await db.update(w).set({ status, attempts, lastResult, updatedAt: now }).where(eq(w.id, hook.id));
    log('info', 'sim monnify webhook', { transactionReference: hook.transactionReference, url: hook.url, result: lastResult, attempts });
    reports.push({ id: hook.id, transactionReference: hook.transactionReference, status, httpStatus });
  }
  return reports;
}
