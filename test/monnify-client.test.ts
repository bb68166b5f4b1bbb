import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config';
import { createMonnifyClient, MONNIFY_LIVE_URL, monnifyClientFromConfig } from '../src/providers/monnify';
import { accountRequest, checkoutRequest, monnifySandbox, uniqueReference } from './monnify-sandbox';

describe('login token (providers.md §3.2)', () => {
  it('logs in with Basic base64(apiKey:secretKey) once and reuses the token', async () => {
    const sandbox = monnifySandbox();
    await sandbox.client.createReservedAccount(accountRequest(uniqueReference('tok')));
    await sandbox.client.getReservedAccount('nobody');
    await sandbox.client.verifyByPaymentReference('nothing');
    const logins = sandbox.calls('/api/v1/auth/login');
    expect(logins).toHaveLength(1);
    expect(logins[0]!.method).toBe('POST');
    expect(logins[0]!.headers.get('authorization')).toBe(`Basic ${btoa(`${sandbox.config.MONNIFY_API_KEY}:${sandbox.config.MONNIFY_SECRET_KEY}`)}`);
    const others = sandbox.requests.filter((r) => !r.url.includes('/auth/login'));
    expect(others).toHaveLength(3);
    const bearers = new Set(others.map((r) => r.headers.get('authorization')));
    expect(bearers.size).toBe(1);
    expect([...bearers][0]).toMatch(/^Bearer \S+$/);
  });

  it('logs in again shortly before the token expires (expiresIn is seconds)', async () => {
    let now = Date.UTC(2025, 0, 15, 12);
    const sandbox = monnifySandbox({}, { now: () => now });
    await sandbox.client.getReservedAccount('nobody');
    now += 3_500_000;
    await sandbox.client.getReservedAccount('nobody');
    expect(sandbox.calls('/auth/login')).toHaveLength(1);
    now += 60_000;
    await sandbox.client.getReservedAccount('nobody');
    expect(sandbox.calls('/auth/login')).toHaveLength(2);
  });

  it('shares one login among concurrent callers', async () => {
    const sandbox = monnifySandbox();
    const results = await Promise.all(Array.from({ length: 8 }, () => sandbox.client.getReservedAccount('nobody')));
    expect(results.every((r) => r.kind === 'not-found')).toBe(true);
    expect(sandbox.calls('/auth/login')).toHaveLength(1);
  });

  it('shares the token between clients built from the same base URL and key', async () => {
    const sandbox = monnifySandbox();
    const second = createMonnifyClient({ baseUrl: sandbox.baseUrl, apiKey: sandbox.config.MONNIFY_API_KEY, secretKey: sandbox.config.MONNIFY_SECRET_KEY, contractCode: 'x', fetch: sandbox.fetch });
    await sandbox.client.getReservedAccount('nobody');
    await second.getReservedAccount('nobody');
    expect(sandbox.calls('/auth/login')).toHaveLength(1);
  });

  it('on a 401, logs in again and retries once', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('retry');
    expect((await sandbox.client.createReservedAccount(accountRequest(reference))).kind).toBe('reserved');
    await env.DB.prepare('UPDATE sim_monnify_tokens SET expires_at = 0').run();
    const found = await sandbox.client.getReservedAccount(reference);
    expect(found.kind).toBe('found');
    expect(sandbox.calls('/auth/login')).toHaveLength(2);
    expect(sandbox.calls('/reserved-accounts/').filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('gives up after a second 401 without looping', async () => {
    const seen: string[] = [];
    const client = createMonnifyClient({
      baseUrl: `http://refusing-${crypto.randomUUID()}.test`,
      apiKey: 'k',
      secretKey: 's',
      contractCode: 'c',
      fetch: async (input, init) => {
        const path = new URL(new Request(input, init).url).pathname;
        seen.push(path);
        if (path === '/api/v1/auth/login') return Response.json({ requestSuccessful: true, responseMessage: '0', responseCode: '0', responseBody: { accessToken: 't', expiresIn: 3599 } });
        return Response.json({ error: 'invalid_token' }, { status: 401 });
      },
    });
    expect(await client.getReservedAccount('x')).toEqual({ kind: 'unavailable', reason: expect.stringContaining('token refused: HTTP 401') });
    expect(seen).toEqual(['/api/v1/auth/login', '/api/v2/bank-transfer/reserved-accounts/x', '/api/v1/auth/login', '/api/v2/bank-transfer/reserved-accounts/x']);
  });

  it('wrong credentials: the simulator refuses the login, and the call is unavailable', async () => {
    const sandbox = monnifySandbox({}, { secretKey: 'wrong-secret' });
    expect(await sandbox.client.getReservedAccount('x')).toEqual({ kind: 'unavailable', reason: expect.stringContaining('login: HTTP 401') });
    expect(sandbox.requests).toHaveLength(1);
  });

  it('reports a failed login as unavailable, never as a refusal of the call', async () => {
    const sandbox = monnifySandbox();
    await sandbox.faults({ login: 1 });
    const result = await sandbox.client.createReservedAccount(accountRequest(uniqueReference('login-down')));
    expect(result).toEqual({ kind: 'unavailable', reason: expect.stringContaining('login:') });
    expect(sandbox.calls('/bank-transfer/reserved-accounts')).toHaveLength(0);
  });
});

/** CBN NUBAN check digit over the 6-digit institution code and the 9-digit serial, weights 3,7,3. */
function isNuban(accountNumber: string, bankCode: string): boolean {
  if (!/^\d{10}$/.test(accountNumber)) return false;
  const digits = (bankCode.length === 3 ? `000${bankCode}` : `9${bankCode}`) + accountNumber.slice(0, 9);
  const sum = [...digits].reduce((total, d, i) => total + Number(d) * [3, 7, 3][i % 3]!, 0);
  return (10 - (sum % 10)) % 10 === Number(accountNumber[9]);
}

describe('reserved accounts (providers.md §3.5)', () => {
  it('checks NUBANs the CBN way (the sample Sterling account of providers.md §3.7 passes)', () => {
    expect(isNuban('6000140770', '232')).toBe(true);
    expect(isNuban('6000140771', '232')).toBe(false);
  });

  it('creates an account at the partner banks with valid 10-digit NUBANs', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('cust');
    const result = await sandbox.client.createReservedAccount(accountRequest(reference, { bvn: '21212121212' }));
    expect(result).toMatchObject({ kind: 'reserved', existing: false, account: { accountReference: reference, accountName: 'Ada Obi', customerEmail: 'ada@example.com', status: 'ACTIVE' } });
    if (result.kind !== 'reserved') return;
    expect(result.account.accounts.map((a) => a.bankCode).sort()).toEqual(['035', '232', '50515']);
    for (const account of result.account.accounts) expect(isNuban(account.accountNumber, account.bankCode), account.accountNumber).toBe(true);
    expect(JSON.parse(sandbox.calls('/reserved-accounts')[0]!.body)).toEqual({
      ...accountRequest(reference),
      bvn: '21212121212',
      currencyCode: 'NGN',
      contractCode: sandbox.config.MONNIFY_CONTRACT_CODE,
      getAllAvailableBanks: true,
    });
  });

  it('asks for preferred banks only when given', async () => {
    const sandbox = monnifySandbox();
    const result = await sandbox.client.createReservedAccount(accountRequest(uniqueReference('wema'), { preferredBanks: ['035'] }));
    expect(result.kind === 'reserved' && result.account.accounts).toEqual([{ bankCode: '035', bankName: 'Wema bank', accountNumber: expect.stringMatching(/^\d{10}$/), accountName: 'Ada Obi' }]);
    expect(JSON.parse(sandbox.calls('/reserved-accounts')[0]!.body)).toMatchObject({ preferredBanks: ['035'], getAllAvailableBanks: false });
  });

  it('gets the same account back by accountReference; an unknown reference is not-found', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('get');
    const created = await sandbox.client.createReservedAccount(accountRequest(reference));
    const found = await sandbox.client.getReservedAccount(reference);
    expect(found.kind).toBe('found');
    expect(created.kind === 'reserved' && found.kind === 'found' && found.account).toEqual(created.kind === 'reserved' && created.account);
    expect(await sandbox.client.getReservedAccount(`${reference}-nope`)).toEqual({ kind: 'not-found', message: 'Cannot find reserved account' });
  });

  it('refuses a second create for the same accountReference the way Monnify does', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('dup');
    await sandbox.client.createReservedAccount(accountRequest(reference));
    expect(await sandbox.client.createReservedAccount(accountRequest(reference))).toEqual({
      kind: 'rejected',
      httpStatus: 400,
      code: '99',
      message: 'You cannot reserve more than 1 account(s) for a customer',
    });
  });

  it('ensureReservedAccount returns the existing account on a repeat', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('ensure');
    const first = await sandbox.client.ensureReservedAccount(accountRequest(reference));
    const again = await sandbox.client.ensureReservedAccount(accountRequest(reference));
    expect(first).toMatchObject({ kind: 'reserved', existing: false });
    expect(again).toMatchObject({ kind: 'reserved', existing: true });
    expect(first.kind === 'reserved' && again.kind === 'reserved' && again.account.accounts).toEqual(first.kind === 'reserved' && first.account.accounts);
  });

  it('fails N times when told to, as unknown (a 5xx), then succeeds', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('flaky');
    expect(await sandbox.faults({ createReservedAccount: 2 })).toMatchObject({ status: 200, body: { data: { faults: { createReservedAccount: { remaining: 2, kind: 'error' } } } } });
    for (let i = 0; i < 2; i++) {
      expect(await sandbox.client.ensureReservedAccount(accountRequest(reference))).toEqual({ kind: 'unknown', reason: expect.stringContaining('HTTP 500') });
    }
    expect(await sandbox.client.ensureReservedAccount(accountRequest(reference))).toMatchObject({ kind: 'reserved', existing: false });
  });

  it('a lost answer leaves the account created: the retry finds it instead of failing on the duplicate', async () => {
    const sandbox = monnifySandbox();
    const reference = uniqueReference('lost');
    await sandbox.faults({ createReservedAccount: { times: 1, kind: 'lost' } });
    expect(await sandbox.client.createReservedAccount(accountRequest(reference))).toEqual({ kind: 'unknown', reason: expect.stringContaining('HTTP 502') });
    expect((await sandbox.client.createReservedAccount(accountRequest(reference))).kind).toBe('rejected');
    expect(await sandbox.client.ensureReservedAccount(accountRequest(reference))).toMatchObject({ kind: 'reserved', existing: true, account: { accountReference: reference } });
  });

  it('refuses bad input before sending anything', async () => {
    const sandbox = monnifySandbox();
    await expect(sandbox.client.createReservedAccount(accountRequest('x', { bvn: '123' }))).rejects.toThrow();
    await expect(sandbox.client.createReservedAccount(accountRequest('x', { customerEmail: 'not-an-email' }))).rejects.toThrow();
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('checkout and verify (providers.md §3.4, §3.6)', () => {
  it('init-transaction sends naira and returns the checkout; verify says PENDING until paid, then PAID', async () => {
    const sandbox = monnifySandbox();
    const paymentReference = uniqueReference('dep');
    const init = await sandbox.client.initTransaction(checkoutRequest(paymentReference, { amountKobo: 5_000_50, metaData: { depositId: paymentReference } }));
    expect(init).toMatchObject({
      kind: 'initialised',
      checkout: {
        paymentReference,
        transactionReference: expect.stringMatching(/^MNFY\|\d{2}\|\d{14}\|\d{6}$/),
        checkoutUrl: expect.stringContaining(`${sandbox.baseUrl}/checkout/MNFY%7C`),
        enabledPaymentMethods: ['CARD', 'ACCOUNT_TRANSFER', 'USSD', 'PHONE_NUMBER'],
      },
    });
    expect(JSON.parse(sandbox.calls('/init-transaction')[0]!.body)).toMatchObject({ amount: 5000.5, currencyCode: 'NGN', contractCode: sandbox.config.MONNIFY_CONTRACT_CODE });
    if (init.kind !== 'initialised') return;
    const { transactionReference, checkoutUrl } = init.checkout;

    const pending = await sandbox.client.verifyByPaymentReference(paymentReference);
    expect(pending).toMatchObject({
      kind: 'found',
      transaction: { transactionReference, paymentReference, paymentStatus: 'PENDING', amountPaidKobo: 0, totalPayableKobo: 5_000_50, paidAt: null, metaData: { depositId: paymentReference } },
    });

    const paid = await sandbox.pay(checkoutUrl);
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://malipo.test/deposit/return?paymentReference=${paymentReference}`);

    for (const result of [await sandbox.client.verifyByTransactionReference(transactionReference), await sandbox.client.verifyByPaymentReference(paymentReference)]) {
      expect(result).toMatchObject({
        kind: 'found',
        transaction: { transactionReference, paymentStatus: 'PAID', amountPaidKobo: 5_000_50, totalPayableKobo: 5_000_50, paymentMethod: 'CARD', paidAt: expect.any(Number), product: { type: 'WEB_SDK', reference: paymentReference } },
      });
    }
    expect(sandbox.calls('/api/v2/transactions/')[0]!.url).toContain('/api/v2/transactions/MNFY%7C');
  });

  it.each([
    ['less', 'PARTIALLY_PAID', 2_500_00],
    ['more', 'OVERPAID', 7_500_00],
  ])('"Pay %s" on the checkout page → %s', async (outcome, status, paidKobo) => {
    const sandbox = monnifySandbox();
    const paymentReference = uniqueReference(`pay-${outcome}`);
    const init = await sandbox.client.initTransaction(checkoutRequest(paymentReference));
    if (init.kind !== 'initialised') throw new Error(init.kind);
    expect((await sandbox.pay(init.checkout.checkoutUrl, { outcome })).status).toBe(303);
    expect(await sandbox.client.verifyByPaymentReference(paymentReference)).toMatchObject({
      kind: 'found',
      transaction: { paymentStatus: status, amountPaidKobo: paidKobo, totalPayableKobo: 5_000_00, paymentMethod: 'ACCOUNT_TRANSFER', paymentSources: [{ amountPaidKobo: paidKobo }] },
    });
  });

  it('pays a checkout once only', async () => {
    const sandbox = monnifySandbox();
    const init = await sandbox.client.initTransaction(checkoutRequest(uniqueReference('once')));
    if (init.kind !== 'initialised') throw new Error(init.kind);
    expect((await sandbox.pay(init.checkout.checkoutUrl)).status).toBe(303);
    expect((await sandbox.pay(init.checkout.checkoutUrl, { outcome: 'more' })).status).toBe(409);
  });

  it('refuses a reused paymentReference ("Duplicate payment reference")', async () => {
    const sandbox = monnifySandbox();
    const paymentReference = uniqueReference('twice');
    expect((await sandbox.client.initTransaction(checkoutRequest(paymentReference))).kind).toBe('initialised');
    expect(await sandbox.client.initTransaction(checkoutRequest(paymentReference))).toEqual({ kind: 'rejected', httpStatus: 400, code: '99', message: 'Duplicate payment reference' });
  });

  it('init-transaction faults: a 5xx or a lost answer is unknown, and verify then tells whether it exists', async () => {
    const sandbox = monnifySandbox();
    const failed = uniqueReference('init-error');
    await sandbox.faults({ initTransaction: 1 });
    expect((await sandbox.client.initTransaction(checkoutRequest(failed))).kind).toBe('unknown');
    expect((await sandbox.client.verifyByPaymentReference(failed)).kind).toBe('not-found');

    const lost = uniqueReference('init-lost');
    await sandbox.faults({ initTransaction: { times: 1, kind: 'lost' } });
    expect((await sandbox.client.initTransaction(checkoutRequest(lost))).kind).toBe('unknown');
    expect(await sandbox.client.verifyByPaymentReference(lost)).toMatchObject({ kind: 'found', transaction: { paymentStatus: 'PENDING' } });
  });

  it('verify of an unknown reference is not-found; a verify fault is unknown', async () => {
    const sandbox = monnifySandbox();
    expect((await sandbox.client.verifyByTransactionReference('MNFY|00|20250101000000|000000')).kind).toBe('not-found');
    await sandbox.faults({ verify: 1 });
    expect((await sandbox.client.verifyByPaymentReference('anything')).kind).toBe('unknown');
  });

  it('the simulator refuses an unencoded | in the transaction reference', async () => {
    const sandbox = monnifySandbox();
    await sandbox.client.getReservedAccount('warm-up');
    const token = sandbox.requests.at(-1)!.headers.get('authorization')!;
    const response = await sandbox.fetch(`${sandbox.baseUrl}/api/v2/transactions/MNFY|00|20250101000000|000000`, { headers: { authorization: token } });
    expect(response.status).toBe(400);
  });
});

describe('answers that are not answers', () => {
  const options = { apiKey: 'k', secretKey: 's', contractCode: 'c' };
  const loginOk = () => Response.json({ requestSuccessful: true, responseMessage: '0', responseCode: '0', responseBody: { accessToken: 't', expiresIn: 3599 } });
  const withAnswer = (answer: () => Response | Promise<Response>, timeoutMs = 2_000) =>
    createMonnifyClient({
      ...options,
      baseUrl: `http://fake-${crypto.randomUUID()}.test`,
      timeoutMs,
      fetch: async (input, init) => (new Request(input, init).url.includes('/auth/login') ? loginOk() : answer()),
    });

  it.each([
    ['a network error', () => Promise.reject(new TypeError('connection reset'))],
    ['an HTML error page', () => new Response('<html>502</html>', { status: 502 })],
    ['a 200 that is not JSON', () => new Response('{"requestSuccessful":tr', { status: 200 })],
    ['a 200 without the envelope', () => Response.json({ ok: true })],
    ['a 500 in the envelope', () => Response.json({ requestSuccessful: false, responseMessage: 'error', responseCode: '99' }, { status: 500 })],
    ['a successful envelope with a body of the wrong shape', () => Response.json({ requestSuccessful: true, responseMessage: 'success', responseCode: '0', responseBody: { checkoutUrl: 'nope' } })],
  ])('%s → unknown, never a failure', async (_, answer) => {
    const client = withAnswer(answer);
    expect((await client.initTransaction(checkoutRequest('p-1'))).kind).toBe('unknown');
    expect((await client.verifyByPaymentReference('p-1')).kind).toBe('unknown');
    expect((await client.createReservedAccount(accountRequest('a-1'))).kind).toBe('unknown');
  });

  it('a hung call → unknown after timeoutMs', async () => {
    const client = withAnswer(() => new Promise<Response>(() => {}), 50);
    expect(await client.verifyByTransactionReference('MNFY|1')).toEqual({ kind: 'unknown', reason: 'timeout: no answer within 50 ms' });
  });

  it('an answer about another transaction → unknown', async () => {
    const responseBody = {
      transactionReference: 'MNFY|01|20250115120000|000001',
      paymentReference: 'someone-else',
      amountPaid: '10.00',
      totalPayable: '10.00',
      paymentStatus: 'PAID',
      currency: 'NGN',
      product: { type: 'WEB_SDK', reference: 'someone-else' },
    };
    const client = withAnswer(() => Response.json({ requestSuccessful: true, responseMessage: 'success', responseCode: '0', responseBody }));
    expect(await client.verifyByPaymentReference('mine')).toEqual({ kind: 'unknown', reason: expect.stringContaining('another transaction') });
    expect(await client.verifyByTransactionReference('MNFY|01|20250115120000|000002')).toEqual({ kind: 'unknown', reason: expect.stringContaining('another transaction') });
    expect((await client.verifyByPaymentReference('someone-else')).kind).toBe('found');
  });
});

describe('monnifyClientFromConfig', () => {
  it.each([
    ['MONNIFY_BASE_URL when set', { MONNIFY_BASE_URL: 'https://sandbox.monnify.com' }, 'https://sandbox.monnify.com/api/v1/auth/login'],
    ['the simulator when SIMULATORS is on', { SIMULATORS: 'on' as const }, 'http://malipo.test/__sim/monnify/api/v1/auth/login'],
    ['Monnify live otherwise', { SIMULATORS: 'off' as const }, `${MONNIFY_LIVE_URL}/api/v1/auth/login`],
  ])('uses %s', async (_, overrides, loginUrl) => {
    const urls: string[] = [];
    const config = { ...getConfig(env), MONNIFY_API_KEY: `key-${crypto.randomUUID()}`, ...overrides };
    const client = monnifyClientFromConfig(config, async (input, init) => {
      urls.push(new Request(input, init).url);
      throw new TypeError('offline');
    });
    expect((await client.getReservedAccount('x')).kind).toBe('unavailable');
    expect(urls).toEqual([loginUrl]);
  });
});
