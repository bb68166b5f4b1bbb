import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config';
import type { AppEnv } from '../src/env';
import { requestContext } from '../src/middleware/request-context';
import { providerFetch } from '../src/providers/http';
import { mpesaClientFromConfig, parseStkCallback, stkPassword } from '../src/providers/mpesa';
import { simulators } from '../src/sim';
import { mpesaSandbox, pushRequest } from './mpesa-sandbox';

describe('M-Pesa magic numbers, real client against the real simulator (design.md §6)', () => {
  it.each([
    ['254708374149', 'sandbox test number pays', 0, 1],
    ['254712345678', 'any other valid number pays', 0, 1],
    ['254110123456', 'a 2541… number pays', 0, 1],
    ['254700000001', 'cancelled', 1032, 1],
    ['254700000002', 'timeout', 1037, 1],
    ['254700000003', 'insufficient funds', 1, 1],
    ['254700000004', 'wrong PIN', 2001, 1],
    ['254700000005', 'paid, callback never sent', 0, 0],
    ['254700000006', 'paid, callback sent twice', 0, 2],
  ])('%s (%s): push → pending → flush → result %i with %i callback(s)', async (phone, _, resultCode, callbackCount) => {
    const sandbox = mpesaSandbox();
    const push = await sandbox.client.stkPush(pushRequest(phone, { amount: 250 }));
    expect(push).toEqual({ kind: 'accepted', merchantRequestId: expect.any(String), checkoutRequestId: expect.stringMatching(/^ws_CO_\d{25}$/) });
    if (push.kind !== 'accepted') return;

    expect(await sandbox.client.stkQuery(push.checkoutRequestId)).toEqual({ kind: 'pending' });
    expect(await sandbox.flush()).not.toContain(push.checkoutRequestId);
    expect(sandbox.callbacksFor(push.checkoutRequestId)).toHaveLength(0);

    const delivered = await sandbox.flush({ checkoutRequestId: push.checkoutRequestId });
    expect(delivered.includes(push.checkoutRequestId)).toBe(callbackCount > 0);
    const callbacks = sandbox.callbacksFor(push.checkoutRequestId);
    expect(callbacks).toHaveLength(callbackCount);
    for (const callback of callbacks) {
      expect(callback.url).toBe('http://malipo.test/webhooks/mpesa/secret-token');
      const parsed = parseStkCallback(callback.body);
      expect(parsed).toMatchObject({ checkoutRequestId: push.checkoutRequestId, merchantRequestId: push.merchantRequestId, resultCode });
      if (resultCode === 0) {
        expect(parsed).toMatchObject({ amount: 250, phone, receipt: expect.stringMatching(/^[A-Z0-9]{10}$/), transactionDate: expect.stringMatching(/^\d{14}$/) });
        expect(JSON.stringify(callback.body)).toContain('{"Name":"Balance"}');
      } else {
        expect(parsed?.amount).toBeUndefined();
        expect((callback.body as { Body: { stkCallback: object } }).Body.stkCallback).not.toHaveProperty('CallbackMetadata');
      }
    }
    if (callbackCount === 2) expect(callbacks[0]?.body).toEqual(callbacks[1]?.body);

    const query = await sandbox.client.stkQuery(push.checkoutRequestId);
    expect(query).toEqual({ kind: 'completed', resultCode, resultDesc: expect.any(String) });
    expect(await sandbox.flush('all')).not.toContain(push.checkoutRequestId);
    expect(sandbox.callbacksFor(push.checkoutRequestId)).toHaveLength(callbackCount);
  });

  it('answers STK query with ResultCode as a string and the error envelope while pending (providers.md §1.7)', async () => {
    const sandbox = mpesaSandbox({ SIM_MPESA_CALLBACK_DELAY_MS: '0' });
    const push = await sandbox.client.stkPush(pushRequest('254700000001'));
    if (push.kind !== 'accepted') throw new Error(push.kind);
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    const response = await rawPost(sandbox.fetch, `${sandbox.baseUrl}/mpesa/stkpushquery/v1/query`, token, { ...credentials(), CheckoutRequestID: push.checkoutRequestId });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ResponseCode: '0', CheckoutRequestID: push.checkoutRequestId, ResultCode: '1032', ResultDesc: 'Request cancelled by user' });

    const slow = mpesaSandbox();
    const pending = await slow.client.stkPush(pushRequest('254708374149'));
    if (pending.kind !== 'accepted') throw new Error(pending.kind);
    const waiting = await rawPost(slow.fetch, `${slow.baseUrl}/mpesa/stkpushquery/v1/query`, await rawToken(slow.fetch, slow.baseUrl), {
      ...credentials(),
      CheckoutRequestID: pending.checkoutRequestId,
    });
    expect(waiting.status).toBe(500);
    expect(await waiting.json()).toEqual({ requestId: expect.any(String), errorCode: '500.001.1001', errorMessage: 'The transaction is being processed' });
  });

  it('with a zero delay, a plain flush sends the callback and the query completes at once', async () => {
    const sandbox = mpesaSandbox({ SIM_MPESA_CALLBACK_DELAY_MS: '0' });
    const push = await sandbox.client.stkPush(pushRequest('254700000003'));
    if (push.kind !== 'accepted') throw new Error(push.kind);
    expect(await sandbox.client.stkQuery(push.checkoutRequestId)).toMatchObject({ kind: 'completed', resultCode: 1 });
    expect(await sandbox.flush()).toContain(push.checkoutRequestId);
    expect(sandbox.callbacksFor(push.checkoutRequestId)).toHaveLength(1);
  });

  it('posts the callback by itself after the delay when SIM_MPESA_AUTO_CALLBACK is on', async () => {
    const sandbox = mpesaSandbox({ SIM_MPESA_AUTO_CALLBACK: 'on', SIM_MPESA_CALLBACK_DELAY_MS: '50' });
    const push = await sandbox.client.stkPush(pushRequest('254700000006'));
    if (push.kind !== 'accepted') throw new Error(push.kind);
    expect(sandbox.callbacksFor(push.checkoutRequestId)).toHaveLength(0);
    await sandbox.settle();
    expect(sandbox.callbacksFor(push.checkoutRequestId)).toHaveLength(2);
    expect(await sandbox.flush('all')).not.toContain(push.checkoutRequestId);
  });

  it('keeps its state in D1, so another isolate (another app instance) sees the same tokens and payments', async () => {
    const first = mpesaSandbox();
    const second = mpesaSandbox();
    const push = await first.client.stkPush(pushRequest('254700000004'));
    if (push.kind !== 'accepted') throw new Error(push.kind);
    const token = await rawToken(first.fetch, first.baseUrl);
    const pending = await rawPost(second.fetch, `${second.baseUrl}/mpesa/stkpushquery/v1/query`, token, { ...credentials(), CheckoutRequestID: push.checkoutRequestId });
    expect((await pending.json()) as object).toMatchObject({ errorCode: '500.001.1001' });
    expect(await second.flush({ checkoutRequestId: push.checkoutRequestId })).toContain(push.checkoutRequestId);
    expect(second.callbacksFor(push.checkoutRequestId)).toHaveLength(1);
    expect(await first.client.stkQuery(push.checkoutRequestId)).toMatchObject({ kind: 'completed', resultCode: 2001 });
  });

  it('pays through a till with CustomerBuyGoodsOnline and PartyB = till', async () => {
    const sandbox = mpesaSandbox({ MPESA_TILL_NUMBER: '5123456', SIM_MPESA_CALLBACK_DELAY_MS: '0' });
    const push = await sandbox.client.stkPush(pushRequest('254708374149', { variant: 'till' }));
    if (push.kind !== 'accepted') throw new Error(push.kind);
    expect(JSON.parse(sandbox.calls('/stkpush/')[0]!.body)).toMatchObject({ TransactionType: 'CustomerBuyGoodsOnline', BusinessShortCode: '174379', PartyB: '5123456' });
    expect(await sandbox.client.stkQuery(push.checkoutRequestId)).toMatchObject({ kind: 'completed', resultCode: 0 });
  });
});

