import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config';
import { providerFetch } from '../src/providers/http';
import { monnifyClientFromConfig } from '../src/providers/monnify';
import { parseMonnifyWebhook, verifyMonnifySignature } from '../src/providers/monnify-webhook';
import { call, postForm, postJson } from './helpers';
import { accountRequest, checkoutRequest, monnifySandbox, uniqueReference } from './monnify-sandbox';

/** A sandbox with one reserved account; its first NUBAN receives the transfers. */
async function withAccount(overrides: Parameters<typeof monnifySandbox>[0] = {}) {
  const sandbox = monnifySandbox(overrides);
  const accountReference = uniqueReference('cust');
  const result = await sandbox.client.createReservedAccount(accountRequest(accountReference, { preferredBanks: ['232'] }));
  if (result.kind !== 'reserved') throw new Error(result.kind);
  return { sandbox, accountReference, account: result.account.accounts[0]! };
}

describe('transfers into a reserved account send SUCCESSFUL_TRANSACTION webhooks (design.md §6)', () => {
  it('signs the exact body with MONNIFY_SECRET_KEY; the event normalises to the transfer in kobo', async () => {
    const { sandbox, accountReference, account } = await withAccount();
    const transfer = await sandbox.transfer({ accountNumber: account.accountNumber, amount: 3_000_50, senderName: 'ADA OBI' });
    expect(transfer).toMatchObject({ status: 201, body: { data: { accountReference, amount: 3_000_50, webhooks: [{ status: 'delivered', httpStatus: 200 }] } } });
    const { transactionReference } = transfer.body.data;

    const [webhook, ...more] = sandbox.webhooksFor(transactionReference);
    expect(more).toHaveLength(0);
    expect(webhook!.url).toBe('http://malipo.test/webhooks/monnify');
    expect(webhook!.signature).toMatch(/^[0-9a-f]{128}$/);
    expect(webhook!.sourceIp).toBe('35.242.133.146');
    expect(await verifyMonnifySignature(webhook!.body, webhook!.signature, sandbox.config.MONNIFY_SECRET_KEY)).toBe(true);
    expect(await verifyMonnifySignature(webhook!.body, webhook!.signature, 'another-secret')).toBe(false);
    expect(await verifyMonnifySignature(webhook!.body.replace('3000.5', '3000.6'), webhook!.signature, sandbox.config.MONNIFY_SECRET_KEY)).toBe(false);

    const raw = JSON.parse(webhook!.body) as { eventData: Record<string, unknown> };
    expect(raw.eventData).toMatchObject({ amountPaid: 3000.5, settlementAmount: expect.stringMatching(/^\d+\.\d{2}$/), paymentSourceInformation: [expect.any(Object)] });
    expect(parseMonnifyWebhook(raw)).toMatchObject({
      eventType: 'SUCCESSFUL_TRANSACTION',
      other: false,
      transaction: {
        transactionReference,
        paymentReference: transactionReference,
        paymentStatus: 'PAID',
        amountPaidKobo: 3_000_50,
        totalPayableKobo: 3_000_50,
        paymentMethod: 'ACCOUNT_TRANSFER',
        paidAt: expect.any(Number),
        product: { type: 'RESERVED_ACCOUNT', reference: accountReference },
        destinationAccount: { accountNumber: account.accountNumber, bankCode: '232', bankName: 'Sterling bank' },
        paymentSources: [{ accountName: 'ADA OBI', accountNumber: expect.stringMatching(/^\d{10}$/), amountPaidKobo: 3_000_50 }],
        customer: { name: 'Ada Obi', email: 'ada@example.com' },
      },
    });
    expect(await sandbox.client.verifyByTransactionReference(transactionReference)).toMatchObject({ kind: 'found', transaction: { paymentStatus: 'PAID', amountPaidKobo: 3_000_50 } });
  });

  it('duplicate: true sends the same signed body twice', async () => {
    const { sandbox, account } = await withAccount();
    const transfer = await sandbox.transfer({ accountNumber: account.accountNumber, amount: 10_000, duplicate: true });
    const webhooks = sandbox.webhooksFor(transfer.body.data.transactionReference);
    expect(webhooks).toHaveLength(2);
    expect(webhooks[0]!.body).toBe(webhooks[1]!.body);
    expect(webhooks[0]!.signature).toBe(webhooks[1]!.signature);
  });

  it("deliver: 'later' holds the webhook until a flush", async () => {
    const { sandbox, account } = await withAccount();
    const transfer = await sandbox.transfer({ accountNumber: account.accountNumber, amount: 10_000, deliver: 'later' });
    const { transactionReference } = transfer.body.data;
    expect(transfer.body.data.webhooks).toEqual([]);
    expect(sandbox.webhooksFor(transactionReference)).toHaveLength(0);
    expect(await sandbox.client.verifyByTransactionReference(transactionReference)).toMatchObject({ kind: 'found', transaction: { paymentStatus: 'PAID' } });

    const flushed = await sandbox.flush(transactionReference);
    expect(flushed.body.data.webhooks).toEqual([expect.objectContaining({ transactionReference, status: 'delivered' })]);
    expect(sandbox.webhooksFor(transactionReference)).toHaveLength(1);
    expect((await sandbox.flush(transactionReference)).body.data.webhooks).toEqual([]);
  });

  it('a webhook answered with a non-2xx stays due and is sent again by the next flush, as Monnify retries', async () => {
    const { sandbox, account } = await withAccount();
    sandbox.answerWebhooksWith(500);
    const transfer = await sandbox.transfer({ accountNumber: account.accountNumber, amount: 10_000 });
    const { transactionReference } = transfer.body.data;
    expect(transfer.body.data.webhooks).toEqual([expect.objectContaining({ status: 'due', httpStatus: 500 })]);
    expect((await sandbox.flush(transactionReference)).body.data.webhooks).toEqual([expect.objectContaining({ status: 'due' })]);
    sandbox.answerWebhooksWith(200);
    expect((await sandbox.flush(transactionReference)).body.data.webhooks).toEqual([expect.objectContaining({ status: 'delivered' })]);
    const sent = sandbox.webhooksFor(transactionReference);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((w) => w.body)).size).toBe(1);
  });

  it('posts to SIM_MONNIFY_WEBHOOK_URL when set', async () => {
    const { sandbox, account } = await withAccount({ SIM_MONNIFY_WEBHOOK_URL: 'https://hooks.example/monnify' });
    const transfer = await sandbox.transfer({ accountNumber: account.accountNumber, amount: 10_000 });
    expect(sandbox.webhooksFor(transfer.body.data.transactionReference)[0]!.url).toBe('https://hooks.example/monnify');
  });

  it('refuses a transfer to an unknown account or with a non-kobo amount', async () => {
    const { sandbox, account } = await withAccount();
    expect((await sandbox.transfer({ accountNumber: '0000000000', amount: 100 })).status).toBe(404);
    expect((await sandbox.transfer({ accountNumber: account.accountNumber, amount: 10.5 })).status).toBe(400);
    expect((await sandbox.transfer({ accountNumber: account.accountNumber, amount: 0 })).status).toBe(400);
  });
});

