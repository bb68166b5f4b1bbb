import { z } from 'zod';
import type { Config } from '../config';
import { readBody, type Fetch } from './http';
import { resultCodeSchema, type ResultCode } from './mpesa-callback';
import { tokenCaches, type TokenRefresh } from './token-cache';

export { describeResultCode, parseStkCallback, stkCallbackSchema, type ResultCode, type StkCallback } from './mpesa-callback';

export const MPESA_PRODUCTION_URL = 'https://api.safaricom.co.ke';
export const MPESA_SANDBOX_URL = 'https://sandbox.safaricom.co.ke';

const KENYA_UTC_OFFSET_MS = 3 * 60 * 60 * 1000;
/** Refresh this long before Daraja says the token expires, so a token never dies mid-call. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** How long a caller waits on a refresh another request started before fetching its own token. */
const TOKEN_WAIT_MS = 15_000;
const INVALID_TOKEN = '404.001.03';
const BEING_PROCESSED = '500.001.1001';
/** 5xx error codes that still mean "refused, nothing was sent to the phone". @see providers.md §1.4 */
const REFUSED_5XX = new Set(['500.001.1001', '500.003.02', '500.003.03']);

export interface MpesaClientOptions {
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  passkey: string;
  shortcode: string;
  tillNumber?: string;
  fetch: Fetch;
  /** Clock in epoch milliseconds; tests pin it. */
  now?: () => number;
}

/** What the deposit flow asks for. `amount` is in whole shillings, as Daraja takes it (not cents). */
export const stkPushRequestSchema = z.object({
  amount: z.number().int('M-Pesa takes whole shillings only').min(1).max(250_000),
  phone: z.string().regex(/^254[17]\d{8}$/, 'must be a normalised MSISDN (see lib/phone.ts)'),
  callbackUrl: z.url({ protocol: /^https?$/ }),
  accountReference: z.string().regex(/^[A-Za-z0-9]{1,12}$/, 'must be 1–12 letters or digits'),
  description: z.string().min(1).max(13).default('Payment'),
  variant: z.enum(['paybill', 'till']).default('paybill'),
});
export type StkPushRequest = z.input<typeof stkPushRequestSchema>;

export type StkPushResult =
  /** The prompt is on its way; only the callback or a query says whether it was paid. */
  | { kind: 'accepted'; merchantRequestId: string; checkoutRequestId: string }
  /** Daraja answered and refused: no prompt was sent, nothing will follow. */
  | { kind: 'rejected'; errorCode: string; message: string }
  /** No access token, so the push was never sent: safe to fail the deposit or try again. */
  | { kind: 'unavailable'; reason: string }
  /** Sent, but the answer was lost or unreadable: a prompt may be on the phone. Treat as pending, never as failed. */
  | { kind: 'unknown'; reason: string };

export type StkQueryResult =
  | { kind: 'pending' }
  /** Final: only resultCode 0 is paid. */
  | { kind: 'completed'; resultCode: ResultCode; resultDesc: string }
  /** No usable answer this time; ask again later. */
  | { kind: 'unknown'; reason: string };

export interface MpesaClient {
  stkPush(request: StkPushRequest): Promise<StkPushResult>;
  stkQuery(checkoutRequestId: string): Promise<StkQueryResult>;
}

/** `YYYYMMDDHHmmss` in Kenya time (EAT, UTC+3, no daylight saving). @see providers.md §1.3 (Timestamp) */
export function darajaTimestamp(epochMs: number): string {
  return new Date(epochMs + KENYA_UTC_OFFSET_MS).toISOString().slice(0, 19).replace(/\D/g, '');
}

/** base64 of the plain concatenation shortcode + passkey + timestamp. @see providers.md §1.3 (Password) */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return btoa(shortcode + passkey + timestamp);
}

const numeric = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const responseCode = z.union([z.string(), z.number()]).transform(String);

/** @see providers.md §1.2: `expires_in` arrives as "3599" or 3599. */
const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: numeric });
/** @see providers.md §1.4: errors use a different, camelCase envelope. */
const errorEnvelope = z.object({ requestId: z.string().optional(), errorCode: z.string().min(1), errorMessage: z.string() });
const pushAnswer = z.object({
  MerchantRequestID: z.string().min(1),
  CheckoutRequestID: z.string().min(1),
  ResponseCode: responseCode,
  ResponseDescription: z.string(),
});
/** @see providers.md §1.7: ResultCode is a string here, a number in the callback. */
const queryAnswer = z.object({ ResponseCode: responseCode, ResultCode: resultCodeSchema, ResultDesc: z.string() });

type Answer = { kind: 'http'; status: number; body: unknown; text: string } | { kind: 'failed'; stage: 'token' | 'request'; reason: string };

/**
 * One access token per (base URL, consumer key) per isolate, shared by every client built with that
 * config; Daraja may invalidate the previous token when a new one is issued (providers.md §1.2).
 */
const tokens = tokenCaches();