describe('M-Pesa simulator refuses what Daraja refuses', () => {
  it('issues tokens only for the right Basic credentials and grant type (providers.md §1.2)', async () => {
    const sandbox = mpesaSandbox();
    const url = `${sandbox.baseUrl}/oauth/v1/generate?grant_type=client_credentials`;
    const good = `Basic ${btoa(`${sandbox.config.MPESA_CONSUMER_KEY}:${sandbox.config.MPESA_CONSUMER_SECRET}`)}`;

    const ok = await sandbox.fetch(url, { headers: { authorization: good } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ access_token: expect.any(String), expires_in: '3599' });

    const wrong = await sandbox.fetch(url, { headers: { authorization: `Basic ${btoa('dev-mpesa-consumer-key:nope')}` } });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ errorCode: '400.008.01' });
    expect((await sandbox.fetch(url)).status).toBe(400);

    const grant = await sandbox.fetch(`${sandbox.baseUrl}/oauth/v1/generate?grant_type=password`, { headers: { authorization: good } });
    expect(await grant.json()).toMatchObject({ errorCode: '400.008.02' });
  });

  it('refuses a missing, unknown or expired Bearer token with 404.001.03', async () => {
    const sandbox = mpesaSandbox();
    const url = `${sandbox.baseUrl}/mpesa/stkpush/v1/processrequest`;
    const body = pushBody('254708374149');
    for (const authorization of [undefined, 'Bearer not-a-token', 'Basic abc']) {
      const response = await sandbox.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ requestId: expect.any(String), errorCode: '404.001.03', errorMessage: 'Invalid Access Token' });
    }
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    await env.DB.prepare('UPDATE sim_mpesa_tokens SET expires_at = 0 WHERE token = ?').bind(token).run();
    expect(await (await rawPost(sandbox.fetch, url, token, body)).json()).toMatchObject({ errorCode: '404.001.03' });
  });

  it('refuses a wrong Password or shortcode with 500.001.1001 (providers.md §1.4)', async () => {
    const sandbox = mpesaSandbox();
    const url = `${sandbox.baseUrl}/mpesa/stkpush/v1/processrequest`;
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    const badPassword = await rawPost(sandbox.fetch, url, token, { ...pushBody('254708374149'), Password: stkPassword('174379', 'wrong-passkey', '20240101120000') });
    expect(badPassword.status).toBe(500);
    expect(await badPassword.json()).toMatchObject({ errorCode: '500.001.1001', errorMessage: 'Wrong credentials' });
    const otherTimestamp = await rawPost(sandbox.fetch, url, token, { ...pushBody('254708374149'), Timestamp: '20240101120001' });
    expect(await otherTimestamp.json()).toMatchObject({ errorMessage: 'Wrong credentials' });
    const badShortcode = await rawPost(sandbox.fetch, url, token, { ...pushBody('254708374149'), BusinessShortCode: '600999' });
    expect(await badShortcode.json()).toMatchObject({ errorCode: '500.001.1001', errorMessage: 'Merchant does not exist' });
  });

  it.each([
    ['AccountReference', { AccountReference: 'ABCDEFGHIJKLM' }],
    ['AccountReference', { AccountReference: 'INV-123' }],
    ['TransactionDesc', { TransactionDesc: 'Fourteen chars' }],
    ['PhoneNumber', { PhoneNumber: '0712345678' }],
    ['PhoneNumber', { PhoneNumber: '255712345678' }],
    ['PartyA', { PartyA: '+254712345678' }],
    ['Amount', { Amount: 1.5 }],
    ['Amount', { Amount: 0 }],
    ['Amount', { Amount: 250_001 }],
    ['TransactionType', { TransactionType: 'CustomerPayBill' }],
    ['CallBackURL', { CallBackURL: 'not a url' }],
    ['Timestamp', { Timestamp: '2024-01-01' }],
  ])('refuses a bad %s with 400.002.02 (%j)', async (field, change) => {
    const sandbox = mpesaSandbox();
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    const response = await rawPost(sandbox.fetch, `${sandbox.baseUrl}/mpesa/stkpush/v1/processrequest`, token, { ...pushBody('254708374149'), ...change });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ requestId: expect.any(String), errorCode: '400.002.02', errorMessage: `Bad Request - Invalid ${field}` });
  });

  it('refuses a body that is not sent as JSON with 400.002.02', async () => {
    const sandbox = mpesaSandbox();
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    const url = `${sandbox.baseUrl}/mpesa/stkpush/v1/processrequest`;
    for (const [type, body] of [['text/plain', JSON.stringify(pushBody('254708374149'))], ['application/json', '{not json']]) {
      const response = await sandbox.fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type! }, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ errorCode: '400.002.02' });
    }
  });

  it('refuses a query for an unknown CheckoutRequestID', async () => {
    const sandbox = mpesaSandbox();
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    const response = await rawPost(sandbox.fetch, `${sandbox.baseUrl}/mpesa/stkpushquery/v1/query`, token, { ...credentials(), CheckoutRequestID: 'ws_CO_000' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errorCode: '400.002.02', errorMessage: 'Bad Request - Invalid CheckoutRequestID' });
  });

  it('fails a paybill push whose PartyB is not the shortcode with 2028, like Daraja', async () => {
    const sandbox = mpesaSandbox({ SIM_MPESA_CALLBACK_DELAY_MS: '0' });
    const token = await rawToken(sandbox.fetch, sandbox.baseUrl);
    const response = await rawPost(sandbox.fetch, `${sandbox.baseUrl}/mpesa/stkpush/v1/processrequest`, token, { ...pushBody('254708374149'), PartyB: '600000' });
    const { CheckoutRequestID } = (await response.json()) as { CheckoutRequestID: string };
    expect(await sandbox.client.stkQuery(CheckoutRequestID)).toMatchObject({ kind: 'completed', resultCode: 2028 });
  });
});

