import { Hono } from 'hono';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { parseStkCallback } from '../providers/mpesa';
import { handleMpesaCallback } from '../services/mpesa-deposits';

/** Provider call-ins. No session, no CSRF: each one is authenticated by its own secret. */
export const webhooks = new Hono<AppEnv>().post('/mpesa/:token', async (c) => {
  const raw = await c.req.text();
  const result = await handleMpesaCallback(
    { db: database(c.env.DB), env: c.env, config: c.var.config },
    c.req.param('token'),
    raw,
    c.req.header('cf-connecting-ip') ?? null,
    parseStkCallback,
  );
  return c.json(result.body, result.status);
});
