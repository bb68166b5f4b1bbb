import { z } from 'zod';
import type { Config } from '../config';
import { DEFAULT_PROVIDER_TIMEOUT_MS, type Fetch } from './http';
import { describeExchange, exchange, readEnvelope, type Answer, type MonnifyNoAnswer } from './monnify-transport';
import {
  checkoutSchema,
  koboToNaira,
  reservedAccountSchema,
  tokenSchema,
  transactionSchema,
  type MonnifyCheckout,
  type MonnifyReservedAccount,
  type MonnifyTransaction,
} from './monnify-parse';
import { tokenCaches, type TokenRefresh } from './token-cache';

export { monnifyAmountToKobo, parsePaidOn } from './monnify-parse';
export type { MonnifyBankAccount, MonnifyCheckout, MonnifyPaymentSource, MonnifyPaymentStatus, MonnifyReservedAccount, MonnifyTransaction } from './monnify-parse';
export type { MonnifyNoAnswer } from './monnify-transport';

export const MONNIFY_LIVE_URL = 'https://api.monnify.com';

/** Refresh this long before Monnify says the token expires (it lives about an hour), so it never dies mid-call. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** How long a caller waits on a refresh another request started before logging in itself. */
const TOKEN_WAIT_MS = 15_000;

export interface MonnifyClientOptions {
  baseUrl: string;
  apiKey: string;
  secretKey: string;
  contractCode: string;
  fetch: Fetch;
  /** Clock in epoch milliseconds; tests pin it. */
  now?: () => number;
  /** Per call, including reading the body. Default DEFAULT_PROVIDER_TIMEOUT_MS (15 s). */
  timeoutMs?: number;
}

/** A customer's dedicated account. `bvn` or `nin` (11 digits) is what Monnify's SDKs insist on. @see providers.md §3.5 */
export const reservedAccountRequestSchema = z.object({
  /** Ours, unique per customer: a transfer's event names it in `product.reference`. */
  accountReference: z.string().min(1).max(100),
  accountName: z.string().min(1).max(100),
  customerEmail: z.email(),
  customerName: z.string().min(1).max(100),
  bvn: z.string().regex(/^\d{11}$/).optional(),
  nin: z.string().regex(/^\d{11}$/).optional(),
  /** CBN bank codes (`035` Wema, `232` Sterling, …); without them every available bank is asked for. */
  preferredBanks: z.array(z.string().regex(/^\d{3,6}$/)).min(1).optional(),
});
export type ReservedAccountRequest = z.input<typeof reservedAccountRequestSchema>;

/** A checkout. `amountKobo` is ours; Monnify gets naira. @see providers.md §3.4 */
export const initTransactionRequestSchema = z.object({
  amountKobo: z.int().positive(),
  customerName: z.string().min(1),
  customerEmail: z.email(),
  /** Ours, unique for ever: Monnify refuses a reuse ("Duplicate payment reference"). */
  paymentReference: z.string().min(1).max(100),
  paymentDescription: z.string().min(1),
  redirectUrl: z.url({ protocol: /^https?$/ }),
  paymentMethods: z.array(z.enum(['CARD', 'ACCOUNT_TRANSFER', 'USSD', 'PHONE_NUMBER'])).min(1).optional(),
  metaData: z.record(z.string(), z.string()).optional(),
});
export type InitTransactionRequest = z.input<typeof initTransactionRequestSchema>;

/** The ways a call can end without the answer asked for. */
export type MonnifyFailure =
  /** Monnify answered and refused (`requestSuccessful: false`): nothing was done. */
  | { kind: 'rejected'; httpStatus: number; code: string; message: string }
  /** No token, so never sent (`unavailable`); or sent with no usable answer (`unknown`). Try again later. */
  | MonnifyNoAnswer;

export type ReservedAccountResult = { kind: 'reserved'; account: MonnifyReservedAccount; existing: boolean } | MonnifyFailure;
export type ReservedAccountLookup = { kind: 'found'; account: MonnifyReservedAccount } | { kind: 'not-found'; message: string } | MonnifyFailure;
export type InitTransactionResult = { kind: 'initialised'; checkout: MonnifyCheckout } | MonnifyFailure;
export type VerifyResult = { kind: 'found'; transaction: MonnifyTransaction } | { kind: 'not-found'; message: string } | MonnifyFailure;

