import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { app } from '../src/app';
import { ConfigError, parseConfig, SECRET_KEYS } from '../src/config';

/** A production environment with every secret set to something that is not a dev value. */
function productionEnv(overrides: Record<string, unknown> = {}) {
  const secrets = Object.fromEntries(SECRET_KEYS.map((key) => [key, `prod-${key.toLowerCase()}-value`]));
  return {
    ...env,
    ...secrets,
    ENVIRONMENT: 'production',
    APP_URL: 'https://malipo.example',
    SIMULATORS: 'off',
    SEED_DEMO_DATA: 'off',
    ACCESS_TEAM_DOMAIN: 'https://malipo.cloudflareaccess.com',
    ...overrides,
  };
}

function problemKeys(input: Record<string, unknown>): string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.keys;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('accepts a complete production configuration', () => {
    const config = parseConfig(productionEnv());
    expect(config.isProduction).toBe(true);
    expect(config.secureCookies).toBe(true);
  });

  it('accepts the local development defaults', () => {
    expect(parseConfig(env as unknown as Record<string, unknown>).SIMULATORS).toBe('on');
  });

  it.each(SECRET_KEYS)('names %s when it is missing, empty or a dev value in production', (key) => {
    expect(problemKeys(productionEnv({ [key]: undefined }))).toEqual([key]);
    expect(problemKeys(productionEnv({ [key]: '  ' }))).toEqual([key]);
    expect(problemKeys(productionEnv({ [key]: `dev-${key.toLowerCase()}` }))).toEqual([key]);
  });

  it('refuses simulators, demo data and plain http in production', () => {
    expect(problemKeys(productionEnv({ SIMULATORS: 'on' }))).toEqual(['SIMULATORS']);
    expect(problemKeys(productionEnv({ SEED_DEMO_DATA: 'on' }))).toEqual(['SEED_DEMO_DATA']);
    expect(problemKeys(productionEnv({ APP_URL: 'http://malipo.example' }))).toEqual(['APP_URL']);
  });

  it('refuses the published Safaricom sandbox passkey in production', () => {
    expect(problemKeys(productionEnv({ MPESA_PASSKEY: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919' }))).toEqual(['MPESA_PASSKEY']);
  });

  it('answers every request with "service misconfigured" and logs the key', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = productionEnv({ MONNIFY_SECRET_KEY: '' });
    const api = await app.fetch(new Request('https://malipo.example/healthz'), broken);
    expect(api.status).toBe(500);
    const body = (await api.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'MISCONFIGURED', message: 'service misconfigured' });
    expect(api.headers.get('x-request-id')).toBeTruthy();

    const page = await app.fetch(new Request('https://malipo.example/login', { headers: { accept: 'text/html' } }), broken);
    expect(page.status).toBe(500);
    expect(await page.text()).toContain('service misconfigured');

    const logged = errors.mock.calls.map((args) => String(args[0])).find((line) => line.includes('configuration error'));
    expect(logged).toBeDefined();
    expect(JSON.parse(logged!).keys).toEqual(['MONNIFY_SECRET_KEY']);
    errors.mockRestore();
  });

  it('limits purchases and meter/smartcard checks per customer, with defaults and named errors', () => {
    const defaults = parseConfig({ ...(env as unknown as Record<string, unknown>), PURCHASE_MAX_PER_MINUTE: undefined, BILLS_VERIFY_MAX_PER_MINUTE: undefined });
    expect(defaults.PURCHASE_MAX_PER_MINUTE).toBe(30);
    expect(defaults.BILLS_VERIFY_MAX_PER_MINUTE).toBe(20);
    expect(parseConfig(productionEnv({ PURCHASE_MAX_PER_MINUTE: '12' })).PURCHASE_MAX_PER_MINUTE).toBe(12);
    expect(problemKeys(productionEnv({ PURCHASE_MAX_PER_MINUTE: '0' }))).toEqual(['PURCHASE_MAX_PER_MINUTE']);
    expect(problemKeys(productionEnv({ BILLS_VERIFY_MAX_PER_MINUTE: 'many' }))).toEqual(['BILLS_VERIFY_MAX_PER_MINUTE']);
  });

  it('adds HSTS in production', async () => {
    const response = await app.fetch(new Request('https://malipo.example/healthz'), productionEnv());
    expect(response.status).toBe(200);
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('serves no simulator endpoint with simulators off: not the bench funding, not the Access token minter', async () => {
    const off = { ...env, SIMULATORS: 'off' };
    for (const [method, path] of [
      ['POST', '/__sim/bench/fund'],
      ['POST', '/__sim/access/token'],
      ['GET', '/__sim/access/login'],
      ['POST', '/__sim/monnify/transfers'],
    ] as const) {
      const response = await app.fetch(new Request(`http://malipo.test${path}`, { method, headers: { 'content-type': 'application/json', origin: 'http://malipo.test' }, body: method === 'POST' ? '{}' : undefined }), off);
      expect(response.status, path).toBe(404);
    }
  });
});