describe('checkout completion webhooks', () => {
  it.each([
    ['paid', 'PAID', 5_000_00, 'CARD'],
    ['less', 'PARTIALLY_PAID', 2_500_00, 'ACCOUNT_TRANSFER'],
    ['more', 'OVERPAID', 7_500_00, 'ACCOUNT_TRANSFER'],
  ])('"%s" sends a WEB_SDK event with paymentStatus %s', async (outcome, paymentStatus, amountPaidKobo, paymentMethod) => {
    const sandbox = monnifySandbox();
    const paymentReference = uniqueReference(`web-${outcome}`);
    const init = await sandbox.client.initTransaction(checkoutRequest(paymentReference, { metaData: { depositId: paymentReference } }));
    if (init.kind !== 'initialised') throw new Error(init.kind);
    await sandbox.pay(init.checkout.checkoutUrl, { outcome });
    const [webhook, ...more] = sandbox.webhooksFor(init.checkout.transactionReference);
    expect(more).toHaveLength(0);
    expect(await verifyMonnifySignature(webhook!.body, webhook!.signature, sandbox.config.MONNIFY_SECRET_KEY)).toBe(true);
    const raw = JSON.parse(webhook!.body) as { eventData: Record<string, unknown> };
    // Checkout events show the other documented quirks: an object source, a numeric settlement, a dd/MM/yyyy paidOn.
    expect(raw.eventData).toMatchObject({ paymentSourceInformation: expect.any(Object), settlementAmount: expect.any(Number), paidOn: expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/) });
    expect(Array.isArray(raw.eventData.paymentSourceInformation)).toBe(false);
    expect(parseMonnifyWebhook(raw)).toMatchObject({
      other: false,
      transaction: {
        transactionReference: init.checkout.transactionReference,
        paymentReference,
        paymentStatus,
        amountPaidKobo,
        totalPayableKobo: 5_000_00,
        paymentMethod,
        paidAt: expect.any(Number),
        product: { type: 'WEB_SDK', reference: paymentReference },
        metaData: { depositId: paymentReference },
      },
    });
  });

  it('the pay form takes the webhook switches too', async () => {
    const sandbox = monnifySandbox();
    const init = await sandbox.client.initTransaction(checkoutRequest(uniqueReference('switches')));
    if (init.kind !== 'initialised') throw new Error(init.kind);
    await sandbox.pay(init.checkout.checkoutUrl, { outcome: 'paid', duplicate: 'on', deliver: 'later' });
    const { transactionReference } = init.checkout;
    expect(sandbox.webhooksFor(transactionReference)).toHaveLength(0);
    expect((await sandbox.flush(transactionReference)).body.data.webhooks).toHaveLength(2);
    expect(sandbox.webhooksFor(transactionReference)).toHaveLength(2);
  });
});

