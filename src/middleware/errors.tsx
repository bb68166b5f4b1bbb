import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from '../config';
import type { AppEnv } from '../env';
import { AppError, type ErrorCode, type ErrorDetails } from '../lib/errors';
import { log } from '../lib/log';
import { ErrorPage } from '../views/pages/error-page';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** JSON for the API, webhooks and fetch clients; an HTML page for browsers. */
function wantsJson(c: Context<AppEnv>): boolean {
  const path = c.req.path;
  if (path.startsWith('/api/') || path.startsWith('/webhooks/') || path.startsWith('/__sim/') || path === '/healthz') return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function respond(c: Context<AppEnv>, status: number, code: ErrorCode, message: string, details?: ErrorDetails) {
  const requestId = c.get('requestId');
  c.header('x-request-id', requestId);
  if (wantsJson(c)) {
    return c.json({ error: { code, message, requestId, ...(details ? { details } : {}) } }, status as 400);
  }
  return c.html(<ErrorPage status={status} message={message} requestId={requestId} />, status as 400);
}

/** The one place that turns a thrown error into the design.md §5 envelope. */
export function handleError(error: Error, c: Context<AppEnv>) {
  if (error instanceof AppError) {
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return respond(c, error.status, error.code, error.message, error.details);
  }
  if (error instanceof ConfigError) {
    log('error', 'configuration error', { requestId: c.get('requestId'), keys: error.keys, problems: error.problems });
    return respond(c, 500, 'MISCONFIGURED', 'service misconfigured');
  }
  if (error instanceof HTTPException) {
    const code = STATUS_CODES[error.status] ?? 'INTERNAL';
    return respond(c, error.status, code, error.status === 403 ? 'Forbidden' : error.message || code);
  }
  log('error', 'unhandled error', { requestId: c.get('requestId'), error: error.message, stack: error.stack });
  return respond(c, 500, 'INTERNAL', 'Something went wrong on our side. Check your history before trying again.');
}

export function handleNotFound(c: Context<AppEnv>) {
  return respond(c, 404, 'NOT_FOUND', 'Not found');
}
