import { Hono } from 'hono';
import { z } from 'zod';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { idempotencyKey } from '../lib/idempotency';
import { requireUser, requireUserPage } from '../middleware/auth';
import { jsonBody, parse } from '../middleware/validate';
import { providerFetch } from '../providers/http';
import { vtpassClientFromConfig } from '../providers/vtpass';
import { billsDeps, billsVerifyInput, publicVerification, purchaseLabels, verifyBill } from '../services/bills';
import { ensureCatalog, publicCatalog } from '../services/catalog';
import { getPurchase, listPurchases, publicPurchase, purchaseDeps, purchaseInput, startPurchase } from '../services/purchases';
import { PurchaseStatus } from '../views/components/purchase-status';
import { PurchasePage, ReceiptPage } from '../views/pages/purchase';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(64).optional() });

/** `GET /api/v1/catalog`: what can be bought, at our prices (kobo). Filled from VTpass on first use. */
export const catalogApi = new Hono<AppEnv>().get('/', async (c) => {
  const db = database(c.env.DB);
  await ensureCatalog(db, vtpassClientFromConfig(c.var.config, providerFetch(c.env)));
  return c.json({ data: await publicCatalog(db) });
});

export const purchasesApi = new Hono<AppEnv>()
  .use(requireUser)
  /** 201 when VTpass gave a final answer, 202 while it is pending (the hold stays until it settles). */
  .post('/', async (c) => {
    const header = c.req.header('idempotency-key');
    if (header === undefined) throw new AppError('VALIDATION_FAILED', 'An Idempotency-Key header is required', { 'Idempotency-Key': ['Required'] });
    const key = parse(z.object({ key: idempotencyKey }), { key: header }).key;
    const input = await jsonBody(c, purchaseInput);
    const { purchase } = await startPurchase(purchaseDeps(c.env, c.var.config), c.var.user!.id, input, key);
    return c.json({ data: publicPurchase(purchase) }, purchase.status === 'pending' ? 202 : 201);
  })
  .get('/', async (c) => {
    const query = parse(listQuery, c.req.query());
    const page = await listPurchases(database(c.env.DB), c.var.user!.id, query);
    return c.json({ data: page.purchases.map(publicPurchase), nextCursor: page.nextCursor });
  })
  .get('/:id', async (c) => {
    const purchase = await getPurchase(database(c.env.DB), c.var.user!.id, c.req.param('id'));
    return c.json({ data: publicPurchase(purchase) });
  });

/** `POST /api/v1/bills/verify`: who owns a meter or smartcard (and, for TV, the renewal amount in kobo). */
export const billsApi = new Hono<AppEnv>().use(requireUser).post('/verify', async (c) => {
  const input = await jsonBody(c, billsVerifyInput);
  const verification = await verifyBill(billsDeps(c.env, c.var.config), c.var.user!.id, input);
  return c.json({ data: publicVerification(verification) });
});

/** The customer's own purchase and the names to show it with; anyone else's is 404. */
async function ownPurchase(env: Env, userId: string, id: string) {
  const db = database(env.DB);
  const purchase = await getPurchase(db, userId, id);
  return { purchase, labels: await purchaseLabels(db, purchase) };
}

/** `/purchases/{id}` (follows itself while pending), its status fragment, and its printable receipt. */
export const purchasePages = new Hono<AppEnv>()
  .use(requireUserPage)
  .get('/:id', async (c) => {
    const { purchase, labels } = await ownPurchase(c.env, c.var.user!.id, c.req.param('id'));
    return c.html(<PurchasePage user={c.var.user!} purchase={purchase} labels={labels} />);
  })
  .get('/:id/status', async (c) => {
    const { purchase, labels } = await ownPurchase(c.env, c.var.user!.id, c.req.param('id'));
    return c.html(<PurchaseStatus purchase={purchase} labels={labels} />);
  })
  .get('/:id/receipt', async (c) => {
    const { purchase, labels } = await ownPurchase(c.env, c.var.user!.id, c.req.param('id'));
    return c.html(<ReceiptPage user={c.var.user!} purchase={purchase} labels={labels} />);
  });
