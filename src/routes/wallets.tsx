import { Hono } from 'hono';
import { z } from 'zod';
import { isCurrency, type Currency, type WalletEntry } from '../durable/ledger-types';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { requireUser, requireUserPage } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { listEntries, listWallets } from '../services/wallets';
import { EntryRows, WalletPage } from '../views/pages/wallet';

const entriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().regex(/^\d{1,15}$/, 'is not a cursor from this list').optional(),
});

/** `kes` and `KES` both name the KES wallet; anything else is a wallet that does not exist. */
function walletCurrency(value: string): Currency {
  const code = value.toUpperCase();
  if (!isCurrency(code)) throw new AppError('NOT_FOUND', `There is no "${value}" wallet; wallets are KES and NGN`);
  return code;
}

/** An entry as the public API shows it (design.md §5): money in minor units, times in ISO 8601. */
function publicEntry(entry: WalletEntry) {
  return {
    id: entry.id,
    transferId: entry.transferId,
    kind: entry.kind,
    direction: entry.direction,
    amount: entry.amount,
    balanceAfter: entry.balanceAfter,
    status: entry.status,
    reference: entry.reference,
    createdAt: new Date(entry.createdAt).toISOString(),
  };
}

/** `GET /api/v1/wallets` and `GET /api/v1/wallets/{currency}/entries`. */
export const walletsApi = new Hono<AppEnv>()
  .get('/', requireUser, async (c) => c.json({ data: await listWallets(c.env, c.var.user!.id) }))
  .get('/:currency/entries', requireUser, async (c) => {
    const currency = walletCurrency(c.req.param('currency'));
    const query = parse(entriesQuery, c.req.query());
    const page = await listEntries(c.env, c.var.user!.id, currency, query);
    return c.json({ data: page.entries.map(publicEntry), nextCursor: page.nextCursor });
  });

/** The `/wallet` page and the history rows its "Load more" button fetches. */
export const walletPages = new Hono<AppEnv>()
  .get('/wallet', requireUserPage, async (c) => {
    const user = c.var.user!;
    const currency = walletCurrency(c.req.query('currency') ?? 'KES');
    const { cursor } = parse(entriesQuery, c.req.query());
    const [wallets, page] = await Promise.all([listWallets(c.env, user.id), listEntries(c.env, user.id, currency, { cursor })]);
    return c.html(<WalletPage user={user} wallets={wallets} history={{ currency, ...page, fromCursor: cursor !== undefined }} />);
  })
  .get('/wallet/entries', requireUserPage, async (c) => {
    const currency = walletCurrency(c.req.query('currency') ?? 'KES');
    const { cursor } = parse(entriesQuery, c.req.query());
    const page = await listEntries(c.env, c.var.user!.id, currency, { cursor });
    return c.html(<EntryRows currency={currency} {...page} fromCursor={cursor !== undefined} />);
  });
