import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import type { Fetch } from '../src/providers/http';
import { createMpesaClient, darajaTimestamp, mpesaClientFromConfig, stkPassword } from '../src/providers/mpesa';
import { mpesaSandbox, pushRequest, SANDBOX_PASSKEY } from './mpesa-sandbox';

/** The documented sandbox test vector (providers.md §1.3). */
const VECTOR_PASSWORD =
  'MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjEwNjI4MDkyNDA4';
/** 2021-06-28 09:24:08 in Nairobi. */
const VECTOR_INSTANT = Date.UTC(2021, 5, 28, 6, 24, 8);

describe('Password and Timestamp (providers.md §1.3)', () => {
  it('matches the documented test vector', () => {
    expect(stkPassword('174379', SANDBOX_PASSKEY, '20210628092408')).toBe(VECTOR_PASSWORD);
  });

  it('formats the timestamp in Kenya time (UTC+3), across midnight and year end', () => {
    expect(darajaTimestamp(VECTOR_INSTANT)).toBe('20210628092408');
    expect(darajaTimestamp(Date.UTC(2024, 11, 31, 21, 0, 0))).toBe('20250101000000');
    expect(darajaTimestamp(Date.UTC(2024, 1, 28, 22, 59, 59))).toBe('20240229015959');
  });

  it('sends the vector Password and Timestamp in a real push the simulator accepts', async () => {
    const sandbox = mpesaSandbox({ MPESA_PASSKEY: SANDBOX_PASSKEY }, { now: () => VECTOR_INSTANT });
    const push = await sandbox.client.stkPush(pushRequest('254708374149', { amount: 1, accountReference: 'INV000123', description: 'Order 123' }));
    expect(push.kind).toBe('accepted');
    const [request] = sandbox.calls('/mpesa/stkpush/v1/processrequest');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.headers.get('authorization')).toMatch(/^Bearer \S+$/);
    expect(JSON.parse(request!.body)).toEqual({
      BusinessShortCode: '174379',
      Password: VECTOR_PASSWORD,
      Timestamp: '20210628092408',
      TransactionType: 'CustomerPayBillOnline',
      Amount: 1,
      PartyA: '254708374149',
      PartyB: '174379',
      PhoneNumber: '254708374149',
      CallBackURL: 'http://malipo.test/webhooks/mpesa/secret-token',
      AccountReference: 'INV000123',
      TransactionDesc: 'Order 123',
    });
  });

  it('sends the query fields of providers.md §1.7', async () => {
    const sandbox = mpesaSandbox({ MPESA_PASSKEY: SANDBOX_PASSKEY }, { now: () => VECTOR_INSTANT });
    const push = await sandbox.client.stkPush(pushRequest('254708374149'));
    if (push.kind !== 'accepted') throw new Error(push.kind);
    await sandbox.client.stkQuery(push.checkoutRequestId);
    const [query] = sandbox.calls('/mpesa/stkpushquery/v1/query');
    expect(JSON.parse(query!.body)).toEqual({
      BusinessShortCode: '174379',
      Password: VECTOR_PASSWORD,
      Timestamp: '20210628092408',
      CheckoutRequestID: push.checkoutRequestId,
    });
  });
});