export interface MonnifyClient {
  createReservedAccount(request: ReservedAccountRequest): Promise<ReservedAccountResult>;
  getReservedAccount(accountReference: string): Promise<ReservedAccountLookup>;
  ensureReservedAccount(request: ReservedAccountRequest): Promise<ReservedAccountResult>;
  initTransaction(request: InitTransactionRequest): Promise<InitTransactionResult>;
  verifyByTransactionReference(transactionReference: string): Promise<VerifyResult>;
  verifyByPaymentReference(paymentReference: string): Promise<VerifyResult>;
}

/**
 * One token per (base URL, API key) per isolate, shared by every client built from that config, so
 * a client made per request still logs in about once an hour. @see providers.md §3.2
 */
const tokens = tokenCaches();

/** A Monnify collections client: login, reserved accounts, checkout and verify. @see providers.md §3 */
export function createMonnifyClient(options: MonnifyClientOptions): MonnifyClient {
  const { fetch, contractCode, now = Date.now } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;

  function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) {
    return exchange(fetch, baseUrl + path, { method, headers, body }, timeoutMs);
  }

  async function login(): Promise<TokenRefresh> {
    const startedAt = now();
    const answer = readEnvelope(await send('POST', '/api/v1/auth/login', { authorization: `Basic ${btoa(`${options.apiKey}:${options.secretKey}`)}` }));
    if (answer.kind !== 'ok') return { failure: `login: ${describeFailure(answer)}` };
    const token = tokenSchema.safeParse(answer.body);
    if (!token.success) return { failure: 'login: unexpected responseBody' };
    const lifetimeMs = token.data.expiresIn * 1000;
    return { token: token.data.accessToken, refreshAt: startedAt + Math.max(lifetimeMs - TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2) };
  }

  /** The cached token, or one login shared by every concurrent caller. */
  const accessToken = tokens.cache({ key: `${baseUrl}\n${options.apiKey}`, now, refresh: login, waitMs: TOKEN_WAIT_MS });

  /** A Bearer call; a 401 drops the token and tries once more with a fresh one. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const auth = await accessToken.get();
      if ('failure' in auth) return { kind: 'unavailable', reason: auth.failure };
      const exchanged = await send(method, path, { authorization: `Bearer ${auth.token}` }, body);
      if (exchanged.kind !== 'http' || exchanged.status !== 401) return readEnvelope(exchanged);
      accessToken.drop(auth.token);
      if (attempt > 1) return { kind: 'unavailable', reason: `token refused: ${describeExchange(exchanged)}` };
    }
  }

  /** The answer's body parsed with `schema`; anything unexpected is `unknown`, never a refusal. */
  function answerBody<S extends z.ZodType>(answer: Answer, schema: S): { kind: 'ok'; value: z.output<S> } | Exclude<Answer, { kind: 'ok' }> {
    if (answer.kind !== 'ok') return answer;
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) return { kind: 'unknown', reason: `unexpected responseBody: ${parsed.error.issues[0]?.message ?? ''}` };
    return { kind: 'ok', value: parsed.data };
  }

  async function getReservedAccount(accountReference: string): Promise<ReservedAccountLookup> {
    const answer = answerBody(await call('GET', `/api/v2/bank-transfer/reserved-accounts/${encodeURIComponent(accountReference)}`), reservedAccountSchema);
    if (answer.kind === 'ok') return { kind: 'found', account: answer.value };
    return answer.kind === 'refused' && answer.status === 404 ? { kind: 'not-found', message: answer.message } : failure(answer);
  }

  async function createReservedAccount(request: ReservedAccountRequest): Promise<ReservedAccountResult> {
    const input = reservedAccountRequestSchema.parse(request);
    const answer = answerBody(
      await call('POST', '/api/v2/bank-transfer/reserved-accounts', {
        ...input,
        currencyCode: 'NGN',
        contractCode,
        getAllAvailableBanks: !input.preferredBanks,
      }),
      reservedAccountSchema,
    );
    if (answer.kind !== 'ok') return failure(answer);
    if (answer.value.accountReference !== input.accountReference) return { kind: 'unknown', reason: `answer is for account ${answer.value.accountReference}` };
    return { kind: 'reserved', account: answer.value, existing: false };
  }

  async function verify(path: string, expected: Partial<Pick<MonnifyTransaction, 'transactionReference' | 'paymentReference'>>): Promise<VerifyResult> {
    const answer = answerBody(await call('GET', path), transactionSchema);
    if (answer.kind === 'refused') return answer.status === 404 ? { kind: 'not-found', message: answer.message } : failure(answer);
    if (answer.kind !== 'ok') return answer;
    const t = answer.value;
    const mismatch = (Object.keys(expected) as (keyof typeof expected)[]).find((key) => t[key] !== expected[key]);
    if (mismatch) return { kind: 'unknown', reason: `answer is for another transaction (${mismatch} ${t[mismatch]})` };
    return { kind: 'found', transaction: t };
  }

  return {
    /** v2 create. A second create for the same accountReference is refused, so retry with `ensureReservedAccount`. @see providers.md §3.5 */
    createReservedAccount,

    /** v2 get; the v1 single-account shape is read too. A 404 is `not-found`. @see providers.md §3.5 */
    getReservedAccount,

    /**
     * Idempotent create, for a job that retries: when the create is refused or its answer is lost,
     * the account already made under this accountReference (by an earlier attempt) is looked up.
     */
    async ensureReservedAccount(request) {
      const created = await createReservedAccount(request);
      if (created.kind !== 'rejected' && created.kind !== 'unknown') return created;
      const existing = await getReservedAccount(request.accountReference);
      return existing.kind === 'found' ? { kind: 'reserved', account: existing.account, existing: true } : created;
    },

    /** Starts a checkout; only the webhook or a verify says whether it was paid. @see providers.md §3.4 */
    async initTransaction(request) {
      const input = initTransactionRequestSchema.parse(request);
      const answer = answerBody(
        await call('POST', '/api/v1/merchant/transactions/init-transaction', {
          amount: koboToNaira(input.amountKobo),
          customerName: input.customerName,
          customerEmail: input.customerEmail,
          paymentReference: input.paymentReference,
          paymentDescription: input.paymentDescription,
          currencyCode: 'NGN',
          contractCode,
          redirectUrl: input.redirectUrl,
          ...(input.paymentMethods ? { paymentMethods: input.paymentMethods } : {}),
          ...(input.metaData ? { metaData: input.metaData } : {}),
        }),
        checkoutSchema,
      );
      if (answer.kind !== 'ok') return failure(answer);
      if (answer.value.paymentReference !== input.paymentReference) return { kind: 'unknown', reason: `answer is for payment ${answer.value.paymentReference}` };
      return { kind: 'initialised', checkout: answer.value };
    },

    /** By Monnify's reference; the `|` in it must be encoded. @see providers.md §3.6 */
    verifyByTransactionReference: (transactionReference) =>
      verify(`/api/v2/transactions/${encodeURIComponent(transactionReference)}`, { transactionReference }),

    /** By our paymentReference (checkout). @see providers.md §3.6 */
    verifyByPaymentReference: (paymentReference) =>
      verify(`/api/v2/merchant/transactions/query?paymentReference=${encodeURIComponent(paymentReference)}`, { paymentReference }),
  };
}