describe('simulators mounted at /__sim, as src/app.ts mounts them', () => {
  it('serves the client from config and posts the callback to this Worker in-process', async () => {
    const app = new Hono<AppEnv>().use(requestContext).route('/__sim', simulators);
    const contexts: ExecutionContext[] = [];
    const dispatch = (request: Request) => {
      const ctx = createExecutionContext();
      contexts.push(ctx);
      return Promise.resolve(app.fetch(request, env, ctx));
    };
    const client = mpesaClientFromConfig(getConfig(env), providerFetch(env, { dispatch }));
    const push = await client.stkPush(pushRequest('254708374149', { callbackUrl: 'http://malipo.test/webhooks/mpesa/not-a-deposit' }));
    if (push.kind !== 'accepted') throw new Error(JSON.stringify(push));

    const flushed = await dispatch(new Request(`http://malipo.test/__sim/mpesa/flush?checkoutRequestId=${push.checkoutRequestId}`, { method: 'POST' }));
    expect(((await flushed.json()) as { data: { delivered: string[] } }).data.delivered).toContain(push.checkoutRequestId);
    const row = await env.DB.prepare('SELECT callback_result FROM sim_mpesa_payments WHERE checkout_request_id = ?').bind(push.checkoutRequestId).first();
    // The Worker's own answer for an unknown callback token (no network involved).
    expect(row).toEqual({ callback_result: '404' });
    expect(await client.stkQuery(push.checkoutRequestId)).toMatchObject({ kind: 'completed', resultCode: 0 });
    await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
  });
});

function credentials(timestamp = '20240101120000') {
  return { BusinessShortCode: '174379', Password: stkPassword('174379', 'dev-mpesa-passkey', timestamp), Timestamp: timestamp };
}

function pushBody(phone: string) {
  return {
    ...credentials(),
    TransactionType: 'CustomerPayBillOnline',
    Amount: 1,
    PartyA: phone,
    PartyB: '174379',
    PhoneNumber: phone,
    CallBackURL: 'http://malipo.test/webhooks/mpesa/raw-test',
    AccountReference: 'INV000123',
    TransactionDesc: 'Order 123',
  };
}

async function rawToken(fetch: typeof globalThis.fetch, baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
    headers: { authorization: `Basic ${btoa('dev-mpesa-consumer-key:dev-mpesa-consumer-secret')}` },
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function rawPost(fetch: typeof globalThis.fetch, url: string, token: string, body: unknown) {
  return fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
