import { describe, expect, it } from 'vitest';
import { monnifyAmountToKobo, parsePaidOn } from '../src/providers/monnify';
import { reservedAccountSchema, transactionSchema } from '../src/providers/monnify-parse';
import { monnifyWebhookSchema, parseMonnifyWebhook } from '../src/providers/monnify-webhook';

/** The reserved-account sample of providers.md §3.7. */
const RESERVED_SAMPLE = {
  eventType: 'SUCCESSFUL_TRANSACTION',
  eventData: {
    product: { reference: 'cust-000123', type: 'RESERVED_ACCOUNT' },
    transactionReference: 'MNFY|04|20250115112842|000170',
    paymentReference: 'MNFY|04|20250115112842|000170',
    paidOn: '2025-01-15 11:28:42.615',
    paymentDescription: 'Ada',
    metaData: {},
    paymentSourceInformation: [{ bankCode: '', amountPaid: 3000, accountName: 'ADA OBI', sessionId: 'e6cV1smlpkwG38Cg6d5F9B2PRnIq5FqA', accountNumber: '0065432190' }],
    destinationAccountInformation: { bankCode: '232', bankName: 'Sterling bank', accountNumber: '6000140770' },
    amountPaid: 3000,
    totalPayable: 3000,
    cardDetails: {},
    paymentMethod: 'ACCOUNT_TRANSFER',
    currency: 'NGN',
    settlementAmount: '2990.00',
    paymentStatus: 'PAID',
    customer: { name: 'Ada Obi', email: 'ada@example.com' },
  },
};

/** The signature test vector's body (providers.md §3.7): object source, dd/MM/yyyy paidOn, numeric settlement. */
const VECTOR_SAMPLE = JSON.parse(
  '{"eventData":{"product":{"reference":"111222333","type":"OFFLINE_PAYMENT_AGENT"},"transactionReference":"MNFY|76|20211117154810|000001","paymentReference":"0.01462001097368737","paidOn":"17/11/2021 3:48:10 PM","paymentDescription":"Mockaroo Jesse","metaData":{},"destinationAccountInformation":{},"paymentSourceInformation":{},"amountPaid":78000,"totalPayable":78000,"offlineProductInformation":{"code":"41470","type":"DYNAMIC"},"cardDetails":{},"paymentMethod":"CASH","currency":"NGN","settlementAmount":77600,"paymentStatus":"PAID","customer":{"name":"Mockaroo Jesse","email":"111222333@ZZAMZ4WT4Y3E.monnify"}},"eventType":"SUCCESSFUL_TRANSACTION"}',
) as { eventType: string; eventData: Record<string, unknown> };

function withData(data: Record<string, unknown>) {
  return { ...RESERVED_SAMPLE, eventData: { ...RESERVED_SAMPLE.eventData, ...data } };
}

describe('naira → kobo without float error', () => {
  it.each([
    [3000, 300_000],
    ['3000', 300_000],
    ['2990.00', 299_000],
    [77600, 7_760_000],
    ['30.5', 3_050],
    [30.5, 3_050],
    [0.1, 10],
    [0.29, 29],
    [1.15, 115],
    ['1.10', 110],
    ['0.07', 7],
    ['19.990', 1_999],
    [0, 0],
    ['0.00', 0],
    [' 45.60 ', 4_560],
    ['90071992547410.00', null],
  ])('%j → %j', (naira, kobo) => {
    expect(monnifyAmountToKobo(naira)).toBe(kobo);
  });

  it('keeps exact kobo where multiplying the float by 100 would not', () => {
    expect(0.29 * 100).not.toBe(29);
    expect(1.15 * 100).not.toBe(115);
    expect(monnifyAmountToKobo(0.29)).toBe(29);
    expect(monnifyAmountToKobo(1.15)).toBe(115);
  });

  it.each([['1.005'], [1.005], ['-5'], [-5], ['1,500.00'], ['₦500'], ['1e3'], [1e21], [Number.NaN], [Number.POSITIVE_INFINITY], [''], [null], [undefined], [true], [{}]])(
    'refuses %j',
    (value) => {
      expect(monnifyAmountToKobo(value)).toBeNull();
    },
  );
});

describe('paidOn formats (providers.md §3.7), read as Lagos time (UTC+1)', () => {
  it.each([
    ['2025-01-15 11:28:42.615', Date.UTC(2025, 0, 15, 10, 28, 42, 615)],
    ['2025-01-15 11:28:42', Date.UTC(2025, 0, 15, 10, 28, 42)],
    ['2025-01-15T11:28:42.615Z', Date.UTC(2025, 0, 15, 11, 28, 42, 615)],
    ['2025-01-15T11:28:42.000+0000', Date.UTC(2025, 0, 15, 11, 28, 42)],
    ['17/11/2021 3:48:10 PM', Date.UTC(2021, 10, 17, 14, 48, 10)],
    ['17/11/2021 12:05:00 AM', Date.UTC(2021, 10, 16, 23, 5, 0)],
    ['17/11/2021 12:05:00 PM', Date.UTC(2021, 10, 17, 11, 5, 0)],
    ['01/02/2025 9:00:00 am', Date.UTC(2025, 1, 1, 8, 0, 0)],
  ])('%s', (text, expected) => {
    expect(parsePaidOn(text)).toBe(expected);
  });

  it.each([['31/02/2025 3:00:00 PM'], ['2025-13-01 10:00:00'], ['17/11/2021 13:48:10 PM'], ['yesterday'], [''], [null]])('%j is unreadable (null)', (text) => {
    expect(parsePaidOn(text)).toBeNull();
  });
});

