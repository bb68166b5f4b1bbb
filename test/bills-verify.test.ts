import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { getConfig } from '../src/config';
import { database } from '../src/db/client';
import { AppError } from '../src/lib/errors';
import { vtpassClientFromConfig } from '../src/providers/vtpass';
import { verifyBill } from '../src/services/bills';
import { call, ORIGIN, postJson, signUpUser } from './helpers';

type VerifyJson = { data?: Record<string, unknown>; error?: { code: string; message: string; details?: Record<string, string[]> } };

async function verify(cookie: string, body: unknown) {
  const response = await postJson('/api/v1/bills/verify', body, { cookie });
  return { status: response.status, headers: response.headers, json: (await response.json()) as VerifyJson };
}

/** The same request through the app with other settings (another VTpass base URL, a lower limit). */
async function verifyWith(overrides: Record<string, string>, cookie: string, body: unknown) {
  const request = new Request(`${ORIGIN}/api/v1/bills/verify`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
  const response = await app.fetch(request, { ...env, ...overrides });
  return { status: response.status, headers: response.headers, json: (await response.json()) as VerifyJson };
}

describe('POST /api/v1/bills/verify against the VTpass simulator', () => {
  it('names the owner of the sandbox prepaid meter, with address and minimum', async () => {
    const { cookie } = await signUpUser();
    const { status, json } = await verify(cookie, { serviceId: 'ikeja-electric', billersCode: '1111111111111', type: 'prepaid' });
    expect(status).toBe(200);
    expect(json.data).toEqual({
      serviceId: 'ikeja-electric',
      customerName: 'OLUWASEUN ADEYEMI',
      meterNumber: '1111111111111',
      meterType: 'prepaid',
      address: '12 Adeola Odeku Street, Victoria Island, Lagos',
      minimumAmount: 50_000,
      canVend: true,
    });
  });

  it('names the owner of the postpaid meter, and refuses it as prepaid', async () => {
    const { cookie } = await signUpUser();
    const postpaid = await verify(cookie, { serviceId: 'eko-electric', billersCode: '1010101010101', type: 'postpaid' });
    expect(postpaid.status).toBe(200);
    expect(postpaid.json.data).toMatchObject({ customerName: 'IFEOMA NWANKWO', meterType: 'postpaid', address: '7 Aminu Kano Crescent, Wuse 2, Abuja' });
    const wrongType = await verify(cookie, { serviceId: 'eko-electric', billersCode: '1010101010101', type: 'prepaid' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error!.code).toBe('VALIDATION_FAILED');
  });

  it('gives the DStv and GOtv smartcard owner, current bouquet and renewal amount in kobo', async () => {
    const { cookie } = await signUpUser();
    const dstv = await verify(cookie, { serviceId: 'dstv', billersCode: '1212121212' });
    expect(dstv.status).toBe(200);
    expect(dstv.json.data).toMatchObject({ serviceId: 'dstv', customerName: 'EMEKA OBI', smartcardNumber: '1212121212', currentBouquet: 'DStv Compact N19,000', renewalAmount: 1_900_000, status: 'Open' });
    expect(dstv.json.data!.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(dstv.json.data).not.toHaveProperty('meterNumber');
    const gotv = await verify(cookie, { serviceId: 'gotv', billersCode: '1212121212' });
    expect(gotv.json.data).toMatchObject({ customerName: 'EMEKA OBI', currentBouquet: 'GOtv Max N8,500', renewalAmount: 850_000 });
  });

  it('an unknown meter or smartcard is a clear 400 on billersCode', async () => {
    const { cookie } = await signUpUser();
    const meter = await verify(cookie, { serviceId: 'ikeja-electric', billersCode: '1234567890123', type: 'prepaid' });
    expect(meter.status).toBe(400);
    expect(meter.json.error!.code).toBe('VALIDATION_FAILED');
    expect(meter.json.error!.details!.billersCode![0]).toContain('1234567890123');
    const card = await verify(cookie, { serviceId: 'dstv', billersCode: '9999999999' });
    expect(card.status).toBe(400);
    expect(card.json.error!.details!.billersCode![0]).toMatch(/smartcard number 9999999999/);
  });

  it('refuses services without a meter or smartcard, and malformed input', async () => {
    const { cookie } = await signUpUser();
    const cases: [unknown, string][] = [
      [{ serviceId: 'mtn', billersCode: '08011111111' }, 'serviceId'],
      [{ serviceId: 'mtn-data', billersCode: '08011111111' }, 'serviceId'],
      [{ serviceId: 'no-such-service', billersCode: '1111111111111' }, 'serviceId'],
      [{ serviceId: 'ikeja-electric', billersCode: '1111111111111' }, 'type'],
      [{ serviceId: 'dstv', billersCode: '1212121212', type: 'prepaid' }, 'type'],
      [{ serviceId: 'ikeja-electric', billersCode: '11-11', type: 'prepaid' }, 'billersCode'],
      [{ serviceId: 'ikeja-electric', billersCode: '1111111111111', type: 'smart' }, 'type'],
      [{ serviceId: 'dstv', billersCode: '1212121212', extra: 1 }, '_'],
    ];
    for (const [body, field] of cases) {
      const { status, json } = await verify(cookie, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error!.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(json.error!.details!), JSON.stringify(body)).toContain(field);
    }
  });

  it('is for signed-in customers only', async () => {
    const response = await postJson('/api/v1/bills/verify', { serviceId: 'dstv', billersCode: '1212121212' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as VerifyJson).error!.code).toBe('UNAUTHENTICATED');
  });

  it('VTpass giving no usable answer is 503 PROVIDER_UNAVAILABLE, not a wrong number', async () => {
    const { cookie } = await signUpUser();
    expect((await call('/api/v1/catalog')).status).toBe(200);
    const down = await verifyWith({ VTPASS_BASE_URL: `${ORIGIN}/__sim/nowhere/api/` }, cookie, { serviceId: 'dstv', billersCode: '1212121212' });
    expect(down.status).toBe(503);
    expect(down.json.error!.code).toBe('PROVIDER_UNAVAILABLE');

    const config = getConfig(env);
    const unreachable = vtpassClientFromConfig(config, async () => {
      throw new TypeError('network connection lost');
    });
    const error = await verifyBill({ db: database(env.DB), vtpass: unreachable, verifiesPerMinute: 10 }, 'user-x', { serviceId: 'ikeja-electric', billersCode: '1111111111111', type: 'prepaid' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('is rate limited per customer with Retry-After; another customer is not affected', async () => {
    const { cookie } = await signUpUser();
    const body = { serviceId: 'dstv', billersCode: '1212121212' };
    const limited = { BILLS_VERIFY_MAX_PER_MINUTE: '2' };
    expect((await verifyWith(limited, cookie, body)).status).toBe(200);
    expect((await verifyWith(limited, cookie, body)).status).toBe(200);
    const third = await verifyWith(limited, cookie, body);
    expect(third.status).toBe(429);
    expect(third.json.error!.code).toBe('RATE_LIMITED');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await signUpUser();
    expect((await verifyWith(limited, other.cookie, body)).status).toBe(200);
  });
});