describe('the simulator behind the real app (SIMULATORS on)', () => {
  it('serves a checkout page that works under the strict CSP: a real form, no inline script or style', async () => {
    const config = getConfig(env);
    const login = await call('/__sim/monnify/api/v1/auth/login', { method: 'POST', headers: { authorization: `Basic ${btoa(`${config.MONNIFY_API_KEY}:${config.MONNIFY_SECRET_KEY}`)}` } });
    const { responseBody } = (await login.json()) as { responseBody: { accessToken: string } };
    const paymentReference = uniqueReference('page');
    const init = await call('/__sim/monnify/api/v1/merchant/transactions/init-transaction', {
      method: 'POST',
      headers: { authorization: `Bearer ${responseBody.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...checkoutRequest(paymentReference), amountKobo: undefined, amount: 1500, currencyCode: 'NGN', contractCode: config.MONNIFY_CONTRACT_CODE }),
    });
    const { responseBody: checkout } = (await init.json()) as { responseBody: { checkoutUrl: string } };
    expect(checkout.checkoutUrl).toMatch(/^http:\/\/malipo\.test\/__sim\/monnify\/checkout\/MNFY%7C/);

    const page = await call(new URL(checkout.checkoutUrl).pathname);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script|style=|<style|\son[a-z]+=/i);
    expect(html).toContain(`action="${new URL(checkout.checkoutUrl).pathname}"`);
    for (const button of ['Pay NGN', 'Pay less', 'Pay more']) expect(html).toContain(button);
    expect(html).toContain('<label for="sim-duplicate">');

    const paid = await postForm(new URL(checkout.checkoutUrl).pathname, { outcome: 'paid', deliver: 'later' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://malipo.test/deposit/return?paymentReference=${paymentReference}`);
    expect(await (await call(new URL(checkout.checkoutUrl).pathname)).text()).toContain('This payment is complete.');
  });

  it('answers login only to the configured Basic credentials, and other calls only with a Bearer', async () => {
    const refused = await call('/__sim/monnify/api/v1/auth/login', { method: 'POST', headers: { authorization: `Basic ${btoa('dev-monnify-api-key:wrong')}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ requestSuccessful: false, responseCode: '99' });
    const noBearer = await call('/__sim/monnify/api/v2/bank-transfer/reserved-accounts/x');
    expect(noBearer.status).toBe(401);
  });

  it('end to end in-process: the configured client reaches it through providerFetch, and its webhook reaches our Worker', async () => {
    const client = monnifyClientFromConfig(getConfig(env), providerFetch(env));
    const reserved = await client.ensureReservedAccount(accountRequest(uniqueReference('e2e')));
    if (reserved.kind !== 'reserved') throw new Error(reserved.kind);
    const transfer = await postJson('/__sim/monnify/transfers', { accountNumber: reserved.account.accounts[0]!.accountNumber, amount: 1_000_00 });
    expect(transfer.status).toBe(201);
    const { data } = (await transfer.json()) as { data: { webhooks: { httpStatus: number | null }[] } };
    // Whatever /webhooks/monnify answers today, the signed POST was dispatched to this Worker (not the network).
    expect(data.webhooks).toEqual([expect.objectContaining({ httpStatus: expect.any(Number) })]);
  });
});
