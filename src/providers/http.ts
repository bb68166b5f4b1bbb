import { exports } from 'cloudflare:workers';
import { getConfig } from '../config';

/** The fetch signature every provider client takes, so tests and the simulators can route it. */
export type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Long enough for a slow Daraja or VTpass answer, short enough to answer the customer. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

/** A response's status and text, and the text parsed as JSON (`body` is undefined when it is not JSON). */
export async function readBody(response: Response): Promise<{ status: number; body: unknown; text: string }> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

export interface ProviderFetchOptions {
  /** Give up on an outbound call after this long (the client then reports an unknown outcome). */
  timeoutMs?: number;
  /** Where requests to our own APP_URL go; default: this Worker's own entry point (`ctx.exports` loopback). */
  dispatch?: (request: Request) => Promise<Response>;
}

/**
 * The fetch used by all provider clients and by the simulators' callbacks. With SIMULATORS on, a URL
 * under APP_URL (`/__sim/*`, our own webhooks) is handed to this Worker itself, since a Worker cannot
 * fetch its own hostname; dev and tests then run end to end offline. Anything else goes out with a
 * deadline, so a hung provider becomes an unknown answer instead of a hung request.
 */
export function providerFetch(env: Env, options: ProviderFetchOptions = {}): Fetch {
  const config = getConfig(env);
  const appUrl = config.APP_URL.replace(/\/+$/, '');
  const dispatch = options.dispatch ?? dispatchToSelf;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  return async (input, init) => {
    const request = new Request(input, init);
    if (config.SIMULATORS === 'on' && isUnder(request.url, appUrl)) return dispatch(request);
    return fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) });
  };
}

function isUnder(url: string, base: string): boolean {
  return url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);
}

/** The Worker's default export, reached through its loopback binding (enabled by compatibility date). */
function dispatchToSelf(request: Request): Promise<Response> {
  const self = (exports as { default?: Fetcher }).default;
  if (!self) throw new Error('ctx.exports.default is unavailable: enable_ctx_exports is needed for simulators');
  return self.fetch(request);
}
