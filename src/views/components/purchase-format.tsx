import type { Purchase } from '../../services/purchases';

const naira = new Intl.NumberFormat('en-NG', { style: 'currency', currency: 'NGN', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2 });

/** Kobo as Nigerians read prices: `₦1,250.00`. Only for display; amounts stay kobo everywhere else. */
export function formatNaira(kobo: number): string {
  return naira.format(kobo / 100);
}

/** A 20-digit token in groups of four, as it is typed into a meter keypad. */
export function groupToken(token: string): string {
  return token.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** VTpass sends units as "79.9 kWh", "79.9" or a number; say kWh either way. */
export function formatUnits(units: string): string {
  return /^\d+(\.\d+)?$/.test(units.trim()) ? `${units.trim()} kWh` : units;
}

export const CATEGORY_WORDS: Record<Purchase['category'], string> = { airtime: 'Airtime', data: 'Data', electricity: 'Electricity', tv: 'TV subscription' };

/** The status as a customer would say it. */
export const STATUS_WORDS: Record<Purchase['status'], string> = {
  pending: 'Processing',
  delivered: 'Delivered',
  failed: 'Failed, not charged',
  reversed: 'Reversed, refunded',
};

/** What the recipient number is, per category. */
export function recipientLabel(category: Purchase['category']): string {
  return { airtime: 'Phone number', data: 'Phone number', electricity: 'Meter number', tv: 'Smartcard number' }[category];
}
