import { z } from 'zod';

/** A ResultCode: numeric codes as numbers (the query sends "1032", the callback 1032); a few are text (`SFC_IC0003`). */
export type ResultCode = number | string;

export const resultCodeSchema = z
  .union([z.number().int(), z.string().trim().min(1)])
  .transform((code): ResultCode => (typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : code));

const itemSchema = z.object({ Name: z.string(), Value: z.union([z.string(), z.number()]).optional() });
const digitsSchema = z.union([z.number().int(), z.string()]).transform(String);

/** Items looked up by Name; those without a Value (Balance, typically) are dropped. */
const metadataSchema = z
  .object({ Item: z.array(itemSchema) })
  .transform(({ Item }) => Object.fromEntries(Item.filter((item) => item.Value !== undefined).map((item) => [item.Name, item.Value])))
  .pipe(
    z.object({
      Amount: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().positive()).optional(),
      MpesaReceiptNumber: z.string().min(1).optional(),
      PhoneNumber: digitsSchema.pipe(z.string().regex(/^\d{9,15}$/)).optional(),
      TransactionDate: digitsSchema.pipe(z.string().regex(/^\d{14}$/)).optional(),
    }),
  );

/** What a callback says, flattened. `amount` is in shillings as M-Pesa reports it (`1.00` → 1), not cents. */
export interface StkCallback {
  merchantRequestId: string;
  checkoutRequestId: string;
  resultCode: ResultCode;
  resultDesc: string;
  amount?: number;
  receipt?: string;
  /** The payer's MSISDN as digits, e.g. `254708374149`. */
  phone?: string;
  /** `YYYYMMDDHHmmss`, Kenya time. */
  transactionDate?: string;
}

/**
 * The body Daraja POSTs to CallBackURL. Metadata items are found by Name, never by position; Amount may
 * be `1.00`, PhoneNumber and TransactionDate are numbers, Balance often has no Value; failures carry no
 * metadata at all. @see providers.md §1.5
 */
export const stkCallbackSchema = z
  .object({
    Body: z.object({
      stkCallback: z.object({
        MerchantRequestID: z.string(),
        CheckoutRequestID: z.string().min(1),
        ResultCode: resultCodeSchema,
        ResultDesc: z.string(),
        CallbackMetadata: metadataSchema.optional(),
      }),
    }),
  })
  .transform(({ Body: { stkCallback: cb } }): StkCallback => {
    const meta = cb.CallbackMetadata ?? {};
    return {
      merchantRequestId: cb.MerchantRequestID,
      checkoutRequestId: cb.CheckoutRequestID,
      resultCode: cb.ResultCode,
      resultDesc: cb.ResultDesc,
      ...(meta.Amount !== undefined ? { amount: meta.Amount } : {}),
      ...(meta.MpesaReceiptNumber !== undefined ? { receipt: meta.MpesaReceiptNumber } : {}),
      ...(meta.PhoneNumber !== undefined ? { phone: meta.PhoneNumber } : {}),
      ...(meta.TransactionDate !== undefined ? { transactionDate: meta.TransactionDate } : {}),
    };
  });

/** A callback body (already JSON-parsed), or null if it is not the documented shape; `stkCallbackSchema.safeParse` says why. */
export function parseStkCallback(body: unknown): StkCallback | null {
  const parsed = stkCallbackSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

const RESULT_WORDS: Record<string, string> = {
  '0': 'Payment received.',
  '1': 'Your M-Pesa balance was not enough for this payment.',
  '2': 'The amount is below the M-Pesa minimum.',
  '3': 'The amount is above the M-Pesa limit for one payment.',
  '4': 'This payment would take you over your daily M-Pesa limit.',
  '8': 'The payment could not be received right now. Please try again later.',
  '17': 'You made a payment of the same amount moments ago. Wait two minutes and try again.',
  '1001': 'Another M-Pesa payment is in progress on your phone. Wait a minute and try again.',
  '1019': 'The payment request expired before it was completed.',
  '1025': 'M-Pesa could not send the payment prompt to your phone.',
  '9999': 'M-Pesa could not send the payment prompt to your phone.',
  '1032': 'You cancelled the payment on your phone.',
  '1037': 'Your phone could not be reached, or the prompt timed out before you answered.',
  '2001': 'The M-Pesa PIN entered was wrong.',
  '2028': 'M-Pesa refused this payment. Please try again later.',
  SFC_IC0003: 'M-Pesa refused this payment. Please try again later.',
  '8006': 'Your M-Pesa PIN is locked after too many wrong attempts.',
};

/** Plain words for a customer; the raw ResultDesc is for staff. @see providers.md §1.6 */
export function describeResultCode(code: ResultCode): string {
  return RESULT_WORDS[String(code)] ?? 'M-Pesa could not complete the payment.';
}
