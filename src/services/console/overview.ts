import { and, count, desc, eq, gte, min, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { anomalies, deposits, purchases } from '../../db/schema';
import type { Currency } from '../../durable/ledger-types';
import { idFloor } from '../../lib/crypto';
import { log } from '../../lib/log';
import { ZONES } from './filters';

/**
 * The overview's business day is Nairobi's (EAT, UTC+3, no daylight saving, so a fixed offset is
 * exact). Every time the console prints without a currency of its own is Nairobi time, and the
 * team works from Nairobi; using one zone for every figure keeps "today" the same window for KES
 * and NGN, so the two rows of a table can be compared. Lagos days start two hours later: a naira
 * payment made between 22:00 and 00:00 WAT counts towards the next Nairobi day.
 */
export const OVERVIEW_ZONE = 'Africa/Nairobi' as const;
const OFFSET_MS = ZONES[OVERVIEW_ZONE].offsetHours * 3600_000;
const DAY_MS = 86_400_000;
/** Days in the volume chart, today included. */
export const CHART_DAYS = 14;
/** ids carry their creation time (`newId`); this much slack covers an id minted a moment before `created_at`. */
const ID_SLACK_MS = 60_000;

export type Tally = { count: number; volume: number };
export type StatusLine = { flow: 'deposits' | 'purchases'; currency: Currency; status: string; today: Tally; week: Tally };
export type PendingLine = { what: 'deposits' | 'purchases' | 'escalated'; count: number; oldestAt: number | null };
export type Rate = { failed: number; settled: number };
export type ProviderRate = { provider: 'mpesa' | 'monnify' | 'vtpass'; today: Rate; week: Rate };
export type ChartDay = { day: string; deposits: number; purchases: number };
/** Succeeded deposits and delivered purchases per Nairobi day, oldest first; purchases exist in NGN only. */
export type VolumeChart = { currency: Currency; series: ('deposits' | 'purchases')[]; days: ChartDay[] };

export type Overview = {
  now: number;
  todayStart: number;
  weekStart: number;
  lines: StatusLine[];
  pending: PendingLine[];
  openAnomalies: { kind: string; count: number }[];
  rates: ProviderRate[];
  charts: VolumeChart[];
};

/** Which rows each table always shows, so a quiet day reads as zeros rather than as a missing row. */
const LINES: { flow: StatusLine['flow']; currency: Currency; statuses: string[] }[] = [
  { flow: 'deposits', currency: 'KES', statuses: ['pending', 'succeeded', 'failed'] },
  { flow: 'deposits', currency: 'NGN', statuses: ['pending', 'succeeded', 'failed'] },
  { flow: 'purchases', currency: 'NGN', statuses: ['pending', 'delivered', 'failed', 'reversed'] },
];

/** The Nairobi day number (days since 1970-01-01 EAT) of an epoch-ms timestamp. */
export function dayNumber(ms: number): number {
  return Math.floor((ms + OFFSET_MS) / DAY_MS);
}

/** `YYYY-MM-DD` of a Nairobi day number. */
function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Midnight EAT starting Nairobi day `day`, as epoch ms. */
function dayStart(day: number): number {
  return day * DAY_MS - OFFSET_MS;
}

/** The same day number in SQL; constants are inlined so SQLite does integer division. */
function sqlDay(column: typeof deposits.createdAt | typeof purchases.createdAt) {
  return sql<number>`(${column} + ${sql.raw(String(OFFSET_MS))}) / ${sql.raw(String(DAY_MS))}`;
}

const zero = (): Tally => ({ count: 0, volume: 0 });

/**
 * Everything the overview counts, in five GROUP BY queries sent as one D1 batch: deposits and
 * purchases per (Nairobi day, status, …) over the chart's 14 days (which always cover this week),
 * pending work with its oldest timestamp, and open anomalies per kind. Deposit and purchase
 * windows are id ranges (ids start with their creation time), so the primary key answers them.
 */
export async function consoleOverview(db: Database, now = Date.now()): Promise<Overview> {
  const today = dayNumber(now);
  const weekday = (new Date(today * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
  const week = today - weekday;
  const first = today - (CHART_DAYS - 1);
  const since = dayStart(first);
  const depositDay = sqlDay(deposits.createdAt);
  const purchaseDay = sqlDay(purchases.createdAt);
  const escalated = sql<number>`${purchases.escalatedAt} IS NOT NULL`;
  const volume = (column: typeof deposits.amount | typeof purchases.amount) => sql<number>`coalesce(sum(${column}), 0)`;
  const [depositRows, purchaseRows, pendingDeposits, pendingPurchases, anomalyRows] = await db.batch([
    db
      .select({ day: depositDay, method: deposits.method, currency: deposits.currency, status: deposits.status, count: count(), volume: volume(deposits.amount) })
      .from(deposits)
      .where(and(gte(deposits.id, idFloor('dep', since - ID_SLACK_MS)), gte(deposits.createdAt, since)))
      .groupBy(depositDay, deposits.method, deposits.currency, deposits.status),
    db
      .select({ day: purchaseDay, status: purchases.status, count: count(), volume: volume(purchases.amount) })
      .from(purchases)
      .where(and(gte(purchases.id, idFloor('pur', since - ID_SLACK_MS)), gte(purchases.createdAt, since)))
      .groupBy(purchaseDay, purchases.status),
    db.select({ count: count(), oldestAt: min(deposits.createdAt) }).from(deposits).where(eq(deposits.status, 'pending')),
    db.select({ escalated, count: count(), oldestAt: min(purchases.createdAt) }).from(purchases).where(eq(purchases.status, 'pending')).groupBy(escalated),
    db.select({ kind: anomalies.kind, count: count() }).from(anomalies).where(eq(anomalies.status, 'open')).groupBy(anomalies.kind).orderBy(desc(count()), anomalies.kind),
  ]);

  const lines = LINES.flatMap(({ flow, currency, statuses }) => statuses.map((status): StatusLine => ({ flow, currency, status, today: zero(), week: zero() })));
  const line = (flow: StatusLine['flow'], currency: string, status: string) => lines.find((l) => l.flow === flow && l.currency === currency && l.status === status);
  const rates: ProviderRate[] = (['mpesa', 'monnify', 'vtpass'] as const).map((provider) => ({ provider, today: { failed: 0, settled: 0 }, week: { failed: 0, settled: 0 } }));
  const rate = (provider: ProviderRate['provider']) => rates.find((r) => r.provider === provider)!;
  const charts: VolumeChart[] = [
    { currency: 'KES', series: ['deposits'], days: chartDays(first) },
    { currency: 'NGN', series: ['deposits', 'purchases'], days: chartDays(first) },
  ];
  const chartDay = (currency: string, day: number) => charts.find((c) => c.currency === currency)?.days[day - first];

  const tally = (target: StatusLine | undefined, day: number, n: number, amount: number) => {
    if (!target || day < week) return;
    add(target.week, n, amount);
    if (day === today) add(target.today, n, amount);
  };
  const settle = (target: ProviderRate, day: number, failed: boolean, n: number) => {
    if (day < week) return;
    for (const window of day === today ? [target.week, target.today] : [target.week]) {
      window.settled += n;
      if (failed) window.failed += n;
    }
  };

  for (const row of depositRows) {
    tally(line('deposits', row.currency, row.status), row.day, row.count, row.volume);
    if (row.status !== 'pending') settle(rate(row.method), row.day, row.status === 'failed', row.count);
    const bar = chartDay(row.currency, row.day);
    if (bar && row.status === 'succeeded') bar.deposits += row.volume;
  }
  for (const row of purchaseRows) {
    tally(line('purchases', 'NGN', row.status), row.day, row.count, row.volume);
    // A reversed purchase is one VTpass took and then could not deliver: a failure of the provider.
    if (row.status !== 'pending') settle(rate('vtpass'), row.day, row.status !== 'delivered', row.count);
    const bar = chartDay('NGN', row.day);
    if (bar && row.status === 'delivered') bar.purchases += row.volume;
  }

  const purchasesPending = (isEscalated: boolean) => pendingPurchases.find((r) => Boolean(r.escalated) === isEscalated);
  const pending: PendingLine[] = [
    { what: 'deposits', count: pendingDeposits[0]?.count ?? 0, oldestAt: pendingDeposits[0]?.oldestAt ?? null },
    { what: 'purchases', count: purchasesPending(false)?.count ?? 0, oldestAt: purchasesPending(false)?.oldestAt ?? null },
    { what: 'escalated', count: purchasesPending(true)?.count ?? 0, oldestAt: purchasesPending(true)?.oldestAt ?? null },
  ];

  return { now, todayStart: dayStart(today), weekStart: dayStart(week), lines, pending, openAnomalies: anomalyRows, rates, charts };
}

function add(tally: Tally, n: number, amount: number) {
  tally.count += n;
  tally.volume += amount;
}

function chartDays(first: number): ChartDay[] {
  return Array.from({ length: CHART_DAYS }, (_, i) => ({ day: dayLabel(first + i), deposits: 0, purchases: 0 }));
}

export type FloatBalance = { ok: true; balanceKobo: number } | { ok: false; reason: string };

/**
 * VTpass's answer for our prepaid float. Never throws: when VTpass is slow, down or answers
 * nonsense the overview and reconciliation still render, saying the figure is unavailable and why.
 */
export async function askFloat(balance: () => Promise<{ balanceKobo: number }>): Promise<FloatBalance> {
  try {
    return { ok: true, balanceKobo: (await balance()).balanceKobo };
  } catch (error) {
    const reason = error instanceof Error && 'reason' in error && typeof error.reason === 'string' ? error.reason : 'error';
    log('warn', 'VTpass float unavailable', { reason, error: String(error) });
    return { ok: false, reason };
  }
}
