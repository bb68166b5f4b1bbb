import { describe, expect, it } from 'vitest';
import { describeResultCode, parseStkCallback, stkCallbackSchema } from '../src/providers/mpesa';

/** The documented success body, verbatim: `1.00`, number PhoneNumber/TransactionDate, Balance without Value. */
const SUCCESS = `{
  "Body": {
    "stkCallback": {
      "MerchantRequestID": "29115-34620561-1",
      "CheckoutRequestID": "ws_CO_191220191020363925",
      "ResultCode": 0,
      "ResultDesc": "The service request is processed successfully.",
      "CallbackMetadata": {
        "Item": [
          { "Name": "Amount", "Value": 1.00 },
          { "Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV" },
          { "Name": "Balance" },
          { "Name": "TransactionDate", "Value": 20191219102115 },
          { "Name": "PhoneNumber", "Value": 254708374149 }
        ]
      }
    }
  }
}`;

const CANCELLED = `{ "Body": { "stkCallback": { "MerchantRequestID": "f1e2-4b95-a71d-b30d3cdbb7a7942864", "CheckoutRequestID": "ws_CO_21072024125243250722943992", "ResultCode": 1032, "ResultDesc": "Request cancelled by user" } } }`;

function withItems(items: unknown[]) {
  const body = JSON.parse(SUCCESS);
  body.Body.stkCallback.CallbackMetadata.Item = items;
  return body;
}

describe('STK callback parser (providers.md §1.5)', () => {
  it('parses the documented success shape', () => {
    expect(parseStkCallback(JSON.parse(SUCCESS))).toEqual({
      merchantRequestId: '29115-34620561-1',
      checkoutRequestId: 'ws_CO_191220191020363925',
      resultCode: 0,
      resultDesc: 'The service request is processed successfully.',
      amount: 1,
      receipt: 'NLJ7RT61SV',
      phone: '254708374149',
      transactionDate: '20191219102115',
    });
  });

  it('looks items up by name, not position, and accepts a Balance with a value', () => {
    const reordered = withItems([
      { Name: 'PhoneNumber', Value: 254700000006 },
      { Name: 'Balance', Value: 100 },
      { Name: 'TransactionDate', Value: '20240101120000' },
      { Name: 'Amount', Value: '250.00' },
      { Name: 'MpesaReceiptNumber', Value: 'SGR7ABC123' },
    ]);
    expect(parseStkCallback(reordered)).toMatchObject({ amount: 250, receipt: 'SGR7ABC123', phone: '254700000006', transactionDate: '20240101120000' });
  });

  it('parses a failure without metadata', () => {
    expect(parseStkCallback(JSON.parse(CANCELLED))).toEqual({
      merchantRequestId: 'f1e2-4b95-a71d-b30d3cdbb7a7942864',
      checkoutRequestId: 'ws_CO_21072024125243250722943992',
      resultCode: 1032,
      resultDesc: 'Request cancelled by user',
    });
  });

  it('accepts a ResultCode sent as a string and keeps text codes as text', () => {
    const body = JSON.parse(CANCELLED);
    body.Body.stkCallback.ResultCode = '1037';
    expect(parseStkCallback(body)?.resultCode).toBe(1037);
    body.Body.stkCallback.ResultCode = 'SFC_IC0003';
    expect(parseStkCallback(body)?.resultCode).toBe('SFC_IC0003');
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['no Body', { stkCallback: {} }],
    ['no CheckoutRequestID', { Body: { stkCallback: { MerchantRequestID: 'm', ResultCode: 0, ResultDesc: 'ok' } } }],
    ['ResultCode missing', { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_1', ResultDesc: 'ok' } } }],
    ['ResultCode an object', { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_1', ResultCode: {}, ResultDesc: 'ok' } } }],
    ['Item not a list', withItems({ Name: 'Amount' } as never)],
    ['Amount not a number', withItems([{ Name: 'Amount', Value: 'lots' }])],
    ['Amount negative', withItems([{ Name: 'Amount', Value: -5 }])],
    ['PhoneNumber not digits', withItems([{ Name: 'PhoneNumber', Value: '+254 708' }])],
    ['TransactionDate malformed', withItems([{ Name: 'TransactionDate', Value: 2019 }])],
  ])('rejects a malformed body: %s', (_, body) => {
    expect(parseStkCallback(body)).toBeNull();
    expect(stkCallbackSchema.safeParse(body).success).toBe(false);
  });

  it('describes result codes in plain words for customers (providers.md §1.6)', () => {
    expect(describeResultCode(1032)).toMatch(/cancelled/i);
    expect(describeResultCode(1037)).toMatch(/could not be reached|timed out/i);
    expect(describeResultCode(1)).toMatch(/balance was not enough/i);
    expect(describeResultCode(2001)).toMatch(/PIN .*wrong/i);
    expect(describeResultCode(1019)).toMatch(/expired/i);
    expect(describeResultCode('1032')).toBe(describeResultCode(1032));
    expect(describeResultCode('SFC_IC0003')).toMatch(/refused/i);
    expect(describeResultCode(424242)).toBe('M-Pesa could not complete the payment.');
  });
});