/**
 * The client for this deployment: MONNIFY_BASE_URL if set, else the simulator when SIMULATORS is on,
 * else Monnify live. Pass `providerFetch(env)` so simulator calls stay in-process.
 */
export function monnifyClientFromConfig(config: Config, fetch: Fetch, overrides: Pick<MonnifyClientOptions, 'now' | 'timeoutMs'> = {}): MonnifyClient {
  const simulator = `${config.APP_URL.replace(/\/+$/, '')}/__sim/monnify`;
  return createMonnifyClient({
    baseUrl: config.MONNIFY_BASE_URL ?? (config.SIMULATORS === 'on' ? simulator : MONNIFY_LIVE_URL),
    apiKey: config.MONNIFY_API_KEY,
    secretKey: config.MONNIFY_SECRET_KEY,
    contractCode: config.MONNIFY_CONTRACT_CODE,
    fetch,
    ...overrides,
  });
}

function failure(answer: Exclude<Answer, { kind: 'ok' }>): MonnifyFailure {
  return answer.kind === 'refused' ? { kind: 'rejected', httpStatus: answer.status, code: answer.code, message: answer.message } : answer;
}

function describeFailure(answer: Exclude<Answer, { kind: 'ok' }>): string {
  return answer.kind === 'refused' ? `HTTP ${answer.status} ${answer.code}: ${answer.message}` : answer.reason;
}