describe('SUCCESSFUL_TRANSACTION webhook', () => {
  it('normalises the reserved-account sample: array source, numeric amounts, string settlement', () => {
    expect(parseMonnifyWebhook(RESERVED_SAMPLE)).toEqual({
      eventType: 'SUCCESSFUL_TRANSACTION',
      other: false,
      transaction: {
        transactionReference: 'MNFY|04|20250115112842|000170',
        paymentReference: 'MNFY|04|20250115112842|000170',
        paymentStatus: 'PAID',
        amountPaidKobo: 300_000,
        totalPayableKobo: 300_000,
        settlementAmountKobo: 299_000,
        currency: 'NGN',
        paymentMethod: 'ACCOUNT_TRANSFER',
        paymentDescription: 'Ada',
        paidOn: '2025-01-15 11:28:42.615',
        paidAt: Date.UTC(2025, 0, 15, 10, 28, 42, 615),
        product: { type: 'RESERVED_ACCOUNT', reference: 'cust-000123' },
        customer: { name: 'Ada Obi', email: 'ada@example.com' },
        destinationAccount: { bankCode: '232', bankName: 'Sterling bank', accountNumber: '6000140770' },
        paymentSources: [{ accountName: 'ADA OBI', accountNumber: '0065432190', bankCode: null, sessionId: 'e6cV1smlpkwG38Cg6d5F9B2PRnIq5FqA', amountPaidKobo: 300_000 }],
        metaData: {},
      },
    });
  });

  it('normalises the test vector: empty object source and destination, dd/MM/yyyy paidOn, numeric settlement', () => {
    const event = parseMonnifyWebhook(VECTOR_SAMPLE);
    expect(event).toMatchObject({
      other: false,
      transaction: {
        transactionReference: 'MNFY|76|20211117154810|000001',
        paymentReference: '0.01462001097368737',
        amountPaidKobo: 7_800_000,
        totalPayableKobo: 7_800_000,
        settlementAmountKobo: 7_760_000,
        paymentMethod: 'CASH',
        paidAt: Date.UTC(2021, 10, 17, 14, 48, 10),
        product: { type: 'OFFLINE_PAYMENT_AGENT', reference: '111222333' },
        destinationAccount: null,
        paymentSources: [],
      },
    });
  });

  it('reads an object paymentSourceInformation like an array of one', () => {
    const source = { bankCode: '058', amountPaid: '1500.50', accountName: 'ADA OBI', sessionId: 's-1', accountNumber: '0123456789' };
    const asObject = parseMonnifyWebhook(withData({ paymentSourceInformation: source }));
    const asArray = parseMonnifyWebhook(withData({ paymentSourceInformation: [source] }));
    expect(asObject).toEqual(asArray);
    expect(asObject?.other === false && asObject.transaction.paymentSources).toEqual([
      { accountName: 'ADA OBI', accountNumber: '0123456789', bankCode: '058', sessionId: 's-1', amountPaidKobo: 150_050 },
    ]);
  });

  it('reads amounts given as strings the same as numbers', () => {
    const strings = parseMonnifyWebhook(withData({ amountPaid: '3000.00', totalPayable: '3000', settlementAmount: 2990 }));
    expect(strings?.other === false && strings.transaction).toMatchObject({ amountPaidKobo: 300_000, totalPayableKobo: 300_000, settlementAmountKobo: 299_000 });
  });

  it('keeps partial and over payments as they are, for the caller to check', () => {
    const partial = parseMonnifyWebhook(withData({ amountPaid: 1500, totalPayable: 3000, paymentStatus: 'PARTIALLY_PAID', product: { type: 'WEB_SDK', reference: 'dep_1' } }));
    expect(partial?.other === false && partial.transaction).toMatchObject({ paymentStatus: 'PARTIALLY_PAID', amountPaidKobo: 150_000, totalPayableKobo: 300_000 });
  });

  it('tolerates an unreadable settlementAmount or paidOn (informational) but not an unreadable amountPaid', () => {
    const odd = parseMonnifyWebhook(withData({ settlementAmount: 'n/a', paidOn: 'sometime' }));
    expect(odd?.other === false && odd.transaction).toMatchObject({ settlementAmountKobo: null, paidAt: null, paidOn: 'sometime' });
    expect(parseMonnifyWebhook(withData({ amountPaid: '3000.005' }))).toBeNull();
    expect(parseMonnifyWebhook(withData({ amountPaid: '3,000' }))).toBeNull();
  });

  it.each([
    ['no transactionReference', { transactionReference: undefined }],
    ['an empty paymentReference', { paymentReference: '' }],
    ['no product', { product: undefined }],
    ['no amountPaid', { amountPaid: undefined }],
    ['a negative amountPaid', { amountPaid: -5 }],
    ['no paymentStatus', { paymentStatus: undefined }],
  ])('refuses an event with %s, saying where', (_, data) => {
    const body = withData(data);
    expect(parseMonnifyWebhook(body)).toBeNull();
    const result = monnifyWebhookSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe('eventData');
  });

  it('parses other event types as {eventType, other: true} whatever their data', () => {
    expect(parseMonnifyWebhook({ eventType: 'SUCCESSFUL_REFUND', eventData: { refundReference: 'r1' } })).toEqual({ eventType: 'SUCCESSFUL_REFUND', other: true });
    expect(parseMonnifyWebhook({ eventType: 'LOW_BALANCE_ALERT' })).toEqual({ eventType: 'LOW_BALANCE_ALERT', other: true });
  });

  it.each([[null], ['text'], [{}], [{ eventType: '' }], [{ eventData: RESERVED_SAMPLE.eventData }]])('refuses a body that is no event: %j', (body) => {
    expect(parseMonnifyWebhook(body)).toBeNull();
  });
});

