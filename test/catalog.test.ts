import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { call } from './helpers';

type CatalogJson = { serviceId: string; category: string; name: string; minAmount: number; maxAmount: number; variations: { code: string; name: string; amount: number | null }[] };

async function catalog() {
  const response = await call('/api/v1/catalog');
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: CatalogJson[] }).data;
}

async function runDailySync() {
  await worker.scheduled(createScheduledController({ cron: '0 3 * * *', scheduledTime: Date.now() }), env);
}

describe('catalogue', () => {
  it('is filled from VTpass on first use, with our prices in kobo', async () => {
    const services = await catalog();
    const categories = new Set(services.map((s) => s.category));
    expect([...categories].sort()).toEqual(['airtime', 'data', 'electricity', 'tv']);
    expect(services.find((s) => s.serviceId === 'mtn')).toMatchObject({ category: 'airtime', minAmount: 5_000, maxAmount: 5_000_000, variations: [] });
    const mtnData = services.find((s) => s.serviceId === 'mtn-data')!;
    // VTpass sells the 1GB plan at N500; our default data margin is 2%.
    expect(mtnData.variations.find((v) => v.code === 'mtn-1gb-500')).toMatchObject({ amount: 51_000 });
    const ikeja = services.find((s) => s.serviceId === 'ikeja-electric')!;
    expect(ikeja.variations.map((v) => [v.code, v.amount]).sort()).toEqual([
      ['postpaid', null],
      ['prepaid', null],
    ]);
    expect(services.find((s) => s.serviceId === 'dstv')!.variations.length).toBeGreaterThan(0);
  });

  it('the daily sync keeps our margin and enabled flags and reprices from them', async () => {
    await catalog();
    await env.DB.prepare("UPDATE catalog_services SET margin_bps = 500 WHERE service_id = 'mtn-data'").run();
    await env.DB.prepare("UPDATE catalog_services SET enabled = 0 WHERE service_id = 'glo'").run();
    await env.DB.prepare("UPDATE catalog_variations SET cost_amount = 1, price = 1 WHERE service_id = 'mtn-data'").run();
    await runDailySync();
    const services = await catalog();
    expect(services.find((s) => s.serviceId === 'glo')).toBeUndefined();
    expect(services.find((s) => s.serviceId === 'mtn-data')!.variations.find((v) => v.code === 'mtn-1gb-500')).toMatchObject({ amount: 52_500 });
    const row = await env.DB.prepare("SELECT margin_bps, enabled FROM catalog_services WHERE service_id = 'glo'").first();
    expect(row).toMatchObject({ margin_bps: 0, enabled: 0 });
  });
});
