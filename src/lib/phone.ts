import { z } from 'zod';

/** `07…`, `01…`, `+254…` or `254…` followed by a 7 or 1 and eight more digits. */
const KENYAN_MOBILE = /^(?:\+?254|0)([17]\d{8})$/;

/**
 * A Kenyan mobile number in the form M-Pesa expects (`2547XXXXXXXX` or `2541XXXXXXXX`), or null.
 * Spaces and dashes are ignored; any other shape (landlines, other countries, short codes) is refused.
 * @see providers.md §1.3 (PartyA / PhoneNumber)
 */
export function normaliseKenyanPhone(input: string): string | null {
  const match = KENYAN_MOBILE.exec(input.trim().replace(/[\s-]/g, ''));
  return match ? `254${match[1]}` : null;
}

/** Request validation for a phone field: accepts what customers type, outputs the M-Pesa form. */
export const kenyanPhone = z.string().transform((value, ctx) => {
  const phone = normaliseKenyanPhone(value);
  if (phone) return phone;
  ctx.addIssue({ code: 'custom', message: 'Enter a Kenyan mobile number, e.g. 0712 345 678' });
  return z.NEVER;
});
