import { z } from 'zod';

/**
 * An amount in major units as staff type it ("1,500.50", "250", "1500.5") → minor units, exactly:
 * digits are split at the point, never parsed as a float; commas only as thousands separators.
 * Each form adds its own bounds with `.pipe(...)`.
 */
export function typedAmount(message: string) {
  return z
    .string()
    .trim()
    .regex(/^(\d{1,3}(,\d{3})+|\d{1,12})(\.\d{1,2})?$/, message)
    .transform((text) => {
      const [whole = '0', fraction = ''] = text.replaceAll(',', '').split('.');
      return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    });
}
