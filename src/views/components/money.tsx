/** Formats minor units for people: `KES 1,250.00`. The only place amounts become decimals. */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en-KE', { style: 'currency', currency, currencyDisplay: 'code', minimumFractionDigits: 2 }).format(minor / 100);
}

export function Money({ amount, currency }: { amount: number; currency: string }) {
  return <span class="money">{formatMoney(amount, currency)}</span>;
}

export function formatDateTime(ms: number | string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Africa/Nairobi' }).format(new Date(ms));
}