describe('verify answer body (providers.md §3.6)', () => {
  const pendingAnswer = {
    transactionReference: 'MNFY|85|20250115143000|000123',
    paymentReference: 'dep_1',
    amountPaid: '0.00',
    totalPayable: '5000.00',
    settlementAmount: '0.00',
    paidOn: null,
    paymentStatus: 'PENDING',
    paymentDescription: 'Top-up',
    currency: 'NGN',
    paymentMethod: null,
    product: { type: 'WEB_SDK', reference: 'dep_1' },
    cardDetails: null,
    accountDetails: null,
    accountPayments: [],
    customer: { email: 'ada@example.com', name: 'Ada Obi' },
    metaData: { depositId: 'dep_1' },
  };

  it('reads string amounts and a null paidOn', () => {
    expect(transactionSchema.parse(pendingAnswer)).toMatchObject({
      paymentStatus: 'PENDING',
      amountPaidKobo: 0,
      totalPayableKobo: 500_000,
      paidAt: null,
      paymentMethod: null,
      paymentSources: [],
      metaData: { depositId: 'dep_1' },
    });
  });

  it('reads who paid from accountPayments, else accountDetails', () => {
    const payment = { accountName: 'ADA OBI', accountNumber: '0123456789', bankCode: '058', amountPaid: '30.00' };
    const expected = [{ accountName: 'ADA OBI', accountNumber: '0123456789', bankCode: '058', sessionId: null, amountPaidKobo: 3_000 }];
    const paid = { ...pendingAnswer, amountPaid: '30.00', totalPayable: '30.00', paymentStatus: 'PAID', paidOn: '2025-01-15 14:30:00.000' };
    expect(transactionSchema.parse({ ...paid, accountPayments: [payment] }).paymentSources).toEqual(expected);
    expect(transactionSchema.parse({ ...paid, accountDetails: payment }).paymentSources).toEqual(expected);
  });
});

describe('reserved account body (providers.md §3.5)', () => {
  const v2 = {
    contractCode: '1234567890',
    accountReference: 'cust-000123',
    accountName: 'Ada Obi',
    currencyCode: 'NGN',
    customerEmail: 'ada@example.com',
    customerName: 'Ada Obi',
    accounts: [
      { bankCode: '035', bankName: 'Wema bank', accountNumber: '5000000017', accountName: 'Ada Obi' },
      { bankCode: '232', bankName: 'Sterling bank', accountNumber: '6000140770', accountName: 'Ada Obi' },
    ],
    collectionChannel: 'RESERVED_ACCOUNT',
    reservationReference: 'ABCDEF123',
    reservedAccountType: 'GENERAL',
    status: 'ACTIVE',
    createdOn: '2025-01-15 11:28:42.0',
  };

  it('reads v2 accounts[]', () => {
    expect(reservedAccountSchema.parse(v2)).toEqual({
      accountReference: 'cust-000123',
      accountName: 'Ada Obi',
      customerEmail: 'ada@example.com',
      customerName: 'Ada Obi',
      reservationReference: 'ABCDEF123',
      status: 'ACTIVE',
      accounts: v2.accounts,
    });
  });

  it('reads the v1 single account into accounts[]', () => {
    const { accounts: _, ...rest } = v2;
    const v1 = { ...rest, accountNumber: '5000000017', bankName: 'Wema bank', bankCode: '035' };
    expect(reservedAccountSchema.parse(v1).accounts).toEqual([{ bankCode: '035', bankName: 'Wema bank', accountNumber: '5000000017', accountName: 'Ada Obi' }]);
  });

  it('refuses an answer without a 10-digit account number', () => {
    expect(reservedAccountSchema.safeParse({ ...v2, accounts: [] }).success).toBe(false);
    expect(reservedAccountSchema.safeParse({ ...v2, accounts: [{ ...v2.accounts[0], accountNumber: '12345' }] }).success).toBe(false);
  });
});