describe('access token', () => {
  it('asks with Basic auth once, then reuses the token until 60 s before expires_in ("3599") runs out', async () => {
    let now = Date.now();
    const sandbox = mpesaSandbox({}, { now: () => now });
    const start = now;
    await sandbox.client.stkPush(pushRequest('254708374149'));
    const [tokenRequest] = sandbox.calls('/oauth/v1/generate');
    expect(tokenRequest?.method).toBe('GET');
    expect(tokenRequest?.path).toBe('/__sim/mpesa/oauth/v1/generate?grant_type=client_credentials');
    expect(tokenRequest?.headers.get('authorization')).toBe(`Basic ${btoa('dev-mpesa-consumer-key:dev-mpesa-consumer-secret')}`);

    now = start + 3_538_000;
    await sandbox.client.stkPush(pushRequest('254708374149'));
    expect(sandbox.calls('/oauth/v1/generate')).toHaveLength(1);

    now = start + 3_540_000;
    await sandbox.client.stkPush(pushRequest('254708374149'));
    expect(sandbox.calls('/oauth/v1/generate')).toHaveLength(2);
    expect(sandbox.calls('/stkpush/')).toHaveLength(3);
  });

  it('accepts expires_in as a number', async () => {
    let now = 1_000_000;
    const fake = fakeDaraja({ expiresIn: 120 });
    const client = fakeClient(fake.fetch, () => now);
    await client.stkPush(pushRequest('254708374149'));
    now += 59_000;
    await client.stkPush(pushRequest('254708374149'));
    expect(fake.count('/oauth/')).toBe(1);
    now += 2_000;
    await client.stkPush(pushRequest('254708374149'));
    expect(fake.count('/oauth/')).toBe(2);
  });

  it('refreshes once for many concurrent callers', async () => {
    const sandbox = mpesaSandbox();
    const results = await Promise.all(Array.from({ length: 6 }, () => sandbox.client.stkPush(pushRequest('254708374149'))));
    expect(results.map((r) => r.kind)).toEqual(Array(6).fill('accepted'));
    expect(sandbox.calls('/oauth/v1/generate')).toHaveLength(1);
  });

  it('shares the cached token between clients with the same base URL and key', async () => {
    const fake = fakeDaraja();
    await fakeClient(fake.fetch).stkPush(pushRequest('254708374149'));
    await fakeClient(fake.fetch).stkQuery('ws_CO_1');
    expect(fake.count('/oauth/')).toBe(1);
    await fakeClient(fake.fetch, Date.now, 'other-key').stkQuery('ws_CO_1');
    expect(fake.count('/oauth/')).toBe(2);
  });

  it('drops a token the simulator no longer knows (404.001.03), fetches a new one and retries once', async () => {
    const sandbox = mpesaSandbox();
    expect((await sandbox.client.stkPush(pushRequest('254708374149'))).kind).toBe('accepted');
    await env.DB.prepare('UPDATE sim_mpesa_tokens SET expires_at = 0').run();
    expect((await sandbox.client.stkPush(pushRequest('254708374149'))).kind).toBe('accepted');
    expect(sandbox.calls('/oauth/v1/generate')).toHaveLength(2);
    expect(sandbox.calls('/stkpush/')).toHaveLength(3);
  });

  it('retries only once when the token stays invalid', async () => {
    const fake = fakeDaraja({ push: () => darajaError(404, '404.001.03', 'Invalid Access Token') });
    const result = await fakeClient(fake.fetch).stkPush(pushRequest('254708374149'));
    expect(result).toEqual({ kind: 'rejected', errorCode: '404.001.03', message: 'Invalid Access Token' });
    expect(fake.count('/stkpush/')).toBe(2);
    expect(fake.count('/oauth/')).toBe(2);
  });

  it('reports a push as unavailable when no token can be had (nothing was sent)', async () => {
    const sandbox = mpesaSandbox({}, { consumerSecret: 'wrong-secret' });
    const result = await sandbox.client.stkPush(pushRequest('254708374149'));
    expect(result).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('400.008.01') });
    expect(sandbox.calls('/stkpush/')).toHaveLength(0);
    expect(await sandbox.client.stkQuery('ws_CO_1')).toMatchObject({ kind: 'unknown' });

    const down = fakeDaraja({ token: () => Promise.reject(new TypeError('Network connection lost')) });
    expect(await fakeClient(down.fetch).stkPush(pushRequest('254708374149'))).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('Network connection lost') });
  });
});

