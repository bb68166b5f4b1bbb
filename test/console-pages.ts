import { env } from 'cloudflare:workers';
import { expect, vi } from 'vitest';
import { database } from '../src/db/client';
import { anomalies, deposits, purchases } from '../src/db/schema';
import { newId } from '../src/lib/crypto';

/** Tags stripped, entities for quotes and ampersands decoded, whitespace (NBSP too) collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Each `<tr>` of the page as text, in order. */
export function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => textOf(m[1]!));
}

/** The one table row whose text starts with `start`. */
export function rowStarting(html: string, start: string): string {
  const rows = rowsOf(html).filter((row) => row.startsWith(start));
  expect(rows, `exactly one row starting "${start}"`).toHaveLength(1);
  return rows[0]!;
}

/** Every `href` on the page, decoded from HTML. */
export function hrefsOf(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

/** Waits until the wallet object has copied at least `count` entries of this wallet to D1. */
export async function projected(userId: string, currency: 'KES' | 'NGN', count: number) {
  await vi.waitFor(
    async () => {
      const row = await env.DB.prepare('SELECT count(*) AS n FROM ledger_entries WHERE user_id = ? AND currency = ?').bind(userId, currency).first<{ n: number }>();
      expect(row!.n).toBeGreaterThanOrEqual(count);
    },
    { timeout: 10_000, interval: 100 },
  );
}

let counter = 0;

/** A deposit row as the flows write it (id minted at `createdAt`), for windows a live flow cannot reach. */
export async function insertDeposit(userId: string, row: { createdAt: number; amount: number; status: 'pending' | 'succeeded' | 'failed'; method?: 'mpesa' | 'monnify' }) {
  const method = row.method ?? 'mpesa';
  const id = newId('dep', row.createdAt);
  await database(env.DB)
    .insert(deposits)
    .values({ id, userId, method, currency: method === 'mpesa' ? 'KES' : 'NGN', amount: row.amount, status: row.status, expiresAt: row.createdAt + 600_000, createdAt: row.createdAt, updatedAt: row.createdAt });
  return id;
}

/** A purchase row as the purchase flow writes it, at a chosen time. */
export async function insertPurchase(userId: string, row: { createdAt: number; amount: number; status: 'pending' | 'delivered' | 'failed' | 'reversed'; escalatedAt?: number }) {
  counter += 1;
  const id = newId('pur', row.createdAt);
  await database(env.DB)
    .insert(purchases)
    .values({
      id,
      userId,
      serviceId: 'mtn',
      category: 'airtime',
      recipient: '08011111111',
      phone: '08011111111',
      amount: row.amount,
      status: row.status,
      requestId: `req-${id}`,
      idempotencyKey: `key-${counter}-${id}`,
      requestHash: 'x',
      escalatedAt: row.escalatedAt ?? null,
      createdAt: row.createdAt,
      updatedAt: row.createdAt,
    });
  return id;
}

/** An anomaly row as `recordAnomaly` writes it. */
export async function insertAnomaly(row: { kind: string; details: unknown; provider?: string; depositId?: string; eventId?: string; createdAt?: number; resolved?: { by: string; at: number; resolution: string } }) {
  const createdAt = row.createdAt ?? Date.now();
  const id = newId('anm', createdAt);
  await database(env.DB)
    .insert(anomalies)
    .values({
      id,
      kind: row.kind,
      provider: row.provider ?? null,
      depositId: row.depositId ?? null,
      eventId: row.eventId ?? null,
      details: JSON.stringify(row.details),
      createdAt,
      ...(row.resolved ? { status: 'resolved' as const, resolvedBy: row.resolved.by, resolvedAt: row.resolved.at, resolution: row.resolved.resolution } : {}),
    });
  return id;
}
