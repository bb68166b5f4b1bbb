import { createMiddleware } from 'hono/factory';
import { getConfig } from '../config';
import type { AppEnv } from '../env';
import { log } from '../lib/log';
import { handleError } from './errors';

/**
 * Gives every request an id (echoed as `x-request-id`), parses the configuration (a broken one
 * answers "service misconfigured" and names the keys in the log), and writes one structured log
 * line per request.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const requestId = crypto.randomUUID();
  c.set('requestId', requestId);
  c.set('user', null);
  c.set('authMethod', null);
  try {
    c.set('config', getConfig(c.env));
  } catch (error) {
    c.res = await handleError(error as Error, c);
  }
  if (c.var.config) await next();
  c.header('x-request-id', requestId);
  log(c.res.status >= 500 ? 'error' : 'info', 'request', {
    requestId,
    method: c.req.method,
    path: redactPath(c.req.path),
    status: c.res.status,
    durationMs: Date.now() - started,
    userId: c.var.user?.id,
  });
});

/** The M-Pesa callback token is the callback's only credential: it never reaches a log. */
export function redactPath(path: string): string {
  return path.replace(/^\/webhooks\/mpesa\/[^/]+/, '/webhooks/mpesa/:token');
}