describe('STK push answers (providers.md §1.4)', () => {
  it.each([
    ['400.002.02 invalid field', () => darajaError(400, '400.002.02', 'Bad Request - Invalid PhoneNumber'), { kind: 'rejected', errorCode: '400.002.02', message: 'Bad Request - Invalid PhoneNumber' }],
    ['500.001.1001 subscriber locked', () => darajaError(500, '500.001.1001', 'Unable to lock subscriber, a transaction is already in process for the current subscriber'), { kind: 'rejected', errorCode: '500.001.1001' }],
    ['500.003.02 spike arrest', () => darajaError(500, '500.003.02', 'Spike Arrest Violation'), { kind: 'rejected', errorCode: '500.003.02' }],
    ['500.003.03 quota', () => darajaError(500, '500.003.03', 'Quota Violation'), { kind: 'rejected', errorCode: '500.003.03' }],
    ['200 with a non-zero ResponseCode', () => Response.json({ MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_1', ResponseCode: '1', ResponseDescription: 'Rejected' }), { kind: 'rejected', errorCode: '1', message: 'Rejected' }],
    ['500.003.1001 internal error', () => darajaError(500, '500.003.1001', 'Internal Server Error'), { kind: 'unknown', reason: expect.stringContaining('500.003.1001') }],
    ['502 HTML from a gateway', () => new Response('<html>Bad gateway</html>', { status: 502 }), { kind: 'unknown', reason: expect.stringContaining('HTTP 502') }],
    ['200 that is not JSON', () => new Response('OK'), { kind: 'unknown' }],
    ['200 JSON of the wrong shape', () => Response.json({ ResponseCode: '0' }), { kind: 'unknown' }],
    ['a timeout', () => Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), { kind: 'unknown', reason: expect.stringContaining('TimeoutError') }],
    ['a dropped connection', () => Promise.reject(new TypeError('Network connection lost')), { kind: 'unknown' }],
  ])('%s', async (_, push, expected) => {
    const fake = fakeDaraja({ push });
    expect(await fakeClient(fake.fetch).stkPush(pushRequest('254708374149'))).toMatchObject(expected);
  });

  it('accepts a ResponseCode sent as a number', async () => {
    const fake = fakeDaraja({ push: () => Response.json({ MerchantRequestID: 'm-1', CheckoutRequestID: 'ws_CO_1', ResponseCode: 0, ResponseDescription: 'ok' }) });
    expect(await fakeClient(fake.fetch).stkPush(pushRequest('254708374149'))).toEqual({ kind: 'accepted', merchantRequestId: 'm-1', checkoutRequestId: 'ws_CO_1' });
  });

  it.each([
    ['a fractional amount', { amount: 10.5 }],
    ['a zero amount', { amount: 0 }],
    ['more than KES 250,000', { amount: 250_001 }],
    ['an unnormalised phone', { phone: '0712345678' }],
    ['an AccountReference over 12 characters', { accountReference: 'ABCDEFGHIJKLM' }],
    ['an AccountReference with punctuation', { accountReference: 'dep_123' }],
    ['a TransactionDesc over 13 characters', { description: 'Fourteen chars' }],
    ['a callback URL that is not a URL', { callbackUrl: 'webhooks/mpesa' }],
  ])('refuses %s before calling Daraja', async (_, change) => {
    const fake = fakeDaraja();
    await expect(fakeClient(fake.fetch).stkPush(pushRequest('254708374149', change))).rejects.toThrow();
    expect(fake.requests).toHaveLength(0);
  });

  it('needs a till number for the till variant', async () => {
    const fake = fakeDaraja();
    await expect(fakeClient(fake.fetch).stkPush(pushRequest('254708374149', { variant: 'till' }))).rejects.toThrow(/till number/);
  });
});

describe('STK query answers (providers.md §1.7)', () => {
  it.each([
    ['being processed', () => darajaError(500, '500.001.1001', 'The transaction is being processed'), { kind: 'pending' }],
    ['completed with ResultCode "1032"', () => Response.json(queryAnswer('1032', 'Request cancelled by user')), { kind: 'completed', resultCode: 1032, resultDesc: 'Request cancelled by user' }],
    ['completed with ResultCode "0"', () => Response.json(queryAnswer('0', 'The service request is processed successfully.')), { kind: 'completed', resultCode: 0 }],
    ['completed with a text ResultCode', () => Response.json(queryAnswer('SFC_IC0003', 'Operator does not exist')), { kind: 'completed', resultCode: 'SFC_IC0003' }],
    ['other 500.001.1001 messages', () => darajaError(500, '500.001.1001', 'Wrong credentials'), { kind: 'unknown', reason: expect.stringContaining('Wrong credentials') }],
    ['spike arrest', () => darajaError(500, '500.003.02', 'Spike Arrest Violation'), { kind: 'unknown' }],
    ['an invalid CheckoutRequestID', () => darajaError(400, '400.002.02', 'Bad Request - Invalid CheckoutRequestID'), { kind: 'unknown' }],
    ['a 503 page', () => new Response('Service Unavailable', { status: 503 }), { kind: 'unknown' }],
    ['a timeout', () => Promise.reject(new DOMException('timed out', 'TimeoutError')), { kind: 'unknown' }],
  ])('%s', async (_, query, expected) => {
    const fake = fakeDaraja({ query });
    expect(await fakeClient(fake.fetch).stkQuery('ws_CO_13012021093521236557')).toMatchObject(expected);
  });
});

describe('mpesaClientFromConfig', () => {
  const base = parseConfig({ ...env });

  it.each([
    ['the simulator when SIMULATORS is on', base, 'http://malipo.test/__sim/mpesa/oauth/v1/generate'],
    ['MPESA_BASE_URL when set', { ...base, MPESA_BASE_URL: 'https://mpesa.internal/' }, 'https://mpesa.internal/oauth/v1/generate'],
    ['the sandbox outside production with simulators off', { ...base, SIMULATORS: 'off' as const }, 'https://sandbox.safaricom.co.ke/oauth/v1/generate'],
    ['Safaricom production in production', { ...base, SIMULATORS: 'off' as const, isProduction: true }, 'https://api.safaricom.co.ke/oauth/v1/generate'],
  ])('talks to %s', async (_, config, expectedUrl) => {
    const fake = fakeDaraja();
    await mpesaClientFromConfig(config, fake.fetch).stkQuery('ws_CO_1');
    expect(fake.requests[0]?.url).toBe(`${expectedUrl}?grant_type=client_credentials`);
  });
});

type Handler = (request: Request) => Response | Promise<Response>;

/** A scripted Daraja for answers the simulator never gives (odd shapes, outages). */
function fakeDaraja(script: { expiresIn?: string | number; token?: Handler; push?: Handler; query?: Handler } = {}) {
  const requests: Request[] = [];
  let issued = 0;
  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request);
    const path = new URL(request.url).pathname;
    if (path.endsWith('/oauth/v1/generate')) {
      return script.token ? script.token(request) : Response.json({ access_token: `token-${++issued}`, expires_in: script.expiresIn ?? '3599' });
    }
    if (path.endsWith('/mpesa/stkpush/v1/processrequest')) {
      return script.push
        ? script.push(request)
        : Response.json({ MerchantRequestID: 'm-1', CheckoutRequestID: 'ws_CO_1', ResponseCode: '0', ResponseDescription: 'Success. Request accepted for processing' });
    }
    if (path.endsWith('/mpesa/stkpushquery/v1/query')) return script.query ? script.query(request) : darajaError(500, '500.001.1001', 'The transaction is being processed');
    return darajaError(404, '404.001.01', 'Resource not found');
  };
  return { fetch, requests, count: (part: string) => requests.filter((r) => r.url.includes(part)).length };
}

const fakeBaseUrls = new WeakMap<Fetch, string>();

function fakeClient(fetch: Fetch, now: () => number = Date.now, consumerKey = 'key') {
  let baseUrl = fakeBaseUrls.get(fetch);
  if (!baseUrl) fakeBaseUrls.set(fetch, (baseUrl = `https://fake-${crypto.randomUUID()}.test`));
  return createMpesaClient({ baseUrl, consumerKey, consumerSecret: 'secret', passkey: 'passkey', shortcode: '174379', fetch, now });
}

function darajaError(status: number, errorCode: string, errorMessage: string) {
  return Response.json({ requestId: '1c5b-4ba8-815c-ac45c57a3db01495926', errorCode, errorMessage }, { status });
}

function queryAnswer(resultCode: string, resultDesc: string) {
  return {
    ResponseCode: '0',
    ResponseDescription: 'The service request has been accepted successsfully',
    MerchantRequestID: '22205-34066-1',
    CheckoutRequestID: 'ws_CO_13012021093521236557',
    ResultCode: resultCode,
    ResultDesc: resultDesc,
  };
}
