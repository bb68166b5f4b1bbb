import { describe, expect, it } from 'vitest';
import { classifyTransaction, type VtpassOutcome, type VtpassReason } from '../src/providers/vtpass';

/** A pay/requery answer in the documented shape (providers.md §2.5). */
function answer(code: unknown, status?: unknown, extra: Record<string, unknown> = {}) {
  return {
    code,
    content: status === undefined ? {} : { transactions: { status, transactionId: '17416102247366731230557150', amount: '2000' } },
    response_description: 'WHATEVER VTPASS SAYS',
    requestId: '202501151430a8f3k2',
    amount: 2000,
    ...extra,
  };
}

type Row = [code: string, outcome: VtpassOutcome, reason: VtpassReason];

/** providers.md §2.6, one row per documented code (000/001 are read through §2.7 below). */
const CODE_TABLE: Row[] = [
  ['099', 'pending', 'processing'],
  ['044', 'pending', 'resolved'],
  ['091', 'failed', 'not-processed'],
  ['016', 'failed', 'transaction-failed'],
  ['040', 'failed', 'reversed'],
  ['010', 'failed', 'variation-not-found'],
  ['011', 'failed', 'invalid-arguments'],
  ['012', 'failed', 'product-not-found'],
  ['013', 'failed', 'below-minimum-amount'],
  ['017', 'failed', 'above-maximum-amount'],
  ['014', 'pending', 'request-id-exists'],
  ['015', 'pending', 'not-found'],
  ['018', 'failed', 'low-wallet-balance'],
  ['019', 'failed', 'likely-duplicate'],
  ['020', 'failed', 'verification-code'],
  ['021', 'failed', 'account-locked'],
  ['022', 'failed', 'account-suspended'],
  ['023', 'failed', 'api-access-disabled'],
  ['024', 'failed', 'account-inactive'],
  ['025', 'failed', 'recipient-bank-invalid'],
  ['026', 'failed', 'account-not-verifiable'],
  ['027', 'failed', 'ip-not-whitelisted'],
  ['028', 'failed', 'product-not-whitelisted'],
  ['030', 'failed', 'biller-unreachable'],
  ['031', 'failed', 'below-minimum-quantity'],
  ['032', 'failed', 'above-maximum-quantity'],
  ['034', 'failed', 'service-suspended'],
  ['035', 'failed', 'service-inactive'],
  ['083', 'pending', 'system-error'],
  ['085', 'failed', 'improper-request-id'],
  ['087', 'failed', 'invalid-credentials'],
  ['089', 'pending', 'busy'],
];

/** providers.md §2.7, under code 000 and 001. */
const STATUS_TABLE: [status: string, outcome: VtpassOutcome, reason: VtpassReason][] = [
  ['delivered', 'delivered', 'delivered'],
  ['initiated', 'pending', 'initiated'],
  ['pending', 'pending', 'pending'],
  ['reversed', 'failed', 'reversed'],
  ['resolved', 'pending', 'resolved'],
  ['failed', 'failed', 'transaction-failed'],
];

describe('classifyTransaction: response codes (providers.md §2.6)', () => {
  it.each(CODE_TABLE)('code %s → %s (%s)', (code, outcome, reason) => {
    const result = classifyTransaction({ code, response_description: 'X' });
    expect(result).toMatchObject({ outcome, reason, code });
  });

  it('gives every code in the table a verdict other than "unrecognised"', () => {
    for (const [code] of CODE_TABLE) expect(classifyTransaction({ code }).reason).not.toBe('unrecognised');
  });
});

describe('classifyTransaction: transaction status under 000 and 001 (providers.md §2.7)', () => {
  for (const code of ['000', '001']) {
    it.each(STATUS_TABLE)(`code ${code} + status %s → %s (%s)`, (status, outcome, reason) => {
      expect(classifyTransaction(answer(code, status))).toMatchObject({ outcome, reason, code, status });
    });
  }

  it('does not treat 000 as success by itself', () => {
    expect(classifyTransaction({ code: '000', response_description: 'TRANSACTION SUCCESSFUL' })).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
    expect(classifyTransaction(answer('000', null))).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
    expect(classifyTransaction({ code: '000', content: { transactions: null } }).outcome).toBe('pending');
  });

  it('never reads the description: "UNSUCCESSFUL" is not success, "SUCCESSFUL" does not beat a failed status', () => {
    expect(classifyTransaction({ ...answer('000', 'pending'), response_description: 'TRANSACTION SUCCESSFUL' }).outcome).toBe('pending');
    expect(classifyTransaction({ ...answer('000', 'failed'), response_description: 'TRANSACTION SUCCESSFUL' }).outcome).toBe('failed');
    expect(classifyTransaction({ ...answer('000', 'delivered'), response_description: 'TRANSACTION UNSUCCESSFUL' }).outcome).toBe('delivered');
    expect(classifyTransaction(answer('000', 'unsuccessful'))).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
    expect(classifyTransaction(answer('000', 'successful'))).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
    expect(classifyTransaction(answer('000', 'not delivered'))).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
    expect(classifyTransaction(answer('000', 'delivered-pending'))).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
  });

  it('reads the status case- and space-insensitively, but exactly', () => {
    expect(classifyTransaction(answer('000', ' Delivered '))).toMatchObject({ outcome: 'delivered', status: 'delivered' });
    expect(classifyTransaction(answer('000', 'REVERSED')).outcome).toBe('failed');
  });
});

