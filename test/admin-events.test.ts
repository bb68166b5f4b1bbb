import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { walletLedger } from '../src/services/wallets';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { hrefsOf, textOf } from './console-pages';
import { call, postJson, signUpUser } from './helpers';

let viewer: TestStaff;
const fixture = { depositId: '', checkoutRequestId: '', purchaseId: '', requestId: '', userId: '', mpesaEvent: '', vtpassEvent: '', htmlEvent: '', longEvent: '' };
const HOSTILE = '{"eventType":"<script>alert(1)</script>","note":"<img src=x onerror=alert(2)>"}';

const links = (html: string) => hrefsOf(html).filter((h) => /^\/admin\/events\/evt_/.test(h));
const eventLink = (id: string) => `/admin/events/${id}`;

/** A Monnify notification without a signature: stored as `rejected`, payload and source IP kept. */
async function unsignedMonnify(body: string, ip: string): Promise<string> {
  const response = await call('/webhooks/monnify', { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip }, body });
  expect(response.status).toBe(401);
  return (await env.DB.prepare('SELECT id FROM provider_events WHERE source_ip = ? ORDER BY id DESC LIMIT 1').bind(ip).first<{ id: string }>())!.id;
}

beforeAll(async () => {
  viewer = await createStaff('viewer');
  const kes = await signUpUser();
  const started = await postJson('/api/v1/deposits/mpesa', { amount: 150_000, phone: '254708374149' }, { cookie: kes.cookie });
  fixture.depositId = ((await started.json()) as { data: { id: string } }).data.id;
  fixture.checkoutRequestId = (await env.DB.prepare('SELECT checkout_request_id AS c FROM deposits WHERE id = ?').bind(fixture.depositId).first<{ c: string }>())!.c;
  await call(`/__sim/mpesa/flush?checkoutRequestId=${encodeURIComponent(fixture.checkoutRequestId)}`, { method: 'POST' });
  fixture.mpesaEvent = (await env.DB.prepare("SELECT id FROM provider_events WHERE provider = 'mpesa' AND deposit_id = ?").bind(fixture.depositId).first<{ id: string }>())!.id;

  const ngn = await signUpUser();
  fixture.userId = ngn.user.id;
  await walletLedger(env, ngn.user.id, 'NGN').credit({ id: `fund-${ngn.user.id}`, amount: 100_000, account: 'monnify:clearing' });
  const bought = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient: '201000000000', amount: 10_000 }, { cookie: ngn.cookie, 'idempotency-key': 'events-test-1' });
  fixture.purchaseId = ((await bought.json()) as { data: { id: string } }).data.id;
  fixture.requestId = (await env.DB.prepare('SELECT request_id AS r FROM purchases WHERE id = ?').bind(fixture.purchaseId).first<{ r: string }>())!.r;
  expect((await postJson('/__sim/vtpass/flush', { request_id: fixture.requestId })).status).toBe(200);
  fixture.vtpassEvent = (await env.DB.prepare("SELECT id FROM provider_events WHERE provider = 'vtpass' AND external_id = ?").bind(fixture.requestId).first<{ id: string }>())!.id;

  fixture.htmlEvent = await unsignedMonnify(HOSTILE, '203.0.113.9');
  fixture.longEvent = await unsignedMonnify(JSON.stringify({ padding: 'x'.repeat(3_000) }), '203.0.113.10');
});

