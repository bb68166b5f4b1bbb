/** Formats minor units for people: `KES 1,250.00`. The only place amounts become decimals. */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en-KE', { style: 'currency', currency, currencyDisplay: 'code', minimumFractionDigits: 2 }).format(minor / 100);
}

export function Money({ amount, currency }: { amount: number; currency: string }) {
  return <span class="money">{formatMoney(amount, currency)}</span>;
}

const LOCAL_TIME = {
  KES: { zone: 'Africa/Nairobi', label: 'Nairobi time' },
  NGN: { zone: 'Africa/Lagos', label: 'Lagos time' },
} as const;

/** A moment as a wallet's customers read it: their country's time, labelled (`… (Lagos time)`). */
export function formatLocalTime(ms: number, currency: keyof typeof LOCAL_TIME): string {
  const { zone, label } = LOCAL_TIME[currency];
  return `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(ms))} (${label})`;
}