/** A Daraja client for STK push ("M-Pesa Express") and STK query. @see providers.md §1 */
export function createMpesaClient(options: MpesaClientOptions): MpesaClient {
  const { fetch, shortcode, passkey, now = Date.now } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function requestToken(): Promise<TokenRefresh> {
    const startedAt = now();
    const answer = await send(fetch, `${baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: `Basic ${btoa(`${options.consumerKey}:${options.consumerSecret}`)}` },
    });
    if (answer.kind === 'failed') return { failure: answer.reason };
    const parsed = tokenAnswer.safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success) return { failure: `token: ${describeAnswer(answer)}` };
    const { access_token: token, expires_in: expiresIn } = parsed.data;
    return { token, refreshAt: startedAt + expiresIn * 1000 - TOKEN_REFRESH_MARGIN_MS };
  }

  /** Cached token, or one refresh shared by every concurrent caller. */
  const accessToken = tokens.cache({ key: `${baseUrl}\n${options.consumerKey}`, now, refresh: requestToken, waitMs: TOKEN_WAIT_MS });

  /** POST with the bearer token; an "Invalid Access Token" answer drops the token and retries once. */
  async function post(path: string, body: Record<string, unknown>): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const auth = await accessToken.get();
      if ('failure' in auth) return { kind: 'failed', stage: 'token', reason: auth.failure };
      const answer = await send(fetch, baseUrl + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (attempt > 1 || errorCodeOf(answer) !== INVALID_TOKEN) return answer;
      accessToken.drop(auth.token);
    }
  }

  function credentials() {
    const timestamp = darajaTimestamp(now());
    return { BusinessShortCode: shortcode, Password: stkPassword(shortcode, passkey, timestamp), Timestamp: timestamp };
  }

  return {
    /**
     * Sends the PIN prompt. Acceptance is not payment. A 5xx is "unknown" unless its error code says
     * the request was refused outright (bad credentials, subscriber locked, spike arrest, quota).
     * @see providers.md §1.3–1.4
     */
    async stkPush(request) {
      const input = stkPushRequestSchema.parse(request);
      const partyB = input.variant === 'till' ? options.tillNumber : shortcode;
      if (!partyB) throw new Error('M-Pesa till number is not configured');
      const answer = await post('/mpesa/stkpush/v1/processrequest', {
        ...credentials(),
        TransactionType: input.variant === 'till' ? 'CustomerBuyGoodsOnline' : 'CustomerPayBillOnline',
        Amount: input.amount,
        PartyA: input.phone,
        PartyB: partyB,
        PhoneNumber: input.phone,
        CallBackURL: input.callbackUrl,
        AccountReference: input.accountReference,
        TransactionDesc: input.description,
      });
      if (answer.kind === 'failed') return { kind: answer.stage === 'token' ? 'unavailable' : 'unknown', reason: answer.reason };
      const accepted = pushAnswer.safeParse(answer.body);
      if (answer.status === 200 && accepted.success) {
        const { ResponseCode, ResponseDescription, MerchantRequestID, CheckoutRequestID } = accepted.data;
        if (ResponseCode !== '0') return { kind: 'rejected', errorCode: ResponseCode, message: ResponseDescription };
        return { kind: 'accepted', merchantRequestId: MerchantRequestID, checkoutRequestId: CheckoutRequestID };
      }
      const error = errorEnvelope.safeParse(answer.body);
      if (error.success && (answer.status < 500 || REFUSED_5XX.has(error.data.errorCode))) {
        return { kind: 'rejected', errorCode: error.data.errorCode, message: error.data.errorMessage };
      }
      return { kind: 'unknown', reason: describeAnswer(answer) };
    },

    /** Asks where a push stands; "being processed" comes back as a 500 error envelope. @see providers.md §1.7 */
    async stkQuery(checkoutRequestId) {
      const answer = await post('/mpesa/stkpushquery/v1/query', { ...credentials(), CheckoutRequestID: checkoutRequestId });
      if (answer.kind === 'failed') return { kind: 'unknown', reason: answer.reason };
      const completed = queryAnswer.safeParse(answer.body);
      if (answer.status === 200 && completed.success && completed.data.ResponseCode === '0') {
        return { kind: 'completed', resultCode: completed.data.ResultCode, resultDesc: completed.data.ResultDesc };
      }
      const error = errorEnvelope.safeParse(answer.body);
      if (error.success && error.data.errorCode === BEING_PROCESSED && /being processed/i.test(error.data.errorMessage)) {
        return { kind: 'pending' };
      }
      return { kind: 'unknown', reason: describeAnswer(answer) };
    },
  };
}

/**
 * The client for this deployment: MPESA_BASE_URL if set, else the simulator when SIMULATORS is on,
 * else Safaricom production (or the sandbox outside production).
 */
export function mpesaClientFromConfig(config: Config, fetch: Fetch): MpesaClient {
  const simulator = `${config.APP_URL.replace(/\/+$/, '')}/__sim/mpesa`;
  const fallback = config.SIMULATORS === 'on' ? simulator : config.isProduction ? MPESA_PRODUCTION_URL : MPESA_SANDBOX_URL;
  return createMpesaClient({
    baseUrl: config.MPESA_BASE_URL ?? fallback,
    consumerKey: config.MPESA_CONSUMER_KEY,
    consumerSecret: config.MPESA_CONSUMER_SECRET,
    passkey: config.MPESA_PASSKEY,
    shortcode: config.MPESA_SHORTCODE,
    tillNumber: config.MPESA_TILL_NUMBER,
    fetch,
  });
}

async function send(fetch: Fetch, url: string, init: RequestInit): Promise<Answer> {
  try {
    const response = await fetch(url, init);
    return { kind: 'http', ...(await readBody(response)) };
  } catch (error) {
    return { kind: 'failed', stage: 'request', reason: `network: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }
}

function errorCodeOf(answer: Answer): string | undefined {
  if (answer.kind !== 'http') return undefined;
  const error = errorEnvelope.safeParse(answer.body);
  return error.success ? error.data.errorCode : undefined;
}

function describeAnswer(answer: Answer): string {
  if (answer.kind === 'failed') return answer.reason;
  return `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`;
}
