import type { Config } from '../config';
import { randomBytes } from '../lib/crypto';
import { log } from '../lib/log';
import { DEFAULT_PROVIDER_TIMEOUT_MS, type Fetch } from './http';
import { classifyTransaction, unansweredClassification, type VtpassClassification } from './vtpass-classify';
import {
  describeAnswer,
  readBalance,
  readServices,
  readVariations,
  readVerification,
  type VtpassService,
  type VtpassVariations,
  type VtpassVerification,
} from './vtpass-parse';

export { classifyTransaction, type VtpassClassification, type VtpassOutcome, type VtpassReason } from './vtpass-classify';
export type { VtpassService, VtpassVariation, VtpassVariations, VtpassVerification } from './vtpass-parse';

/** API keys (current) or the legacy account login. @see providers.md §2.2 */
export type VtpassAuth =
  | { kind: 'api-key'; apiKey: string; publicKey: string; secretKey: string }
  | { kind: 'basic'; email: string; password: string };

export interface VtpassClientOptions {
  /** Ends in `/api/`, e.g. `https://api-service.vtpass.com/api/`. */
  baseUrl: string;
  auth: VtpassAuth;
  fetch: Fetch;
  now?: () => number;
  /** Per call, including reading the body. Default DEFAULT_PROVIDER_TIMEOUT_MS (15 s). */
  timeoutMs?: number;
}

/** What to buy. Amounts are kobo; the client sends naira. @see providers.md §2.4 */
export type VtpassPurchase = { requestId: string; serviceId: string } & (
  | { kind: 'airtime'; phone: string; amountKobo: number }
  | { kind: 'data'; recipient: string; variationCode: string; phone: string }
  | { kind: 'electricity'; meterNumber: string; meterType: 'prepaid' | 'postpaid'; amountKobo: number; phone: string }
  | { kind: 'tv-change'; smartcardNumber: string; variationCode: string; phone: string; amountKobo?: number; months?: number }
  | { kind: 'tv-renew'; smartcardNumber: string; amountKobo: number; phone: string }
);

/** A classified answer plus what came back, for the purchase's audit trail. */
export type VtpassResult = VtpassClassification & { raw: unknown };

/** A read-only call (catalogue, verify, balance) that got no usable answer; safe to try again. */
export class VtpassError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network-error' | 'unparseable' | 'rejected',
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'VtpassError';
  }
}

export type VtpassClient = ReturnType<typeof createVtpassClient>;

const LAGOS_OFFSET_MS = 60 * 60 * 1000;
const SUFFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const RAW_LIMIT = 4_000;

/**
 * A request id: `YYYYMMDDHHmm` in Africa/Lagos (UTC+1 all year, no DST) then a random suffix.
 * VTpass refuses (085) ids not dated today in Lagos. @see providers.md §2.3
 */
export function newRequestId(now: number = Date.now()): string {
  const lagos = new Date(now + LAGOS_OFFSET_MS).toISOString();
  const prefix = lagos.slice(0, 16).replace(/\D/g, '');
  const suffix = [...randomBytes(10)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
  return prefix + suffix;
}

/** The `pay` body for each product. @see providers.md §2.4 */
function payBody(purchase: VtpassPurchase): Record<string, unknown> {
  const base = { request_id: purchase.requestId, serviceID: purchase.serviceId };
  switch (purchase.kind) {
    case 'airtime':
      return { ...base, amount: toNaira(purchase.amountKobo), phone: purchase.phone };
    case 'data':
      return { ...base, billersCode: purchase.recipient, variation_code: purchase.variationCode, phone: purchase.phone };
    case 'electricity':
      return { ...base, billersCode: purchase.meterNumber, variation_code: purchase.meterType, amount: toNaira(purchase.amountKobo), phone: purchase.phone };
    case 'tv-change':
      return {
        ...base,
        billersCode: purchase.smartcardNumber,
        variation_code: purchase.variationCode,
        phone: purchase.phone,
        subscription_type: 'change',
        ...(purchase.amountKobo === undefined ? {} : { amount: toNaira(purchase.amountKobo) }),
        ...(purchase.months === undefined ? {} : { quantity: purchase.months }),
      };
    case 'tv-renew':
      return { ...base, billersCode: purchase.smartcardNumber, amount: toNaira(purchase.amountKobo), phone: purchase.phone, subscription_type: 'renew' };
  }
}

function toNaira(kobo: number): number {
  return kobo / 100;
}

type Exchange =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'timeout' | 'network-error'; message: string }
  | { kind: 'unparseable'; status: number; text: string };

/**
 * The VTpass API. `pay` is sent once and never retried: a second attempt is a `requery` of the
 * same request id. `pay` and `requery` never throw for transport trouble; a timeout, network
 * error or unreadable answer comes back as `pending`. The catalogue, verify and balance calls
 * throw `VtpassError` instead, since they move no money.
 */
