import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { walletLedger } from '../src/services/wallets';
import { adminGet, adminPost, auditRowsFor, createStaff, type TestStaff } from './admin-helpers';
import { call, postJson, signUpUser } from './helpers';

type CatalogJson = { serviceId: string; variations: { code: string; amount: number | null }[] }[];

const db = () => database(env.DB);

async function publicCatalog(): Promise<CatalogJson> {
  const response = await call('/api/v1/catalog');
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: CatalogJson }).data;
}

function service(id: string) {
  return db().query.catalogServices.findFirst({ where: (s, { eq }) => eq(s.serviceId, id) });
}

function plan(serviceId: string, code: string) {
  return db().query.catalogVariations.findFirst({ where: (v, { and, eq }) => and(eq(v.serviceId, serviceId), eq(v.code, code)) });
}

let viewer: TestStaff;
let operator: TestStaff;

beforeAll(async () => {
  await publicCatalog();
  viewer = await createStaff('viewer');
  operator = await createStaff('operator');
});

describe('/admin/catalog: reading', () => {
  it('lists services with margin, state and plan counts, filtered by category and enabled', async () => {
    const response = await adminGet(viewer, '/admin/catalog?category=data&enabled=yes');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('MTN Data');
    expect(html).toContain('2.00%');
    expect(html).not.toContain('Ikeja');
    expect(html).toContain('href="/admin/catalog.csv?category=data&amp;enabled=yes"');
    // Viewers read; the sync form is for operators.
    expect(html).not.toContain('action="/admin/catalog/sync"');
    expect(await (await adminGet(operator, '/admin/catalog')).text()).toContain('action="/admin/catalog/sync"');
  });

  it('shows a service with its plans: code, cost, our price, fixed or not, state and source', async () => {
    const html = await (await adminGet(operator, '/admin/catalog/mtn-data')).text();
    expect(html).toContain('mtn-1gb-500');
    expect(html).toMatch(/NGN\s500\.00.*NGN\s510\.00/);
    expect(html).toContain('<label for="margin-margin">Margin</label>');
    expect(html).toContain('<label for="manual-plan-code">VTpass variation code</label>');
    const meters = await (await adminGet(viewer, '/admin/catalog/ikeja-electric')).text();
    expect(meters).toContain('customer enters amount');
    expect(meters).not.toContain('<form');
    expect((await adminGet(viewer, '/admin/catalog/no-such-service')).status).toBe(404);
  });

  it('exports the list as CSV with the same filters', async () => {
    const response = await adminGet(viewer, '/admin/catalog.csv?category=tv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe('service_id,category,name,margin_bps,margin,enabled,plans,enabled_plans,min_amount_kobo,max_amount_kobo,last_synced');
    expect(lines.slice(1).every((line) => line.split(',')[1] === 'tv')).toBe(true);
    expect(lines.some((line) => line.startsWith('dstv,tv,'))).toBe(true);
  });
});

describe('/admin/catalog: operator actions, each with one audit row', () => {
  it('refuses viewers, and every action needs a reason', async () => {
    expect((await adminPost(viewer, '/admin/catalog/mtn-data/margin', { margin: '3', reason: 'Testing roles' })).status).toBe(403);
    expect((await adminPost(viewer, '/admin/catalog/sync', { reason: 'Testing roles' })).status).toBe(403);
    const noReason = await adminPost(operator, '/admin/catalog/mtn-data/margin', { margin: '3', reason: '' });
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain('Say why');
    const badMargin = await adminPost(operator, '/admin/catalog/mtn-data/margin', { margin: '2.555', reason: 'Typo check' });
    expect(badMargin.status).toBe(422);
    expect((await service('mtn-data'))!.marginBps).toBe(200);
    expect(await auditRowsFor('catalog_service', 'mtn-data')).toEqual([]);
  });

  it('changes a margin (percent or basis points) and reprices the fixed-price plans', async () => {
    const response = await adminPost(operator, '/admin/catalog/airtel-data/margin', { margin: '5.25', reason: 'Supplier raised prices' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/catalog/airtel-data?done=margin');
    expect((await service('airtel-data'))!.marginBps).toBe(525);
    // N1,000 plan: 100,000 kobo + 5.25% = 105,250 kobo.
    expect(await plan('airtel-data', 'airt-1000')).toMatchObject({ costAmount: 100_000, price: 105_250 });
    expect((await publicCatalog()).find((s) => s.serviceId === 'airtel-data')!.variations.find((v) => v.code === 'airt-1000')!.amount).toBe(105_250);
    const [row, ...others] = await auditRowsFor('catalog_service', 'airtel-data');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ action: 'catalog.service.margin', staffId: operator.id, reason: 'Supplier raised prices' });
    expect(JSON.parse(row!.before!)).toMatchObject({ marginBps: 200, prices: { 'airt-1000': 102_000 } });
    expect(JSON.parse(row!.after!)).toMatchObject({ marginBps: 525, prices: { 'airt-1000': 105_250 } });

    expect((await adminPost(operator, '/admin/catalog/airtel-data/margin', { margin: '150 bps', reason: 'Back down' })).status).toBe(303);
    expect(await plan('airtel-data', 'airt-1000')).toMatchObject({ price: 101_500 });
    expect(await auditRowsFor('catalog_service', 'airtel-data')).toHaveLength(2);
  });

  it('disables a plan: hidden from the catalogue and refused by the purchases API, and a sync keeps it off', async () => {
    const response = await adminPost(operator, '/admin/catalog/mtn-data/plans/mtn-1gb-500/enabled', { enabled: 'false', reason: 'Network outage on this bundle' });
    expect(response.status).toBe(303);
    expect(await plan('mtn-data', 'mtn-1gb-500')).toMatchObject({ enabled: false });
    expect((await publicCatalog()).find((s) => s.serviceId === 'mtn-data')!.variations.map((v) => v.code)).not.toContain('mtn-1gb-500');
    const [row, ...others] = await auditRowsFor('catalog_variation', 'mtn-data/mtn-1gb-500');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ action: 'catalog.variation.disable', reason: 'Network outage on this bundle' });
    expect(JSON.parse(row!.after!)).toEqual({ enabled: false, disabledBy: 'staff' });

    const { user, cookie } = await signUpUser();
    await walletLedger(env, user.id, 'NGN').credit({ id: `fund-${user.id}`, amount: 100_000, account: 'monnify:clearing' });
    const refused = await postJson('/api/v1/purchases', { serviceId: 'mtn-data', recipient: '08011111111', variationCode: 'mtn-1gb-500' }, { cookie, 'idempotency-key': `k-${user.id}` });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { details: Record<string, string[]> } }).error.details.variationCode).toBeDefined();

    expect((await adminPost(operator, '/admin/catalog/sync', { reason: 'Check the plan stays off' })).status).toBe(303);
    expect(await plan('mtn-data', 'mtn-1gb-500')).toMatchObject({ enabled: false });

    const again = await adminPost(operator, '/admin/catalog/mtn-data/plans/mtn-1gb-500/enabled', { enabled: 'false', reason: 'Twice' });
    expect(again.status).toBe(422);
    expect(await auditRowsFor('catalog_variation', 'mtn-data/mtn-1gb-500')).toHaveLength(1);
    expect((await adminPost(operator, '/admin/catalog/mtn-data/plans/mtn-1gb-500/enabled', { enabled: 'true', reason: 'Outage over' })).status).toBe(303);
    expect((await publicCatalog()).find((s) => s.serviceId === 'mtn-data')!.variations.map((v) => v.code)).toContain('mtn-1gb-500');
    expect((await auditRowsFor('catalog_variation', 'mtn-data/mtn-1gb-500')).map((r) => r.action)).toEqual(['catalog.variation.disable', 'catalog.variation.enable']);
  });

  it('disables and enables a whole service', async () => {
    expect((await adminPost(operator, '/admin/catalog/glo/enabled', { enabled: 'false', reason: 'GLO airtime down' })).status).toBe(303);
    expect((await service('glo'))!.enabled).toBe(false);
    expect((await publicCatalog()).map((s) => s.serviceId)).not.toContain('glo');
    const { cookie } = await signUpUser();
    const refused = await postJson('/api/v1/purchases', { serviceId: 'glo', recipient: '08011111111', amount: 10_000 }, { cookie, 'idempotency-key': 'glo-down' });
    expect(refused.status).toBe(400);
    expect((await adminPost(operator, '/admin/catalog/glo/enabled', { enabled: 'true', reason: 'GLO back' })).status).toBe(303);
    expect((await publicCatalog()).map((s) => s.serviceId)).toContain('glo');
    const rows = await auditRowsFor('catalog_service', 'glo');
    expect(rows.map((r) => r.action)).toEqual(['catalog.service.disable', 'catalog.service.enable']);
  });

  it('two operators switching the same service at once: one change, one audit row', async () => {
    const other = await createStaff('operator');
    const statuses = await Promise.all([operator, other].map((who) => adminPost(who, '/admin/catalog/airtel/enabled', { enabled: 'false', reason: 'Airtel down' })));
    expect(statuses.map((r) => r.status).sort()).toEqual([303, 422]);
    expect((await service('airtel'))!.enabled).toBe(false);
    expect((await auditRowsFor('catalog_service', 'airtel')).map((r) => r.action)).toEqual(['catalog.service.disable']);
    expect((await adminPost(operator, '/admin/catalog/airtel/enabled', { enabled: 'true', reason: 'Airtel back' })).status).toBe(303);
  });

  it('adds a manual plan priced from the margin, refuses an existing code, and the plan survives a sync', async () => {
    const response = await adminPost(operator, '/admin/catalog/dstv/plans', { code: 'dstv-special', name: 'DStv Special', cost: '12500.50', reason: 'VTpass sells it but does not list it' });
    expect(response.status).toBe(303);
    // DStv margin 1%: 1,250,050 kobo + 12,501 (rounded up).
    expect(await plan('dstv', 'dstv-special')).toMatchObject({ source: 'manual', enabled: true, fixedPrice: true, costAmount: 1_250_050, price: 1_262_551 });
    const rows = await auditRowsFor('catalog_variation', 'dstv/dstv-special');
    expect(rows.map((r) => r.action)).toEqual(['catalog.variation.add']);

    const duplicate = await adminPost(operator, '/admin/catalog/dstv/plans', { code: 'dstv-special', name: 'Again', cost: '1', reason: 'Duplicate' });
    expect(duplicate.status).toBe(422);
    expect(await duplicate.text()).toContain('This code already exists in this service');
    const listed = await adminPost(operator, '/admin/catalog/mtn-data/plans', { code: 'mtn-1gb-500', name: 'Clash', cost: '500', reason: 'Duplicate of a VTpass plan' });
    expect(listed.status).toBe(422);
    expect(await auditRowsFor('catalog_variation', 'dstv/dstv-special')).toHaveLength(1);

    const sync = await adminPost(operator, '/admin/catalog/sync', { reason: 'Daily check by hand' });
    expect(sync.status).toBe(303);
    expect(await plan('dstv', 'dstv-special')).toMatchObject({ enabled: true, source: 'manual', price: 1_262_551 });
    expect((await publicCatalog()).find((s) => s.serviceId === 'dstv')!.variations.find((v) => v.code === 'dstv-special')!.amount).toBe(1_262_551);
  });

  it('syncs now, with the counts in the audit row and on the page', async () => {
    const response = await adminPost(operator, '/admin/catalog/sync', { reason: 'Prices changed today' });
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/admin\/catalog\?done=sync&services=\d+&plans=\d+&disabled=0&restored=0&failed=0$/);
    const rows = (await auditRowsFor('catalog', 'vtpass')).filter((r) => r.reason === 'Prices changed today');
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.after!)).toMatchObject({ services: expect.any(Number), variations: expect.any(Number), disabled: 0, failures: [] });
    const page = await (await adminGet(operator, location)).text();
    expect(page).toContain('Catalogue synced from VTpass.');
  });
});
