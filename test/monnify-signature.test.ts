import { describe, expect, it } from 'vitest';
import { signMonnifyBody, verifyMonnifySignature } from '../src/providers/monnify-webhook';

/** The documented test vector, byte for byte. @see providers.md §3.7 */
const SECRET = '91MUDL9N6U3BQRXBQ2PJ9M0PW4J22M1Y';
const BODY =
  '{"eventData":{"product":{"reference":"111222333","type":"OFFLINE_PAYMENT_AGENT"},"transactionReference":"MNFY|76|20211117154810|000001","paymentReference":"0.01462001097368737","paidOn":"17/11/2021 3:48:10 PM","paymentDescription":"Mockaroo Jesse","metaData":{},"destinationAccountInformation":{},"paymentSourceInformation":{},"amountPaid":78000,"totalPayable":78000,"offlineProductInformation":{"code":"41470","type":"DYNAMIC"},"cardDetails":{},"paymentMethod":"CASH","currency":"NGN","settlementAmount":77600,"paymentStatus":"PAID","customer":{"name":"Mockaroo Jesse","email":"111222333@ZZAMZ4WT4Y3E.monnify"}},"eventType":"SUCCESSFUL_TRANSACTION"}';
const SIGNATURE = 'f04fb635e04d71648bd3cc7999003da6861483342c856d05ddfa9b2dafacb873b0de1d0f8f67405d0010b4348b721c49fa171d317972618debba6b638aedcd3c';

const bytes = new TextEncoder().encode(BODY);

describe('Monnify webhook signature (providers.md §3.7)', () => {
  it('computes the documented test vector: HMAC-SHA512, lowercase hex', async () => {
    expect(await signMonnifyBody(BODY, SECRET)).toBe(SIGNATURE);
  });

  it.each([
    ['a string', BODY],
    ['a Uint8Array', bytes],
    ['an ArrayBuffer', bytes.slice().buffer],
  ])('verifies the test vector given the body as %s', async (_, body) => {
    expect(await verifyMonnifySignature(body, SIGNATURE, SECRET)).toBe(true);
  });

  it('accepts the header in upper case or with surrounding spaces', async () => {
    expect(await verifyMonnifySignature(BODY, ` ${SIGNATURE.toUpperCase()} `, SECRET)).toBe(true);
  });

  it('is not the plain SHA-512 of secret + body that the doc prose describes', async () => {
    const plain = new Uint8Array(await crypto.subtle.digest('SHA-512', new TextEncoder().encode(SECRET + BODY)));
    const hex = [...plain].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(await verifyMonnifySignature(BODY, hex, SECRET)).toBe(false);
  });

  it.each([
    ['a changed amount', BODY.replace('"amountPaid":78000', '"amountPaid":78001')],
    ['re-serialised JSON (key order changed)', JSON.stringify({ eventType: 'SUCCESSFUL_TRANSACTION', ...(JSON.parse(BODY) as object) })],
    ['pretty-printed JSON', JSON.stringify(JSON.parse(BODY), null, 2)],
    ['a trailing newline', `${BODY}\n`],
    ['an empty body', ''],
  ])('refuses a tampered body: %s', async (_, body) => {
    expect(await verifyMonnifySignature(body, SIGNATURE, SECRET)).toBe(false);
  });

  it('refuses the right body signed with another secret', async () => {
    expect(await verifyMonnifySignature(BODY, SIGNATURE, `${SECRET}X`)).toBe(false);
    expect(await verifyMonnifySignature(BODY, await signMonnifyBody(BODY, 'some-other-secret'), SECRET)).toBe(false);
  });

  it.each([
    ['missing (null)', null],
    ['empty', ''],
    ['truncated', SIGNATURE.slice(0, 127)],
    ['one character too many', `${SIGNATURE}0`],
    ['not hex', 'z'.repeat(128)],
    ['base64 instead of hex', btoa(SIGNATURE).slice(0, 128)],
    ['prefixed like sha512=…', `sha512=${SIGNATURE}`],
  ])('refuses a header that is %s', async (_, header) => {
    expect(await verifyMonnifySignature(BODY, header, SECRET)).toBe(false);
  });

  it('refuses everything when the secret is empty, even a body signed with the empty secret', async () => {
    const signedWithEmpty = await signMonnifyBody(BODY, '').catch(() => null);
    for (const header of [SIGNATURE, signedWithEmpty]) {
      expect(await verifyMonnifySignature(BODY, header, '')).toBe(false);
    }
  });
});
