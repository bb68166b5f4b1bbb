import { nairaToKobo, transactionAnswerSchema, type TransactionAnswer } from './vtpass-parse';

/**
 * delivered: final success. failed: final, nothing delivered (or delivered then reversed).
 * pending: unknown — keep the money held and requery; never refund on it.
 */
export type VtpassOutcome = 'delivered' | 'failed' | 'pending';

/** Why an answer was classified the way it was, in words a purchase row or a log can keep. */
export type VtpassReason =
  | 'delivered'
  // pending
  | 'initiated'
  | 'pending'
  | 'processing'
  | 'resolved'
  | 'request-id-exists'
  | 'not-found'
  | 'system-error'
  | 'busy'
  | 'contradictory'
  | 'unrecognised'
  | 'timeout'
  | 'network-error'
  | 'unparseable'
  | 'request-id-mismatch'
  // failed
  | 'transaction-failed'
  | 'reversed'
  | 'not-processed'
  | 'variation-not-found'
  | 'invalid-arguments'
  | 'product-not-found'
  | 'below-minimum-amount'
  | 'above-maximum-amount'
  | 'low-wallet-balance'
  | 'likely-duplicate'
  | 'verification-code'
  | 'account-locked'
  | 'account-suspended'
  | 'api-access-disabled'
  | 'account-inactive'
  | 'recipient-bank-invalid'
  | 'account-not-verifiable'
  | 'ip-not-whitelisted'
  | 'product-not-whitelisted'
  | 'biller-unreachable'
  | 'below-minimum-quantity'
  | 'above-maximum-quantity'
  | 'service-suspended'
  | 'service-inactive'
  | 'improper-request-id'
  | 'invalid-credentials';

export interface VtpassClassification {
  outcome: VtpassOutcome;
  reason: VtpassReason;
  /** The VTpass `code`, three digits (`"000"`), or null when there was none. */
  code: string | null;
  /** `content.transactions.status`, lower-cased. */
  status: string | null;
  description: string | null;
  requestId: string | null;
  /** VTpass's own id for the transaction (`content.transactions.transactionId`). */
  transactionId: string | null;
  amountKobo: number | null;
  /** Electricity: the token digits only (no label, no spaces), when VTpass sent one. */
  token: string | null;
  units: string | null;
  /** `purchased_code` as sent (`"Token : …"`, may include a bonus token); null when empty. */
  purchasedCode: string | null;
}

type Verdict = { outcome: VtpassOutcome; reason: VtpassReason };

/** Codes whose meaning is in `content.transactions.status`. @see providers.md §2.6 */
const STATUS_CODES = new Set(['000', '001']);

/** Every other documented code. @see providers.md §2.6 */
const CODE_VERDICTS: Record<string, Verdict> = {
  '099': { outcome: 'pending', reason: 'processing' },
  '044': { outcome: 'pending', reason: 'resolved' },
  '014': { outcome: 'pending', reason: 'request-id-exists' },
  '015': { outcome: 'pending', reason: 'not-found' },
  '083': { outcome: 'pending', reason: 'system-error' },
  '089': { outcome: 'pending', reason: 'busy' },
  '091': { outcome: 'failed', reason: 'not-processed' },
  '016': { outcome: 'failed', reason: 'transaction-failed' },
  '040': { outcome: 'failed', reason: 'reversed' },
  '010': { outcome: 'failed', reason: 'variation-not-found' },
  '011': { outcome: 'failed', reason: 'invalid-arguments' },
  '012': { outcome: 'failed', reason: 'product-not-found' },
  '013': { outcome: 'failed', reason: 'below-minimum-amount' },
  '017': { outcome: 'failed', reason: 'above-maximum-amount' },
  '018': { outcome: 'failed', reason: 'low-wallet-balance' },
  '019': { outcome: 'failed', reason: 'likely-duplicate' },
  '020': { outcome: 'failed', reason: 'verification-code' },
  '021': { outcome: 'failed', reason: 'account-locked' },
  '022': { outcome: 'failed', reason: 'account-suspended' },
  '023': { outcome: 'failed', reason: 'api-access-disabled' },
  '024': { outcome: 'failed', reason: 'account-inactive' },
  '025': { outcome: 'failed', reason: 'recipient-bank-invalid' },
  '026': { outcome: 'failed', reason: 'account-not-verifiable' },
  '027': { outcome: 'failed', reason: 'ip-not-whitelisted' },
  '028': { outcome: 'failed', reason: 'product-not-whitelisted' },
  '030': { outcome: 'failed', reason: 'biller-unreachable' },
  '031': { outcome: 'failed', reason: 'below-minimum-quantity' },
  '032': { outcome: 'failed', reason: 'above-maximum-quantity' },
  '034': { outcome: 'failed', reason: 'service-suspended' },
  '035': { outcome: 'failed', reason: 'service-inactive' },
  '085': { outcome: 'failed', reason: 'improper-request-id' },
  '087': { outcome: 'failed', reason: 'invalid-credentials' },
};

