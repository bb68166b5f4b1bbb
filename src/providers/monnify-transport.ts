import { readBody, type Fetch } from './http';
import { envelopeSchema } from './monnify-parse';

/** How Monnify calls travel and how their answers are read, apart from what they mean. */

const RAW_LIMIT = 300;

/** No definite answer: try again later. */
export type MonnifyNoAnswer =
  /** No token (login failed or refused), so the call was never made: safe to try again. */
  | { kind: 'unavailable'; reason: string }
  /** Sent, but the answer was lost, a 5xx or unreadable: it may have taken effect. Never a failure. */
  | { kind: 'unknown'; reason: string };

export type Exchange = { kind: 'http'; status: number; body: unknown; text: string } | { kind: 'failed'; reason: string };

/** One call's outcome once the envelope is read. */
export type Answer = { kind: 'ok'; status: number; body: unknown } | { kind: 'refused'; status: number; code: string; message: string } | MonnifyNoAnswer;

/** One HTTP call with a JSON body, given up after `timeoutMs` (reading the body included); never throws. */
export async function exchange(fetch: Fetch, url: string, request: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: unknown }, timeoutMs: number): Promise<Exchange> {
  const controller = new AbortController();
  let timer = 0;
  const deadline = new Promise<Exchange>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ kind: 'failed', reason: `timeout: no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const hasBody = request.body !== undefined;
  const call = (async (): Promise<Exchange> => {
    const response = await fetch(url, {
      method: request.method,
      headers: { accept: 'application/json', ...(hasBody ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal: controller.signal,
    });
    return { kind: 'http', ...(await readBody(response)) };
  })().catch((error: unknown): Exchange => ({ kind: 'failed', reason: `network: ${error instanceof Error ? error.message : String(error)}` }));
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The envelope checked: 2xx with `requestSuccessful` and code "0" is an answer; a 4xx or 2xx that
 * says unsuccessful is a refusal; a 5xx, an unreadable body or no envelope is unknown. @see providers.md §3.3
 */
export function readEnvelope(exchanged: Exchange): Answer {
  if (exchanged.kind === 'failed') return { kind: 'unknown', reason: exchanged.reason };
  const envelope = envelopeSchema.safeParse(exchanged.body);
  const { status } = exchanged;
  if (status >= 500 || !envelope.success) return { kind: 'unknown', reason: describeExchange(exchanged) };
  const { requestSuccessful, responseCode, responseMessage, responseBody } = envelope.data;
  if (status < 300 && requestSuccessful && responseCode === '0') return { kind: 'ok', status, body: responseBody };
  if (status >= 300 && status < 400) return { kind: 'unknown', reason: describeExchange(exchanged) };
  return { kind: 'refused', status, code: responseCode, message: responseMessage ?? '' };
}

export function describeExchange(exchanged: Extract<Exchange, { kind: 'http' }>): string {
  return `HTTP ${exchanged.status}: ${exchanged.text.slice(0, RAW_LIMIT)}`;
}
