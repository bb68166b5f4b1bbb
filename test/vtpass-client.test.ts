import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { getConfig, type Config } from '../src/config';
import type { AppEnv } from '../src/env';
import type { Fetch } from '../src/providers/http';
import {
  classifyTransaction,
  createVtpassClient,
  newRequestId,
  vtpassClientFromConfig,
  VtpassError,
  type VtpassAuth,
  type VtpassClientOptions,
} from '../src/providers/vtpass';
import { createVtpassSimulator } from '../src/sim/vtpass';

const BASE_URL = 'http://malipo.test/__sim/vtpass/api/';
const SIM_URL = 'http://malipo.test/__sim/vtpass';

type Callback = { url: string; body: { type: string; data: unknown } };
let callbacks: Callback[] = [];
let webhookAnswer: unknown = { response: 'success' };

beforeEach(() => {
  callbacks = [];
  webhookAnswer = { response: 'success' };
});

/** The simulator on a throwaway app (as the Worker will mount it), its callbacks recorded here. */
function simulator(overrides: Partial<Config> = {}) {
  const config: Config = { ...getConfig(env), SIM_VTPASS_TIMEOUT_MS: 400, ...overrides };
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('config', config);
    await next();
  });
  const recordCallback: Fetch = async (input, init) => {
    const request = new Request(input, init);
    callbacks.push({ url: request.url, body: await request.json() });
    return Response.json(webhookAnswer);
  };
  app.route('/__sim/vtpass', createVtpassSimulator({ callbackFetch: () => recordCallback }));
  const requests: Request[] = [];
  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    return app.request(request, undefined, env);
  };
  return { config, fetch, requests };
}

const apiKeys = (config: Config): VtpassAuth => ({
  kind: 'api-key',
  apiKey: config.VTPASS_API_KEY,
  publicKey: config.VTPASS_PUBLIC_KEY,
  secretKey: config.VTPASS_SECRET_KEY,
});

function setup(options: Partial<VtpassClientOptions> = {}, overrides: Partial<Config> = {}) {
  const sim = simulator(overrides);
  const client = createVtpassClient({ baseUrl: BASE_URL, auth: apiKeys(sim.config), fetch: sim.fetch, timeoutMs: 2_000, ...options });
  return { ...sim, client };
}

