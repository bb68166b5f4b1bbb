import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { parseConfig } from '../src/config';
import type { AppEnv } from '../src/env';
import type { Fetch } from '../src/providers/http';
import { createMpesaClient, type MpesaClientOptions } from '../src/providers/mpesa';
import { createMpesaSimulator } from '../src/sim/mpesa';

export const SANDBOX_PASSKEY = 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919';

/**
 * The real M-Pesa simulator on a throwaway app (no dependence on how src/app.ts mounts it), reached
 * by the real client through an injected fetch. Callbacks are captured instead of posted; every
 * request the client makes is recorded. Each sandbox gets its own base URL, so its own token cache.
 */
export function mpesaSandbox(vars: Record<string, string> = {}, clientOptions: Partial<MpesaClientOptions> = {}) {
  const config = parseConfig({ ...env, SIM_MPESA_AUTO_CALLBACK: 'off', SIM_MPESA_CALLBACK_DELAY_MS: '60000', ...vars });
  const callbacks: { url: string; body: unknown }[] = [];
  const captureCallback: Fetch = async (input, init) => {
    const request = new Request(input, init);
    callbacks.push({ url: request.url, body: await request.json() });
    return Response.json({ ResultCode: 0, ResultDesc: 'Accepted' });
  };
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('config', config);
    await next();
  });
  app.route('/__sim/mpesa', createMpesaSimulator({ callbackFetch: () => captureCallback }));

  const contexts: ExecutionContext[] = [];
  const requests: { method: string; path: string; headers: Headers; body: string }[] = [];
  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push({ method: request.method, path: url.pathname + url.search, headers: request.headers, body: await request.clone().text() });
    const ctx = createExecutionContext();
    contexts.push(ctx);
    return app.fetch(request, env, ctx);
  };
  const baseUrl = `http://sandbox-${crypto.randomUUID()}.test/__sim/mpesa`;
  const client = createMpesaClient({
    baseUrl,
    consumerKey: config.MPESA_CONSUMER_KEY,
    consumerSecret: config.MPESA_CONSUMER_SECRET,
    passkey: config.MPESA_PASSKEY,
    shortcode: config.MPESA_SHORTCODE,
    tillNumber: config.MPESA_TILL_NUMBER,
    fetch,
    ...clientOptions,
  });

  return {
    config,
    client,
    fetch,
    baseUrl,
    callbacks,
    requests,
    /** Requests to one Daraja path, e.g. `/oauth/v1/generate`. */
    calls: (path: string) => requests.filter((r) => r.path.includes(path)),
    /** `POST /flush`: delivers due callbacks (all of D1's, not only this sandbox's); `force` makes one or all due first. */
    async flush(force?: { checkoutRequestId: string } | 'all') {
      const query = force === 'all' ? '?all=1' : force ? `?checkoutRequestId=${force.checkoutRequestId}` : '';
      const response = await fetch(`${baseUrl}/flush${query}`, { method: 'POST' });
      return ((await response.json()) as { data: { delivered: string[] } }).data.delivered;
    },
    /** Captured callbacks for one push (a flush also posts other tests' due callbacks). */
    callbacksFor: (checkoutRequestId: string) =>
      callbacks.filter((c) => (c.body as { Body?: { stkCallback?: { CheckoutRequestID?: string } } }).Body?.stkCallback?.CheckoutRequestID === checkoutRequestId),
    /** Waits for everything the simulator handed to waitUntil. */
    async settle() {
      await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
    },
  };
}

export function pushRequest(phone: string, overrides: Record<string, unknown> = {}) {
  return {
    amount: 150,
    phone,
    callbackUrl: 'http://malipo.test/webhooks/mpesa/secret-token',
    accountReference: 'DEP123',
    description: 'Malipo top up',
    ...overrides,
  };
}
