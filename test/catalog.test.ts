import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../src/config';
import { database } from '../src/db/client';
import worker from '../src/index';
import { providerFetch } from '../src/providers/http';
import { vtpassClientFromConfig, VtpassError } from '../src/providers/vtpass';
import { recordAudit } from '../src/services/audit';
import { staffDisabledCodes, syncCatalog, VARIATION_AUDIT } from '../src/services/catalog';
import { addManualPlan, setVariationEnabled } from '../src/services/catalog-admin';
import { createStaff } from './admin-helpers';
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

const db = () => database(env.DB);

/** The real client against the simulator, with some plans hidden or some calls failing, as VTpass might. */
function vtpassListing(options: { without?: string[]; failing?: string[]; empty?: string[] } = {}) {
  const real = vtpassClientFromConfig(getConfig(env), providerFetch(env));
  return {
    services: (identifier: string) => real.services(identifier),
    async serviceVariations(serviceId: string) {
      if (options.failing?.includes(serviceId)) throw new VtpassError('timeout', `VTpass service-variations: no answer for ${serviceId}`);
      const listed = await real.serviceVariations(serviceId);
      const variations = options.empty?.includes(serviceId) ? [] : listed.variations.filter((v) => !options.without?.includes(v.code));
      return { ...listed, variations };
    },
  };
}

/** A real staff member (audit rows name one), as the console would pass it to the catalogue actions. */
async function operatorMember() {
  const { id, email, role } = await createStaff('operator');
  return { id, email, role, name: 'Test operator' };
}

async function plan(serviceId: string, code: string) {
  return db().query.catalogVariations.findFirst({ where: (v, { and, eq }) => and(eq(v.serviceId, serviceId), eq(v.code, code)) });
}

describe('catalogue sync keeps staff choices and follows what VTpass lists', () => {
  it('disables VTpass plans it no longer lists and enables them again when listed, unless staff disabled them', async () => {
    await catalog();
    const first = await syncCatalog(db(), vtpassListing({ without: ['mtn-10gb-4500', 'mtn-20gb-7500'] }));
    expect(first).toMatchObject({ disabled: 2, restored: 0, failures: [] });
    expect(await plan('mtn-data', 'mtn-10gb-4500')).toMatchObject({ enabled: false, source: 'vtpass' });
    const codes = (await catalog()).find((s) => s.serviceId === 'mtn-data')!.variations.map((v) => v.code);
    expect(codes).not.toContain('mtn-10gb-4500');
    expect(codes).toContain('mtn-1gb-500');

    // Staff decide the 20GB plan stays off, whatever VTpass does.
    const operator = await operatorMember();
    await setVariationEnabled(db(), operator, 'mtn-data', 'mtn-20gb-7500', false, 'Supplier quality complaints');

    const second = await syncCatalog(db(), vtpassListing());
    expect(second).toMatchObject({ disabled: 0, restored: 1 });
    expect(await plan('mtn-data', 'mtn-10gb-4500')).toMatchObject({ enabled: true });
    expect(await plan('mtn-data', 'mtn-20gb-7500')).toMatchObject({ enabled: false });
  });

  it('never re-enables a plan staff disabled while VTpass kept listing it', async () => {
    await catalog();
    const operator = await operatorMember();
    await setVariationEnabled(db(), operator, 'glo-data', 'glo100', false, 'Not selling this one');
    await syncCatalog(db(), vtpassListing());
    await syncCatalog(db(), vtpassListing());
    expect(await plan('glo-data', 'glo100')).toMatchObject({ enabled: false });
  });

  it('leaves manual plans alone, and a failed or empty listing disables nothing', async () => {
    await catalog();
    const operator = await operatorMember();
    await addManualPlan(db(), operator, 'airtel-data', { code: 'airt-2000-special', name: 'Airtel N2,000 Special', cost: 200_000 }, 'Sold by VTpass, missing from the list');
    const report = await syncCatalog(db(), vtpassListing({ failing: ['glo-data'], empty: ['etisalat-data'] }));
    expect(report.failures).toEqual([expect.stringContaining('glo-data')]);
    expect(report.disabled).toBe(0);
    expect(await plan('airtel-data', 'airt-2000-special')).toMatchObject({ enabled: true, source: 'manual', price: 204_000 });
    const services = await catalog();
    expect(services.find((s) => s.serviceId === 'glo-data')!.variations.length).toBeGreaterThan(0);
    expect(services.find((s) => s.serviceId === 'etisalat-data')!.variations.length).toBeGreaterThan(0);
    expect(services.find((s) => s.serviceId === 'airtel-data')!.variations.map((v) => v.code)).toContain('airt-2000-special');
  });
});

describe('staff choices on many plans', () => {
  it('reads staff disables for more plans than D1 binds in one statement', async () => {
    const staff = await createStaff('operator');
    const actor = { id: staff.id, email: staff.email, name: 'Ops', role: staff.role };
    const codes = Array.from({ length: 150 }, (_, i) => `bulk-${i}`);
    for (const code of codes.slice(0, 3)) {
      await recordAudit(db(), actor, { action: VARIATION_AUDIT.disable, targetType: VARIATION_AUDIT.targetType, targetId: VARIATION_AUDIT.targetId('bulk-data', code), reason: 'withdrawn' });
    }
    // Another service whose id starts the same way is not this one.
    await recordAudit(db(), actor, { action: VARIATION_AUDIT.disable, targetType: VARIATION_AUDIT.targetType, targetId: VARIATION_AUDIT.targetId('bulk-data-2', 'bulk-9'), reason: 'other' });
    expect([...(await staffDisabledCodes(db(), 'bulk-data', codes))].sort()).toEqual(['bulk-0', 'bulk-1', 'bulk-2']);
  });
});
