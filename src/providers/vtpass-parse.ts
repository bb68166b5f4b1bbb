import { z } from 'zod';

/**
 * Lenient readers for VTpass answers. VTpass sends the same field as a string in one answer and
 * a number in the next, misspells keys and adds disco-specific extras, so every field here is
 * optional and a field of the wrong type reads as absent instead of failing the whole answer.
 * @see providers.md §2.4–2.5
 */

/** A field sent as a string or a number; anything else reads as null. */
const text = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .nullish()
  .catch(null);

const list = z.array(z.unknown()).nullish().catch(null);

/** Naira as VTpass writes it (`2000`, `"2000.00"`, `"1,500"`) → kobo; null when it is not an amount. */
export function nairaToKobo(value: unknown): number | null {
  let written: string;
  if (typeof value === 'number') written = String(value);
  else if (typeof value === 'string') written = value.replace(/[\s,₦]|NGN/gi, '');
  else return null;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(written);
  if (!match) return null;
  const kobo = Number(match[1]) * 100 + Math.round(Number(`0.${match[2] ?? '0'}`) * 100);
  return Number.isSafeInteger(kobo) ? kobo : null;
}

/** `pay`, `requery` and the webhook's `data`. @see providers.md §2.5, §2.8 */
export const transactionAnswerSchema = z.looseObject({
  code: text,
  response_description: text,
  requestId: text,
  amount: z.unknown().optional(),
  purchased_code: text,
  token: text,
  Token: text,
  mainToken: text,
  units: text,
  Units: text,
  mainTokenUnits: text,
  content: z
    .looseObject({
      transactions: z
        .looseObject({ status: text, transactionId: text, amount: z.unknown().optional(), extras: z.unknown().optional() })
        .nullish()
        .catch(null),
    })
    .nullish()
    .catch(null),
});

export type TransactionAnswer = z.output<typeof transactionAnswerSchema>;

/** Services list; the codes sit in `response_description` here. @see providers.md §2.4 */
const servicesAnswerSchema = z.looseObject({ code: text, response_description: text, content: list });

const serviceSchema = z.looseObject({
  serviceID: z.string().min(1),
  name: text,
  minimium_amount: z.unknown().optional(),
  minimum_amount: z.unknown().optional(),
  maximum_amount: z.unknown().optional(),
  convinience_fee: text,
  product_type: text,
  image: text,
});

/** Variations live under `variations` and, on some services, the misspelled `varations`. @see providers.md §2.4 */
const variationsAnswerSchema = z.looseObject({
  code: text,
  response_description: text,
  content: z
    .looseObject({ ServiceName: text, serviceID: text, convinience_fee: text, variations: list, varations: list })
    .nullish()
    .catch(null),
});

const variationSchema = z.looseObject({
  variation_code: z.union([z.string().min(1), z.number()]).transform(String),
  name: text,
  variation_amount: z.unknown().optional(),
  fixedPrice: z.unknown().optional(),
});

/** `balance` answers `contents.balance` (sic); the `code` value is not documented. @see providers.md §2.4 */
const balanceAnswerSchema = z.looseObject({
  code: text,
  contents: z.looseObject({ balance: z.unknown().optional() }).nullish().catch(null),
  content: z.looseObject({ balance: z.unknown().optional() }).nullish().catch(null),
});

/** `merchant-verify`; DStv/GOtv add the subscription fields. @see providers.md §2.5 */
const verifyAnswerSchema = z.looseObject({
  code: text,
  response_description: text,
  content: z
    .looseObject({
      Customer_Name: text,
      Address: text,
      Meter_Number: text,
      Customer_Account_Type: text,
      Meter_Type: text,
      Min_Purchase_Amount: z.unknown().optional(),
      Can_Vend: z.unknown().optional(),
      WrongBillersCode: z.unknown().optional(),
      error: text,
      Status: text,
      Due_Date: text,
      Customer_Number: text,
      Customer_Type: text,
      Current_Bouquet: text,
      Renewal_Amount: z.unknown().optional(),
    })
    .nullish()
    .catch(null),
});

/** VTpass writes yes/no flags as `"Yes"`, `"yes"`, `true` or `1`. */
function yes(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  if (word === 'yes' || word === 'true') return true;
  if (word === 'no' || word === 'false') return false;
  return null;
}

export interface VtpassService {
  serviceId: string;
  name: string;
  minimumAmountKobo: number | null;
  maximumAmountKobo: number | null;
  convenienceFee: string | null;
  productType: string | null;
  image: string | null;
}