describe('/admin/events', () => {
  it('lists every stored call-in newest first, for a viewer', async () => {
    const response = await adminGet(viewer, '/admin/events');
    expect(response.status).toBe(200);
    expect(links(await response.text())).toEqual([fixture.longEvent, fixture.htmlEvent, fixture.vtpassEvent, fixture.mpesaEvent].map(eventLink));
  });

  it.each([
    ['provider', () => 'provider=vtpass', () => [fixture.vtpassEvent]],
    ['outcome', () => 'outcome=rejected', () => [fixture.longEvent, fixture.htmlEvent]],
    ['provider and outcome', () => 'provider=mpesa&outcome=applied', () => [fixture.mpesaEvent]],
    ['external id', () => `q=${fixture.requestId}`, () => [fixture.vtpassEvent]],
    ['deposit id', () => `q=${fixture.depositId}`, () => [fixture.mpesaEvent]],
    ['source IP', () => 'q=203.0.113.9', () => [fixture.htmlEvent]],
    ['a date range that excludes today', () => 'from=2020-01-01&to=2020-12-31', () => []],
  ])('filters by %s', async (_, query, expected) => {
    const response = await adminGet(viewer, `/admin/events?${query()}`);
    expect(response.status).toBe(200); // an error page has no links either
    const html = await response.text();
    expect(links(html)).toEqual(expected().map(eventLink));
  });

  it('refuses a provider it does not know with a 400 naming the field', async () => {
    const response = await adminGet(viewer, '/admin/events?provider=paypal');
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('Provider: Choose one of: mpesa, monnify, vtpass');
  });

  it('pages with the filters kept', async () => {
    const first = await (await adminGet(viewer, '/admin/events?outcome=rejected&limit=1')).text();
    expect(links(first)).toEqual([eventLink(fixture.longEvent)]);
    const next = hrefsOf(first).find((h) => h.startsWith('/admin/events?') && h.includes('cursor='))!;
    expect(next).toBe(`/admin/events?outcome=rejected&limit=1&cursor=${fixture.longEvent}`);
    const second = await (await adminGet(viewer, next)).text();
    expect(links(second)).toEqual([eventLink(fixture.htmlEvent)]);
    expect(textOf(second)).toContain('End of list');
  });

  it('exports CSV with payloads cut to 1,000 characters', async () => {
    const response = await adminGet(viewer, '/admin/events.csv?outcome=rejected');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,received_utc,provider,outcome,external_id,deposit_id,source_ip,note,payload_chars,payload_truncated');
    expect(lines).toHaveLength(3);
    const [long, hostile] = [lines[1]!, lines[2]!];
    expect(long.startsWith(`${fixture.longEvent},`)).toBe(true);
    const payload = JSON.stringify({ padding: 'x'.repeat(3_000) });
    expect(long).toContain(`,monnify,rejected,,,203.0.113.10,missing signature,${payload.length},`);
    expect(long.endsWith(`,"${payload.slice(0, 1_000).replaceAll('"', '""')}"`)).toBe(true);
    expect(hostile).toContain(`,"${HOSTILE.replaceAll('"', '""')}"`);
  });
});

describe('/admin/events/:id', () => {
  it('shows the payload escaped, never as markup', async () => {
    const response = await adminGet(viewer, eventLink(fixture.htmlEvent));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(textOf(html)).toContain('Note missing signature');
  });

  it('links an M-Pesa callback to its deposit and customer', async () => {
    const html = await (await adminGet(viewer, eventLink(fixture.mpesaEvent))).text();
    expect(hrefsOf(html)).toContain(`/admin/deposits/${fixture.depositId}`);
    expect(textOf(html)).toContain(`External id ${fixture.checkoutRequestId}`);
    expect(textOf(html)).toContain('"ResultCode": 0');
  });

  it('links a VTpass callback to the purchase whose request id it names', async () => {
    const html = await (await adminGet(viewer, eventLink(fixture.vtpassEvent))).text();
    expect(hrefsOf(html)).toContain(`/admin/purchases/${fixture.purchaseId}`);
    expect(hrefsOf(html)).toContain(`/admin/customers/${fixture.userId}`);
  });

  it('is 404 for an unknown or malformed id', async () => {
    expect((await adminGet(viewer, '/admin/events/evt_0000000000zzzzzzzzzzzzzzzz')).status).toBe(404);
    expect((await adminGet(viewer, '/admin/events/%3Cb%3E')).status).toBe(404);
  });
});