/** `content.transactions.status` under code 000/001. @see providers.md §2.7 */
const STATUS_VERDICTS = new Map<string, Verdict>([
  ['delivered', { outcome: 'delivered', reason: 'delivered' }],
  ['initiated', { outcome: 'pending', reason: 'initiated' }],
  ['pending', { outcome: 'pending', reason: 'pending' }],
  ['resolved', { outcome: 'pending', reason: 'resolved' }],
  ['reversed', { outcome: 'failed', reason: 'reversed' }],
  ['failed', { outcome: 'failed', reason: 'transaction-failed' }],
]);

const UNRECOGNISED: Verdict = { outcome: 'pending', reason: 'unrecognised' };

/**
 * Classifies a `pay` or `requery` answer (or a webhook's `data`) as delivered, failed (final) or
 * pending (unknown). Reads the code first and, for 000/001, the exact transaction status; the
 * description is never read, so "TRANSACTION UNSUCCESSFUL" cannot pass for success. Anything
 * not in the documented tables is pending: the caller requeries, it never refunds on a guess.
 * `request-id-exists` (014) means: requery the original request id. `not-found` (015) means VTpass
 * has no such request (yet); only the caller knows when that has lasted long enough to be final.
 * @see providers.md §2.6–2.7
 */
export function classifyTransaction(answer: unknown): VtpassClassification {
  const parsed = transactionAnswerSchema.safeParse(answer);
  if (!parsed.success) return { ...emptyClassification(), ...UNRECOGNISED };
  const fields = readFields(parsed.data);
  return { ...fields, ...verdictFor(fields.code, fields.status) };
}

/** The classification of an exchange that produced no readable answer (timeout, network, garbage). */
export function unansweredClassification(reason: 'timeout' | 'network-error' | 'unparseable'): VtpassClassification {
  return { ...emptyClassification(), outcome: 'pending', reason };
}

function verdictFor(code: string | null, status: string | null): Verdict {
  if (code === null) return UNRECOGNISED;
  if (STATUS_CODES.has(code)) return (status !== null && STATUS_VERDICTS.get(status)) || UNRECOGNISED;
  const verdict = CODE_VERDICTS[code];
  if (!verdict) return UNRECOGNISED;
  if (verdict.outcome === 'failed' && status === 'delivered') return { outcome: 'pending', reason: 'contradictory' };
  return verdict;
}

/** `"000"`, `" 000 "`, `0` and `"0"` all mean 000; anything that is not 1–3 digits is no code. */
function normaliseCode(code: string | null | undefined): string | null {
  if (!code || !/^\d{1,3}$/.test(code)) return null;
  return code.padStart(3, '0');
}

function readFields(answer: TransactionAnswer): Omit<VtpassClassification, 'outcome' | 'reason'> {
  const transaction = answer.content?.transactions ?? null;
  const extras = transaction?.extras;
  const tokenSources = [answer.purchased_code, answer.token, answer.mainToken, answer.Token, typeof extras === 'string' ? extras : null];
  return {
    code: normaliseCode(answer.code),
    status: transaction?.status ? transaction.status.toLowerCase() : null,
    description: answer.response_description || null,
    requestId: answer.requestId || null,
    transactionId: transaction?.transactionId || null,
    amountKobo: nairaToKobo(answer.amount) ?? nairaToKobo(transaction?.amount),
    token: tokenSources.map(tokenDigits).find((token) => token !== null) ?? null,
    units: answer.units || answer.Units || answer.mainTokenUnits || null,
    purchasedCode: answer.purchased_code || null,
  };
}

/**
 * The first token in `"Token : 2636 2054 …"`, `"Main Token: …"` or a bare digit string, digits
 * only. Discos label it differently; `purchased_code` is the common field. @see providers.md §2.5
 */
function tokenDigits(value: string | null | undefined): string | null {
  if (!value) return null;
  const labelled = /token\s*:?\s*(\d[\d -]{8,}\d)/i.exec(value);
  const written = labelled?.[1] ?? (/^\d[\d -]{8,}\d$/.test(value) ? value : null);
  return written ? written.replace(/\D/g, '') : null;
}

function emptyClassification(): VtpassClassification {
  return {
    outcome: 'pending',
    reason: 'unrecognised',
    code: null,
    status: null,
    description: null,
    requestId: null,
    transactionId: null,
    amountKobo: null,
    token: null,
    units: null,
    purchasedCode: null,
  };
}
