import { z } from 'zod';
import { timingSafeEqual, toHex } from '../lib/crypto';
import { transactionSchema, type MonnifyTransaction } from './monnify-parse';

export const SUCCESSFUL_TRANSACTION = 'SUCCESSFUL_TRANSACTION';
/** The header Monnify signs its notifications in. @see providers.md §3.7 */
export const MONNIFY_SIGNATURE_HEADER = 'monnify-signature';
/** Where Monnify's notifications come from (official docs and SDK README). @see providers.md §3.7 */
export const MONNIFY_WEBHOOK_IP = '35.242.133.146';

const encoder = new TextEncoder();
const HEX_SHA512 = /^[0-9a-f]{128}$/;

function bytesOf(body: ArrayBuffer | Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : new Uint8Array(body);
}

/**
 * Lowercase hex HMAC-SHA512 of the exact body bytes, keyed with the client secret key. The doc prose
 * says "SHA-512(secret + body)" but its code and test vector are HMAC. @see providers.md §3.7
 */
export async function signMonnifyBody(rawBody: ArrayBuffer | Uint8Array | string, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', key, bytesOf(rawBody)));
}

/**
 * Whether `header` is Monnify's signature of these exact bytes. Pass the raw request body, never a
 * re-serialised JSON (whitespace and key order would change). A missing header or an empty secret is
 * always false, so an unconfigured secret can never accept a forged event. @see providers.md §3.7
 */
export async function verifyMonnifySignature(rawBody: ArrayBuffer | Uint8Array | string, header: string | null, secret: string): Promise<boolean> {
  if (!header || !secret) return false;
  const given = header.trim().toLowerCase();
  if (!HEX_SHA512.test(given)) return false;
  const expected = await signMonnifyBody(rawBody, secret);
  return timingSafeEqual(encoder.encode(given), encoder.encode(expected));
}

export type MonnifyWebhookEvent =
  /** A collection: a transfer into a reserved account, or a checkout payment (check `paymentStatus` and the amount). */
  | { eventType: typeof SUCCESSFUL_TRANSACTION; other: false; transaction: MonnifyTransaction }
  /** Refunds, disbursements, settlements, …: recognised as Monnify's, not acted on here. */
  | { eventType: string; other: true };

/**
 * The notification envelope `{eventType, eventData}`. `SUCCESSFUL_TRANSACTION` data is normalised
 * (kobo, one shape for `paymentSourceInformation`, `paidOn` read); other event types parse as
 * `{eventType, other: true}` whatever their data. @see providers.md §3.7
 */
export const monnifyWebhookSchema = z.object({ eventType: z.string().min(1), eventData: z.unknown().optional() }).transform((event, ctx): MonnifyWebhookEvent => {
  if (event.eventType !== SUCCESSFUL_TRANSACTION) return { eventType: event.eventType, other: true };
  const data = transactionSchema.safeParse(event.eventData);
  if (!data.success) {
    for (const issue of data.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['eventData', ...issue.path] });
    return z.NEVER;
  }
  return { eventType: SUCCESSFUL_TRANSACTION, other: false, transaction: data.data };
});

/** A notification body (already JSON-parsed), or null if it is not one; `monnifyWebhookSchema.safeParse` says why. */
export function parseMonnifyWebhook(body: unknown): MonnifyWebhookEvent | null {
  const parsed = monnifyWebhookSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}