export interface VtpassVariation {
  code: string;
  name: string;
  amountKobo: number | null;
  fixedPrice: boolean;
}

export interface VtpassVariations {
  serviceId: string;
  serviceName: string | null;
  convenienceFee: string | null;
  variations: VtpassVariation[];
}

export type VtpassVerification =
  | {
      valid: true;
      customerName: string;
      address: string | null;
      meterNumber: string | null;
      meterType: string | null;
      accountType: string | null;
      minimumAmountKobo: number | null;
      canVend: boolean | null;
      /** DStv/GOtv only. */
      subscription: {
        status: string | null;
        dueDate: string | null;
        customerNumber: string | null;
        customerType: string | null;
        currentBouquet: string | null;
        renewalAmountKobo: number | null;
      } | null;
    }
  | { valid: false; code: string | null; message: string };

/** What a rejected answer said, for the error message. */
export function describeAnswer(body: unknown): { code: string | null; description: string | null } {
  const parsed = z.looseObject({ code: text, response_description: text }).safeParse(body);
  return { code: parsed.data?.code || null, description: parsed.data?.response_description || null };
}

/** The services of a category; items without a `serviceID` are skipped; null if no list came. */
export function readServices(body: unknown): VtpassService[] | null {
  const content = servicesAnswerSchema.safeParse(body).data?.content;
  if (!content) return null;
  return content.flatMap((item) => {
    const s = serviceSchema.safeParse(item).data;
    if (!s) return [];
    return [
      {
        serviceId: s.serviceID,
        name: s.name || s.serviceID,
        minimumAmountKobo: nairaToKobo(s.minimium_amount ?? s.minimum_amount),
        maximumAmountKobo: nairaToKobo(s.maximum_amount),
        convenienceFee: s.convinience_fee ?? null,
        productType: s.product_type ?? null,
        image: s.image ?? null,
      },
    ];
  });
}

/** Plans or bouquets from `variations`, or from `varations` when that is the one filled; null without either list. */
export function readVariations(body: unknown, serviceId: string): VtpassVariations | null {
  const content = variationsAnswerSchema.safeParse(body).data?.content;
  if (!content || (!content.variations && !content.varations)) return null;
  const items = content.variations?.length ? content.variations : (content.varations ?? []);
  return {
    serviceId: content.serviceID || serviceId,
    serviceName: content.ServiceName || null,
    convenienceFee: content.convinience_fee ?? null,
    variations: items.flatMap((item) => {
      const v = variationSchema.safeParse(item).data;
      if (!v) return [];
      return [{ code: v.variation_code, name: v.name || v.variation_code, amountKobo: nairaToKobo(v.variation_amount), fixedPrice: yes(v.fixedPrice) ?? false }];
    }),
  };
}

export function readBalance(body: unknown): number | null {
  const answer = balanceAnswerSchema.safeParse(body).data;
  return nairaToKobo((answer?.contents ?? answer?.content)?.balance);
}

/**
 * 000/020 with a customer name is a match; `WrongBillersCode`, `content.error` or 011 is "not
 * this number", for the customer to correct; null for anything else (a problem on our side).
 */
export function readVerification(body: unknown): VtpassVerification | null {
  const answer = verifyAnswerSchema.safeParse(body).data;
  if (!answer) return null;
  const { code, response_description: description, content } = answer;
  const wrong = yes(content?.WrongBillersCode) === true || Boolean(content?.error);
  if ((code === '000' || code === '020') && content?.Customer_Name && !wrong) {
    const isTv = Boolean(content.Current_Bouquet || content.Due_Date || content.Renewal_Amount !== undefined);
    return {
      valid: true,
      customerName: content.Customer_Name,
      address: content.Address || null,
      meterNumber: content.Meter_Number || null,
      meterType: content.Meter_Type || null,
      accountType: content.Customer_Account_Type || null,
      minimumAmountKobo: nairaToKobo(content.Min_Purchase_Amount),
      canVend: yes(content.Can_Vend),
      subscription: isTv
        ? {
            status: content.Status || null,
            dueDate: content.Due_Date || null,
            customerNumber: content.Customer_Number || null,
            customerType: content.Customer_Type || null,
            currentBouquet: content.Current_Bouquet || null,
            renewalAmountKobo: nairaToKobo(content.Renewal_Amount),
          }
        : null,
    };
  }
  if (code === '000' || code === '020' || code === '011') {
    return { valid: false, code, message: content?.error || description || 'The number could not be verified' };
  }
  return null;
}