export function createVtpassClient(options: VtpassClientOptions) {
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;

  function headers(method: 'GET' | 'POST'): Record<string, string> {
    const auth = options.auth;
    const common: Record<string, string> = { accept: 'application/json' };
    if (method === 'POST') common['content-type'] = 'application/json';
    if (auth.kind === 'basic') return { ...common, authorization: `Basic ${btoa(`${auth.email}:${auth.password}`)}` };
    return method === 'GET'
      ? { ...common, 'api-key': auth.apiKey, 'public-key': auth.publicKey }
      : { ...common, 'api-key': auth.apiKey, 'secret-key': auth.secretKey };
  }

  async function exchange(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Exchange> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const deadline = new Promise<Exchange>((resolve) => {
      controller.signal.addEventListener('abort', () => resolve({ kind: 'timeout', message: `no answer within ${timeoutMs} ms` }));
    });
    const call = (async (): Promise<Exchange> => {
      const response = await options.fetch(new URL(path, baseUrl).toString(), {
        method,
        headers: headers(method),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      const text = await response.text();
      try {
        return { kind: 'answer', status: response.status, body: JSON.parse(text) };
      } catch {
        return { kind: 'unparseable', status: response.status, text: text.slice(0, RAW_LIMIT) };
      }
    })().catch((error: unknown): Exchange => ({ kind: 'network-error', message: error instanceof Error ? error.message : String(error) }));
    try {
      const result = await Promise.race([call, deadline]);
      if (result.kind !== 'answer') log('warn', 'vtpass: no usable answer', { path, result: result.kind, status: 'status' in result ? result.status : undefined });
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  async function transaction(path: string, requestId: string, body: unknown): Promise<VtpassResult> {
    const result = await exchange('POST', path, body);
    if (result.kind === 'answer') {
      const classification = classifyTransaction(result.body);
      if (classification.requestId && classification.requestId !== requestId) {
        return { ...classification, outcome: 'pending', reason: 'request-id-mismatch', raw: result.body };
      }
      return { ...classification, requestId, raw: result.body };
    }
    const raw = result.kind === 'unparseable' ? result.text : null;
    return { ...unansweredClassification(result.kind), requestId, raw };
  }

  /** For the read-only calls: the JSON answer, or a VtpassError. */
  async function read(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const result = await exchange(method, path, body);
    if (result.kind === 'answer') return result.body;
    throw new VtpassError(result.kind, `VTpass ${path}: ${result.kind === 'unparseable' ? `unreadable answer (HTTP ${result.status})` : result.message}`);
  }

  return {
    /** A fresh request id dated by this client's clock. */
    newRequestId: () => newRequestId(now()),

    /** Buys once. Store `purchase.requestId` before calling: it is the only key for requery. */
    pay: (purchase: VtpassPurchase) => transaction('pay', purchase.requestId, payBody(purchase)),

    /** Where a `pay` stands now. @see providers.md §2.4, §2.6 */
    requery: (requestId: string) => transaction('requery', requestId, { request_id: requestId }),

    /** Meter or smartcard owner before paying; `type` is prepaid/postpaid for electricity. */
    async merchantVerify(input: { serviceId: string; billersCode: string; type?: 'prepaid' | 'postpaid' }): Promise<VtpassVerification> {
      const body = await read('POST', 'merchant-verify', { serviceID: input.serviceId, billersCode: input.billersCode, ...(input.type ? { type: input.type } : {}) });
      return readVerification(body) ?? rejected('merchant-verify', body);
    },

    /** Services in a category (`airtime`, `data`, `tv-subscription`, `electricity-bill`, …). */
    async services(identifier: string): Promise<VtpassService[]> {
      const body = await read('GET', `services?identifier=${encodeURIComponent(identifier)}`);
      return readServices(body) ?? rejected('services', body);
    },

    /** Plans or bouquets of a service, from `variations` or the misspelled `varations`. @see providers.md §2.4 */
    async serviceVariations(serviceId: string): Promise<VtpassVariations> {
      const body = await read('GET', `service-variations?serviceID=${encodeURIComponent(serviceId)}`);
      return readVariations(body, serviceId) ?? rejected('service-variations', body);
    },

    /** Our prepaid float at VTpass (`contents.balance`). @see providers.md §2.4 */
    async balance(): Promise<{ balanceKobo: number }> {
      const body = await read('GET', 'balance');
      const balanceKobo = readBalance(body);
      return balanceKobo === null ? rejected('balance', body) : { balanceKobo };
    },
  };
}

function rejected(path: string, body: unknown): never {
  const { code, description } = describeAnswer(body);
  throw new VtpassError('rejected', `VTpass ${path}: ${description ?? 'unexpected answer'}${code ? ` (${code})` : ''}`, code);
}

/**
 * The client for this deployment: `VTPASS_BASE_URL` when set, the simulator when simulators are
 * on, else the live API. Pass `providerFetch(env)` as `fetch` so simulator calls stay in-process.
 */
export function vtpassClientFromConfig(config: Config, fetch: Fetch, overrides: Pick<VtpassClientOptions, 'now' | 'timeoutMs'> = {}) {
  const baseUrl =
    config.VTPASS_BASE_URL ??
    (config.SIMULATORS === 'on' ? `${config.APP_URL.replace(/\/+$/, '')}/__sim/vtpass/api/` : 'https://api-service.vtpass.com/api/');
  return createVtpassClient({
    baseUrl,
    auth: { kind: 'api-key', apiKey: config.VTPASS_API_KEY, publicKey: config.VTPASS_PUBLIC_KEY, secretKey: config.VTPASS_SECRET_KEY },
    fetch,
    ...overrides,
  });
}