async function control(path: string, body: unknown = {}) {
  const { fetch } = simulator();
  const response = await fetch(`${SIM_URL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}

const airtime = (requestId: string, phone: string) => ({ kind: 'airtime' as const, requestId, serviceId: 'mtn', phone, amountKobo: 100_00 });

describe('request ids (providers.md §2.3)', () => {
  it.each([
    ['afternoon', Date.UTC(2025, 0, 15, 13, 30, 59), '202501151430'],
    ['just before midnight in Lagos', Date.UTC(2025, 0, 15, 22, 59), '202501152359'],
    ['23:30 UTC is already tomorrow in Lagos', Date.UTC(2025, 0, 15, 23, 30), '202501160030'],
    ['midnight UTC', Date.UTC(2025, 0, 16, 0, 0), '202501160100'],
    ['New Year in Lagos', Date.UTC(2024, 11, 31, 23, 59), '202501010059'],
    ['leap day', Date.UTC(2024, 1, 28, 23, 15), '202402290015'],
    ['no daylight saving in July', Date.UTC(2025, 6, 1, 12, 0), '202507011300'],
  ])('%s', (_name, now, prefix) => {
    const id = newRequestId(now);
    expect(id.slice(0, 12)).toBe(prefix);
    expect(id).toMatch(/^\d{12}[a-z0-9]{10}$/);
  });

  it('is unique', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 1000 }, () => newRequestId(now)));
    expect(ids.size).toBe(1000);
  });

  it("uses the client's clock", () => {
    const { client } = setup({ now: () => Date.UTC(2025, 0, 15, 23, 30) });
    expect(client.newRequestId().slice(0, 12)).toBe('202501160030');
  });

  it('is accepted by the simulator today and refused (085) when dated yesterday or malformed', async () => {
    const { client } = setup();
    expect((await client.pay(airtime(client.newRequestId(), '08011111111'))).outcome).toBe('delivered');
    for (const requestId of [newRequestId(Date.now() - 86_400_000), 'abc123', '202513011200abc', `${newRequestId().slice(0, 12)}-x`]) {
      expect(await client.pay(airtime(requestId, '08011111111'))).toMatchObject({ outcome: 'failed', reason: 'improper-request-id', code: '085' });
    }
  });
});

describe('authentication (providers.md §2.2)', () => {
  it('sends api-key + public-key on GET and api-key + secret-key on POST', async () => {
    const { client, requests, config } = setup();
    await client.services('airtime');
    await client.pay(airtime(client.newRequestId(), '08011111111'));
    const [get, post] = requests;
    expect(get!.method).toBe('GET');
    expect(get!.headers.get('api-key')).toBe(config.VTPASS_API_KEY);
    expect(get!.headers.get('public-key')).toBe(config.VTPASS_PUBLIC_KEY);
    expect(get!.headers.get('secret-key')).toBeNull();
    expect(post!.method).toBe('POST');
    expect(post!.headers.get('api-key')).toBe(config.VTPASS_API_KEY);
    expect(post!.headers.get('secret-key')).toBe(config.VTPASS_SECRET_KEY);
    expect(post!.headers.get('public-key')).toBeNull();
    expect(post!.headers.get('content-type')).toBe('application/json');
    expect(post!.headers.get('authorization')).toBeNull();
  });

  it('sends legacy Basic auth on both, which the simulator accepts', async () => {
    const sim = simulator();
    const client = createVtpassClient({ baseUrl: BASE_URL, auth: { kind: 'basic', email: sim.config.SIM_VTPASS_EMAIL, password: sim.config.SIM_VTPASS_PASSWORD }, fetch: sim.fetch });
    expect((await client.services('data')).length).toBe(4);
    expect((await client.pay(airtime(client.newRequestId(), '08011111111'))).outcome).toBe('delivered');
    for (const request of sim.requests) {
      expect(request.headers.get('authorization')).toBe(`Basic ${btoa(`${sim.config.SIM_VTPASS_EMAIL}:${sim.config.SIM_VTPASS_PASSWORD}`)}`);
      expect(request.headers.get('api-key')).toBeNull();
    }
  });

  it('gets 087 for wrong credentials: pay fails definitely, reads throw', async () => {
    const sim = simulator();
    const wrong = createVtpassClient({ baseUrl: BASE_URL, auth: { ...apiKeys(sim.config), secretKey: 'nope', publicKey: 'nope' } as VtpassAuth, fetch: sim.fetch });
    expect(await wrong.pay(airtime(wrong.newRequestId(), '08011111111'))).toMatchObject({ outcome: 'failed', reason: 'invalid-credentials', code: '087' });
    await expect(wrong.services('airtime')).rejects.toMatchObject({ name: 'VtpassError', reason: 'rejected', code: '087' });
    const basic = createVtpassClient({ baseUrl: BASE_URL, auth: { kind: 'basic', email: 'someone@example.com', password: 'guess' }, fetch: sim.fetch });
    await expect(basic.balance()).rejects.toBeInstanceOf(VtpassError);
  });

  it('refuses a GET signed with the secret key instead of the public key', async () => {
    const { fetch, config } = simulator();
    const response = await fetch(`${BASE_URL}balance`, { headers: { 'api-key': config.VTPASS_API_KEY, 'secret-key': config.VTPASS_SECRET_KEY } });
    expect(await response.json()).toMatchObject({ code: '087' });
  });
});

describe('sandbox numbers through the client and the simulator (design.md §6)', () => {
  it('08011111111: airtime and data delivered, data priced by the plan', async () => {
    const { client } = setup();
    const bought = await client.pay(airtime(client.newRequestId(), '08011111111'));
    expect(bought).toMatchObject({ outcome: 'delivered', code: '000', status: 'delivered', amountKobo: 100_00, token: null });
    expect(bought.transactionId).toMatch(/^\d{26}$/);
    const requestId = client.newRequestId();
    const data = await client.pay({ kind: 'data', requestId, serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-1gb-500', phone: '08011111111' });
    expect(data).toMatchObject({ outcome: 'delivered', amountKobo: 500_00, requestId });
  });

  it('1111111111111: prepaid electricity delivered with a token and units, in each disco style', async () => {
    const { client } = setup();
    for (const serviceId of ['ikeja-electric', 'eko-electric', 'abuja-electric']) {
      const requestId = client.newRequestId();
      const result = await client.pay({ kind: 'electricity', requestId, serviceId, meterNumber: '1111111111111', meterType: 'prepaid', amountKobo: 2_000_00, phone: '08011111111' });
      expect(result).toMatchObject({ outcome: 'delivered', amountKobo: 2_000_00 });
      expect(result.token).toMatch(/^\d{20}$/);
      expect(result.units).toMatch(/^8\.9/);
      expect(result.purchasedCode).toBe(`Token : ${result.token}`);
      const requery = await client.requery(requestId);
      expect(requery).toMatchObject({ outcome: 'delivered', token: result.token });
    }
  });

  it('1010101010101: postpaid electricity delivered without a token', async () => {
    const { client } = setup();
    const result = await client.pay({ kind: 'electricity', requestId: client.newRequestId(), serviceId: 'ikeja-electric', meterNumber: '1010101010101', meterType: 'postpaid', amountKobo: 5_000_00, phone: '08011111111' });
    expect(result).toMatchObject({ outcome: 'delivered', token: null, purchasedCode: null });
  });

  it('1212121212: TV change (bouquet price) and renew (renewal amount) delivered', async () => {
    const { client } = setup();
    const change = await client.pay({ kind: 'tv-change', requestId: client.newRequestId(), serviceId: 'dstv', smartcardNumber: '1212121212', variationCode: 'dstv79', phone: '08011111111' });
    expect(change).toMatchObject({ outcome: 'delivered', amountKobo: 19_000_00 });
    const verified = await client.merchantVerify({ serviceId: 'gotv', billersCode: '1212121212' });
    if (!verified.valid || !verified.subscription?.renewalAmountKobo) throw new Error('smartcard not verified');
    const renew = await client.pay({ kind: 'tv-renew', requestId: client.newRequestId(), serviceId: 'gotv', smartcardNumber: '1212121212', amountKobo: verified.subscription.renewalAmountKobo, phone: '08011111111' });
    expect(renew).toMatchObject({ outcome: 'delivered', amountKobo: 8_500_00 });
  });

  it('201000000000: pending, still pending on the first requery, delivered on the next; callback sent at flush', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    expect(await client.pay(airtime(requestId, '201000000000'))).toMatchObject({ outcome: 'pending', reason: 'processing', code: '099' });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'pending' });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'delivered', status: 'delivered' });
    expect(callbacks).toHaveLength(0);
    const flushed = await control('/flush', { request_id: requestId });
    expect(flushed).toMatchObject({ settled: [], callbacks: [{ requestId, status: 'sent', httpStatus: 200 }] });
    expect(callbacks[0]!.url).toBe('http://malipo.test/webhooks/vtpass');
    expect(callbacks[0]!.body.type).toBe('transaction-update');
    expect(classifyTransaction(callbacks[0]!.body.data)).toMatchObject({ outcome: 'delivered', requestId });
  });

  it('201000000000: pending, then delivered by the flush callback', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    expect((await client.pay({ kind: 'electricity', requestId, serviceId: 'ikeja-electric', meterNumber: '201000000000', meterType: 'prepaid', amountKobo: 1_000_00, phone: '08011111111' })).outcome).toBe('pending');
    expect(await control('/flush', { request_id: requestId })).toMatchObject({ settled: [requestId] });
    expect(callbacks).toHaveLength(1);
    const update = classifyTransaction(callbacks[0]!.body.data);
    expect(update).toMatchObject({ outcome: 'delivered', requestId });
    expect(update.token).toMatch(/^\d{20}$/);
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'delivered', token: update.token });
  });

  it('201000000009: pending (000 + pending), then reversed', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    expect(await client.pay(airtime(requestId, '201000000009'))).toMatchObject({ outcome: 'pending', reason: 'pending', code: '000' });
    await control('/flush', { request_id: requestId });
    expect(classifyTransaction(callbacks[0]!.body.data)).toMatchObject({ outcome: 'failed', reason: 'reversed' });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'failed', reason: 'reversed' });
  });

  it('300000000000: the pay call times out (unknown, not failed) but requery says delivered', async () => {
    const { client } = setup({ timeoutMs: 100 }, { SIM_VTPASS_TIMEOUT_MS: 500 });
    const requestId = client.newRequestId();
    const started = Date.now();
    const result = await client.pay(airtime(requestId, '300000000000'));
    expect(Date.now() - started).toBeLessThan(450);
    expect(result).toMatchObject({ outcome: 'pending', reason: 'timeout', requestId, raw: null });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'delivered' });
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  it('400000000000: no answer, and requery finds nothing (015), still not a failure', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    expect(await client.pay(airtime(requestId, '400000000000'))).toMatchObject({ outcome: 'pending', reason: 'unparseable' });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'pending', reason: 'not-found', code: '015' });
  });

  it('500000000000: a garbage answer is pending; requery then says failed', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    const result = await client.pay(airtime(requestId, '500000000000'));
    expect(result).toMatchObject({ outcome: 'pending', reason: 'unparseable' });
    expect(result.raw).toContain('"status":"deliv');
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'failed', reason: 'transaction-failed' });
  });

  it('any other recipient fails (016), and requery agrees', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    expect(await client.pay(airtime(requestId, '08099999999'))).toMatchObject({ outcome: 'failed', reason: 'transaction-failed', code: '016' });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'failed', code: '000', status: 'failed' });
  });
});

describe('one pay per request id', () => {
  it('answers 014 to a reused request id; the requery tells the original outcome', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    expect((await client.pay(airtime(requestId, '08011111111'))).outcome).toBe('delivered');
    expect(await client.pay(airtime(requestId, '08011111111'))).toMatchObject({ outcome: 'pending', reason: 'request-id-exists', code: '014' });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'delivered' });
  });

  it('sends pay once: a timed-out pay is not retried', async () => {
    const { client, requests } = setup({ timeoutMs: 50 }, { SIM_VTPASS_TIMEOUT_MS: 200 });
    await client.pay(airtime(client.newRequestId(), '300000000000'));
    expect(requests.filter((r) => r.url.endsWith('/pay'))).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
});

describe('transport trouble is never a failure', () => {
  const offline = (fetch: Fetch, timeoutMs = 2_000) => createVtpassClient({ baseUrl: BASE_URL, auth: { kind: 'basic', email: 'a', password: 'b' }, fetch, timeoutMs });

  it('network error → pending', async () => {
    const client = offline(async () => {
      throw new TypeError('connection reset');
    });
    expect(await client.pay(airtime(client.newRequestId(), '08011111111'))).toMatchObject({ outcome: 'pending', reason: 'network-error' });
    await expect(client.balance()).rejects.toMatchObject({ reason: 'network-error' });
  });

  it('HTML or an empty body → pending (unparseable), a JSON answer that is not a VTpass one → pending (unrecognised)', async () => {
    const html = offline(async () => new Response('<html>502 Bad Gateway</html>', { status: 502 }));
    expect(await html.pay(airtime(html.newRequestId(), '08011111111'))).toMatchObject({ outcome: 'pending', reason: 'unparseable', raw: '<html>502 Bad Gateway</html>' });
    const other = offline(async () => Response.json({ message: 'Internal Server Error' }, { status: 500 }));
    expect(await other.requery('202501151430abc')).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
  });

  it('a body that never finishes → timeout', async () => {
    const slowBody = offline(async () => new Response(new ReadableStream({ start() {} })), 50);
    expect(await slowBody.pay(airtime(slowBody.newRequestId(), '08011111111'))).toMatchObject({ outcome: 'pending', reason: 'timeout' });
  });

  it('an answer about another request id → pending (request-id-mismatch)', async () => {
    const client = offline(async () => Response.json({ code: '000', requestId: '202501151430other', content: { transactions: { status: 'delivered' } } }));
    expect(await client.pay(airtime('202501151430mine', '08011111111'))).toMatchObject({ outcome: 'pending', reason: 'request-id-mismatch' });
  });
});

describe('refusals before any sale', () => {
  it('maps unknown products, plans and out-of-range amounts to definite failures', async () => {
    const { client } = setup();
    const id = () => client.newRequestId();
    expect((await client.pay({ ...airtime(id(), '08011111111'), serviceId: 'nope' })).reason).toBe('product-not-found');
    expect((await client.pay({ kind: 'data', requestId: id(), serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-1tb-1', phone: '08011111111' })).reason).toBe(
      'variation-not-found',
    );
    expect((await client.pay({ ...airtime(id(), '08011111111'), amountKobo: 10_00 })).reason).toBe('below-minimum-amount');
    expect((await client.pay({ ...airtime(id(), '08011111111'), amountKobo: 60_000_00 })).reason).toBe('above-maximum-amount');
  });
});

describe('catalogue, verify and balance', () => {
  it('lists services with the misspelled minimium_amount / convinience_fee read', async () => {
    const { client } = setup();
    const data = await client.services('data');
    expect(data.map((s) => s.serviceId)).toEqual(['mtn-data', 'airtel-data', 'glo-data', 'etisalat-data']);
    expect(data[0]).toMatchObject({ name: 'MTN Data', minimumAmountKobo: 100, maximumAmountKobo: 1_000_000_00, convenienceFee: '0 %', productType: 'fix' });
    expect((await client.services('airtime')).map((s) => s.serviceId)).toEqual(['mtn', 'glo', 'airtel', 'etisalat']);
    expect((await client.services('electricity-bill')).map((s) => s.serviceId)).toContain('abuja-electric');
  });

  it('reads variations from `variations`, from `varations` only, and from both without doubling', async () => {
    const { client } = setup();
    const etisalat = await client.serviceVariations('etisalat-data');
    expect(etisalat.variations.length).toBeGreaterThan(0);
    expect(etisalat.variations[0]).toEqual({ code: 'eti-100', name: '9mobile N100 100MB - 1 Day', amountKobo: 100_00, fixedPrice: true });
    const mtn = await client.serviceVariations('mtn-data');
    expect(new Set(mtn.variations.map((v) => v.code)).size).toBe(mtn.variations.length);
    const dstv = await client.serviceVariations('dstv');
    expect(dstv).toMatchObject({ serviceId: 'dstv', serviceName: 'DSTV Subscription', convenienceFee: 'N100' });
    expect(dstv.variations.find((v) => v.code === 'dstv79')).toMatchObject({ name: 'DStv Compact N19,000', amountKobo: 19_000_00 });
    expect((await client.serviceVariations('ikeja-electric')).variations.map((v) => [v.code, v.fixedPrice])).toEqual([
      ['prepaid', false],
      ['postpaid', false],
    ]);
    await expect(client.serviceVariations('nope')).rejects.toMatchObject({ reason: 'rejected', code: '012' });
  });

  it('reads a `varations`-only answer with string amounts and odd flags', async () => {
    const client = createVtpassClient({
      baseUrl: BASE_URL,
      auth: { kind: 'basic', email: 'a', password: 'b' },
      fetch: async () =>
        Response.json({
          response_description: '000',
          content: {
            ServiceName: 'GLO Data',
            serviceID: 'glo-data',
            convinience_fee: 'N0',
            varations: [{ variation_code: 'glo100', name: 'Glo 105MB', variation_amount: '100.00', fixedPrice: 'Yes' }, { name: 'no code' }, { variation_code: 200, variation_amount: 200, fixedPrice: true }],
          },
        }),
    });
    expect((await client.serviceVariations('glo-data')).variations).toEqual([
      { code: 'glo100', name: 'Glo 105MB', amountKobo: 100_00, fixedPrice: true },
      { code: '200', name: '200', amountKobo: 200_00, fixedPrice: true },
    ]);
  });

  it('verifies the sandbox meters and smartcard, and says when a number is wrong', async () => {
    const { client } = setup();
    expect(await client.merchantVerify({ serviceId: 'ikeja-electric', billersCode: '1111111111111', type: 'prepaid' })).toMatchObject({
      valid: true,
      customerName: 'OLUWASEUN ADEYEMI',
      meterType: 'PREPAID',
      canVend: true,
      subscription: null,
    });
    expect(await client.merchantVerify({ serviceId: 'eko-electric', billersCode: '1010101010101', type: 'postpaid' })).toMatchObject({ valid: true, meterType: 'POSTPAID' });
    const smartcard = await client.merchantVerify({ serviceId: 'dstv', billersCode: '1212121212' });
    expect(smartcard).toMatchObject({ valid: true, subscription: { currentBouquet: 'DStv Compact N19,000', renewalAmountKobo: 19_000_00 } });
    expect(smartcard.valid && smartcard.subscription?.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const wrong = await client.merchantVerify({ serviceId: 'ikeja-electric', billersCode: '12345', type: 'prepaid' });
    expect(wrong).toMatchObject({ valid: false, code: '000' });
    expect(wrong.valid === false && wrong.message).toContain('not correct');
    expect((await client.merchantVerify({ serviceId: 'ikeja-electric', billersCode: '1111111111111', type: 'postpaid' })).valid).toBe(false);
  });

  it('reads the balance from contents.balance', async () => {
    const { client } = setup();
    const { balanceKobo } = await client.balance();
    expect(Number.isInteger(balanceKobo)).toBe(true);
    expect(balanceKobo).toBeGreaterThan(0);
    expect(balanceKobo).toBeLessThanOrEqual(1_000_000_00);
  });
});

describe('simulator callbacks', () => {
  it('reverses a delivered purchase on request and says so in a callback', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    await client.pay(airtime(requestId, '08011111111'));
    expect(await control('/reverse', { request_id: requestId })).toMatchObject({ reversed: requestId, callbacks: [{ status: 'sent' }] });
    expect(classifyTransaction(callbacks[0]!.body.data)).toMatchObject({ outcome: 'failed', reason: 'reversed', requestId });
    expect(await client.requery(requestId)).toMatchObject({ outcome: 'failed', reason: 'reversed' });
  });

  it('resends until the webhook answers {"response":"success"}, five attempts in all', async () => {
    const { client } = setup();
    const requestId = client.newRequestId();
    await client.pay(airtime(requestId, '201000000000'));
    webhookAnswer = { ok: true };
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await control('/flush', { request_id: requestId })).toMatchObject({ callbacks: [{ status: 'due' }] });
    }
    expect(await control('/flush', { request_id: requestId })).toMatchObject({ callbacks: [{ status: 'gave-up' }] });
    expect(await control('/flush', { request_id: requestId })).toMatchObject({ callbacks: [] });
    expect(callbacks).toHaveLength(5);
  });
});

describe('vtpassClientFromConfig', () => {
  async function firstUrl(overrides: Partial<Config>) {
    const urls: string[] = [];
    const client = vtpassClientFromConfig({ ...getConfig(env), ...overrides }, async (input) => {
      urls.push(new Request(input).url);
      return Response.json({ code: 1, contents: { balance: 10 } });
    });
    await client.balance();
    return urls[0];
  }

  it('uses VTPASS_BASE_URL, else the simulator when on, else the live API', async () => {
    expect(await firstUrl({ VTPASS_BASE_URL: 'https://sandbox.vtpass.com/api/' })).toBe('https://sandbox.vtpass.com/api/balance');
    expect(await firstUrl({ SIMULATORS: 'on', APP_URL: 'http://localhost:8787' })).toBe('http://localhost:8787/__sim/vtpass/api/balance');
    expect(await firstUrl({ SIMULATORS: 'off' })).toBe('https://api-service.vtpass.com/api/balance');
  });
});
