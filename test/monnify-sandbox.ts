import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { getConfig, type Config } from '../src/config';
import type { AppEnv } from '../src/env';
import type { Fetch } from '../src/providers/http';
import { createMonnifyClient, type MonnifyClientOptions } from '../src/providers/monnify';
import { createMonnifySimulator } from '../src/sim/monnify';

export type CapturedWebhook = { url: string; signature: string | null; sourceIp: string | null; body: string };

/**
 * The real Monnify simulator on a throwaway app (independent of how src/app.ts mounts it), reached by
 * the real client through an injected fetch. Webhooks are captured (answered with `webhookStatus`)
 * instead of posted; every request is recorded. Each sandbox has its own base URL, so its own token.
 */
export function monnifySandbox(overrides: Partial<Config> = {}, clientOptions: Partial<MonnifyClientOptions> = {}) {
  const config: Config = { ...getConfig(env), ...overrides };
  const webhooks: CapturedWebhook[] = [];
  const state = { webhookStatus: 200 };
  const captureWebhook: Fetch = async (input, init) => {
    const request = new Request(input, init);
    webhooks.push({ url: request.url, signature: request.headers.get('monnify-signature'), sourceIp: request.headers.get('cf-connecting-ip'), body: await request.text() });
    return new Response('ok', { status: state.webhookStatus });
  };
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('config', config);
    await next();
  });
  app.route('/__sim/monnify', createMonnifySimulator({ webhookFetch: () => captureWebhook }));

  const requests: { method: string; url: string; headers: Headers; body: string }[] = [];
  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push({ method: request.method, url: request.url, headers: request.headers, body: new TextDecoder().decode(await request.clone().arrayBuffer()) });
    return app.request(request, undefined, env);
  };
  const baseUrl = `http://sandbox-${crypto.randomUUID()}.test/__sim/monnify`;
  const client = createMonnifyClient({
    baseUrl,
    apiKey: config.MONNIFY_API_KEY,
    secretKey: config.MONNIFY_SECRET_KEY,
    contractCode: config.MONNIFY_CONTRACT_CODE,
    fetch,
    ...clientOptions,
  });

  async function control<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as T };
  }

  return {
    config,
    client,
    fetch,
    baseUrl,
    webhooks,
    requests,
    /** Requests whose path contains `path`, e.g. `/auth/login`. */
    calls: (path: string) => requests.filter((r) => new URL(r.url).pathname.includes(path)),
    /** What our webhook answers from now on. */
    answerWebhooksWith(status: number) {
      state.webhookStatus = status;
    },
    /** Captured webhooks about one transaction (a flush may also send other tests' held ones). */
    webhooksFor: (transactionReference: string) => webhooks.filter((w) => w.body.includes(JSON.stringify(transactionReference))),
    control,
    transfer: (body: Record<string, unknown>) =>
      control<{ data: { transactionReference: string; paymentReference: string; accountReference: string; amount: number; webhooks: { status: string }[] } }>('/transfers', body),
    flush: (transactionReference?: string) => control<{ data: { webhooks: { transactionReference: string; status: string }[] } }>('/flush', { transactionReference }),
    faults: (faults: Record<string, unknown>) => control<{ data: { faults: Record<string, unknown> } }>('/faults', faults),
    /** Submits the checkout page's form, as the "Pay" buttons do. */
    pay: (checkoutUrl: string, fields: Record<string, string> = {}) =>
      fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' }),
  };
}

let counter = 0;
/** A reference no other test in this file uses. */
export function uniqueReference(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export function accountRequest(accountReference: string, overrides: Record<string, unknown> = {}) {
  return { accountReference, accountName: 'Ada Obi', customerEmail: 'ada@example.com', customerName: 'Ada Obi', ...overrides };
}

export function checkoutRequest(paymentReference: string, overrides: Record<string, unknown> = {}) {
  return {
    amountKobo: 5_000_00,
    customerName: 'Ada Obi',
    customerEmail: 'ada@example.com',
    paymentReference,
    paymentDescription: 'Malipo wallet top-up',
    redirectUrl: 'http://malipo.test/deposit/return',
    ...overrides,
  };
}
