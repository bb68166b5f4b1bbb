import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { providerFetch } from '../src/providers/http';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('providerFetch', () => {
  it('hands URLs under APP_URL to this Worker itself when simulators are on (no network)', async () => {
    const outbound = vi.spyOn(globalThis, 'fetch');
    const response = await providerFetch(env)('http://malipo.test/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { status: 'ok' } });
    expect(outbound).not.toHaveBeenCalled();
  });

  it('passes method, headers and body through to the dispatcher', async () => {
    const dispatch = vi.fn(async (request: Request) => Response.json({ got: await request.json(), type: request.headers.get('content-type') }));
    const fetch = providerFetch(env, { dispatch });
    const response = await fetch('http://malipo.test/__sim/mpesa/mpesa/stkpush/v1/processrequest', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Amount: 1 }),
    });
    expect(await response.json()).toEqual({ got: { Amount: 1 }, type: 'application/json' });
    expect(dispatch.mock.calls[0]?.[0].method).toBe('POST');
  });

  it.each([
    ['another host', 'https://api.safaricom.co.ke/oauth/v1/generate', {}],
    ['a host that only starts like APP_URL', 'http://malipo.test.evil.example/__sim/mpesa', {}],
    ['APP_URL with simulators off', 'http://malipo.test/__sim/mpesa', { SIMULATORS: 'off' }],
  ])('sends %s out over the network with a deadline', async (_, url, vars) => {
    const outbound = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('from the network'));
    const dispatch = vi.fn();
    const response = await providerFetch({ ...env, ...vars } as Env, { dispatch })(url);
    expect(await response.text()).toBe('from the network');
    expect(dispatch).not.toHaveBeenCalled();
    const [request, init] = outbound.mock.calls[0]!;
    expect((request as Request).url).toBe(url);
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('gives up when the provider does not answer in time', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(
      (_input, init) =>
        new Promise((_, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const started = Date.now();
    await expect(providerFetch(env, { timeoutMs: 50 })('https://api.safaricom.co.ke/slow')).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