describe('classifyTransaction: odd inputs are pending, never failed', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'TRANSACTION SUCCESSFUL'],
    ['a number', 0],
    ['an array', [{ code: '000' }]],
    ['an empty object', {}],
    ['an HTML error page as text', '<html>502 Bad Gateway</html>'],
    ['an unknown code', { code: '999', content: { transactions: { status: 'failed' } } }],
    ['a code that is not digits', { code: 'success' }],
    ['a code that is an object', { code: { value: '000' }, content: { transactions: { status: 'delivered' } } }],
    ['a status without a code', { content: { transactions: { status: 'delivered' } } }],
    ['a status that is an object', answer('000', { value: 'delivered' })],
    ['a status named like an Object method', answer('000', 'constructor')],
    ['a status named __proto__', answer('000', '__proto__')],
    ['a four-digit code', { code: '0000', content: { transactions: { status: 'delivered' } } }],
  ])('%s', (_name, input) => {
    expect(classifyTransaction(input)).toMatchObject({ outcome: 'pending', reason: 'unrecognised' });
  });

  it('reads numeric and padded codes as the three-digit code', () => {
    expect(classifyTransaction(answer(0, 'delivered'))).toMatchObject({ outcome: 'delivered', code: '000' });
    expect(classifyTransaction(answer(' 000 ', 'delivered')).outcome).toBe('delivered');
    expect(classifyTransaction({ code: 16 })).toMatchObject({ outcome: 'failed', code: '016' });
    expect(classifyTransaction({ code: 99 })).toMatchObject({ outcome: 'pending', code: '099' });
  });

  it('holds a failure code that claims a delivered transaction as pending (contradictory)', () => {
    expect(classifyTransaction(answer('016', 'delivered'))).toMatchObject({ outcome: 'pending', reason: 'contradictory' });
    expect(classifyTransaction(answer('040', 'reversed'))).toMatchObject({ outcome: 'failed', reason: 'reversed' });
    expect(classifyTransaction(answer('016', 'failed'))).toMatchObject({ outcome: 'failed', reason: 'transaction-failed' });
  });

  it('survives wrongly typed side fields', () => {
    const weird = { ...answer('000', 'delivered'), amount: { naira: 2000 }, requestId: ['x'], purchased_code: 42, content: { transactions: { status: 'delivered', transactionId: 17416102247366 } } };
    expect(classifyTransaction(weird)).toMatchObject({ outcome: 'delivered', amountKobo: null, requestId: null, transactionId: '17416102247366' });
  });
});

describe('classifyTransaction: what it extracts', () => {
  it('takes the transaction id, request id and amount (naira → kobo, string or number)', () => {
    const result = classifyTransaction(answer('000', 'delivered', { amount: '1,500.50' }));
    expect(result).toMatchObject({ transactionId: '17416102247366731230557150', requestId: '202501151430a8f3k2', amountKobo: 150050 });
    expect(classifyTransaction({ code: '000', content: { transactions: { status: 'delivered', amount: 100 } } }).amountKobo).toBe(10000);
  });

  it('reads the IKEDC electricity answer of providers.md §2.5', () => {
    const ikedc = answer('000', 'delivered', { purchased_code: 'Token : 26362054405982757802', token: 'Token : 26362054405982757802', units: '79.9 kWh' });
    expect(classifyTransaction(ikedc)).toMatchObject({
      outcome: 'delivered',
      token: '26362054405982757802',
      units: '79.9 kWh',
      purchasedCode: 'Token : 26362054405982757802',
    });
  });

  it('reads EKEDC-style mainToken, capitalised Token/Units, bonus tokens and requery extras', () => {
    expect(classifyTransaction(answer('000', 'delivered', { purchased_code: '', mainToken: '1234-5678-9012-3456-7890', mainTokenUnits: 45.2 }))).toMatchObject({
      token: '12345678901234567890',
      units: '45.2',
      purchasedCode: null,
    });
    expect(classifyTransaction(answer('000', 'delivered', { Token: '11112222333344445555', Units: '12.5' }))).toMatchObject({ token: '11112222333344445555', units: '12.5' });
    expect(classifyTransaction(answer('000', 'delivered', { purchased_code: 'Token : 1111 2222 3333 4444 5555 Bonus Token : 9999888877776666' })).token).toBe(
      '11112222333344445555',
    );
    const requery = { code: '000', content: { transactions: { status: 'delivered', extras: 'Token : 55556666777788889999' } } };
    expect(classifyTransaction(requery).token).toBe('55556666777788889999');
  });

  it('has no token for postpaid (empty purchased_code) or airtime', () => {
    expect(classifyTransaction(answer('000', 'delivered', { purchased_code: '' }))).toMatchObject({ token: null, purchasedCode: null, units: null });
  });

  it('reads the transaction-update webhook data of providers.md §2.8', () => {
    const data = {
      code: '000',
      content: { transactions: { status: 'reversed', transactionId: '1583519914158857111079', product_name: 'MTN Airtime VTU', unique_element: '08011111111', amount: 100 } },
      response_description: 'TRANSACTION REVERSED',
      requestId: '202501151430a8f3k2',
      amount: 100,
      transaction_date: '2025-01-15T13:35:00.000000Z',
      purchased_code: '',
    };
    expect(classifyTransaction(data)).toMatchObject({ outcome: 'failed', reason: 'reversed', transactionId: '1583519914158857111079', amountKobo: 10000 });
  });
});
