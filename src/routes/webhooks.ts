import { Hono } from 'hono';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { parseStkCallback } from '../providers/mpesa';
import { MONNIFY_SIGNATURE_HEADER } from '../providers/monnify-webhook';
import { handleMonnifyWebhook, monnifyDepositDeps } from '../services/monnify-deposits';
import { handleMpesaCallback } from '../services/mpesa-deposits';
import { handleVtpassWebhook, purchaseDeps } from '../services/purchases';

/** Provider call-ins. No session, no CSRF: each one is authenticated by its own secret. */
export const webhooks = new Hono<AppEnv>()
  .post('/mpesa/:token', async (c) => {
    const raw = await c.req.text();
    const result = await handleMpesaCallback(
      { db: database(c.env.DB), env: c.env, config: c.var.config },
      c.req.param('token'),
      raw,
      c.req.header('cf-connecting-ip') ?? null,
      parseStkCallback,
    );
    return c.json(result.body, result.status);
  })
  .post('/monnify', async (c) => {
    // The signature covers the exact bytes Monnify sent, so read them before anything parses the body.
    const raw = await c.req.arrayBuffer();
    const result = await handleMonnifyWebhook(monnifyDepositDeps(c.env, c.var.config), raw, c.req.header(MONNIFY_SIGNATURE_HEADER) ?? null, c.req.header('cf-connecting-ip') ?? null);
    return c.json(result.body, result.status);
  })
  /** Unsigned (providers.md §2.8): stored, answered, and confirmed by our own requery before anything moves. */
  .post('/vtpass', async (c) => {
    const raw = await c.req.text();
    return c.json(await handleVtpassWebhook(purchaseDeps(c.env, c.var.config), raw, c.req.header('cf-connecting-ip') ?? null));
  });
