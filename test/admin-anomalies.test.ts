import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../src/index';
import { database } from '../src/db/client';
import { recordAnomalyOnce } from '../src/services/deposits';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { hrefsOf, insertAnomaly, insertDeposit, textOf } from './console-pages';
import { signUpUser } from './helpers';

let viewer: TestStaff;
let resolver: TestStaff;
const fixture = { userId: '', depositId: '', purchaseDead: '', depositDead: '', mismatch: '', resolved: '', vtpass: '', hostile: '' };

const links = (html: string) => hrefsOf(html).filter((h) => /^\/admin\/anomalies\/anm_/.test(h));
const anomalyLink = (id: string) => `/admin/anomalies/${id}`;

/** Messages that used up their retries arrive on the dead-letter queue; the real consumer records each. */
async function deadLetter(id: string, body: Record<string, unknown>) {
  const batch = createMessageBatch('malipo-jobs-dlq', [{ id, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([id]);
  return (await env.DB.prepare("SELECT id FROM anomalies WHERE kind = 'job_dead_letter' AND details LIKE ?").bind(`%"${id}"%`).first<{ id: string }>())!.id;
}

beforeAll(async () => {
  viewer = await createStaff('viewer');
  resolver = await createStaff('operator', 'Achieng Otieno');
  const { user } = await signUpUser();
  fixture.userId = user.id;
  fixture.depositId = await insertDeposit(user.id, { createdAt: Date.now(), amount: 100_000, status: 'failed', method: 'monnify' });
  fixture.mismatch = await insertAnomaly({ kind: 'amount_mismatch', provider: 'monnify', depositId: fixture.depositId, eventId: 'evt_0000000000abcdefabcdefabcd', details: { problems: ['PARTIALLY_PAID'], userId: user.id } });
  fixture.resolved = await insertAnomaly({
    kind: 'callback_mismatch',
    provider: 'mpesa',
    details: { problems: ['amount'] },
    resolved: { by: resolver.email, at: Date.now(), resolution: 'Customer refunded by M-Pesa reversal' },
  });
  fixture.vtpass = await insertAnomaly({ kind: 'purchase_unresolved', provider: 'vtpass', details: { purchaseId: 'pur_0000000000example00000000', lastReason: 'timeout' } });
  fixture.hostile = await insertAnomaly({ kind: 'unknown_payment', provider: 'monnify', details: { paymentReference: '<script>alert("x")</script>' } });
  fixture.purchaseDead = await deadLetter('dlq-purchase-1', { type: 'purchase.requery', purchaseId: 'pur_0000000000deadletter0000', attempt: 7 });
  fixture.depositDead = await deadLetter('dlq-deposit-1', { type: 'deposit.check', depositId: fixture.depositId, attempt: 3 });
});

describe('/admin/anomalies', () => {
  it('shows open anomalies by default, newest first, for a viewer', async () => {
    const response = await adminGet(viewer, '/admin/anomalies');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(links(html)).toEqual([fixture.depositDead, fixture.purchaseDead, fixture.hostile, fixture.vtpass, fixture.mismatch].map(anomalyLink));
    expect(html).toContain('<option value="open" selected="">open</option>');
  });

  it.each([
    ['status resolved', () => 'status=resolved', () => [fixture.resolved]],
    ['status all', () => 'status=all&provider=mpesa', () => [fixture.resolved]],
    ['kind', () => 'kind=amount_mismatch', () => [fixture.mismatch]],
    ['provider', () => 'provider=vtpass', () => [fixture.vtpass]],
    ['deposit id', () => `q=${fixture.depositId}`, () => [fixture.depositDead, fixture.mismatch]],
    ['a date range that excludes today', () => 'status=all&to=2020-01-01', () => []],
  ])('filters by %s', async (_, query, expected) => {
    const response = await adminGet(viewer, `/admin/anomalies?${query()}`);
    expect(response.status).toBe(200); // an error page has no links either
    const html = await response.text();
    expect(links(html)).toEqual(expected().map(anomalyLink));
  });

  it('links each anomaly to what it is about', async () => {
    const hrefs = hrefsOf(await (await adminGet(viewer, '/admin/anomalies')).text());
    expect(hrefs).toContain(`/admin/deposits/${fixture.depositId}`);
    expect(hrefs).toContain('/admin/purchases/pur_0000000000example00000000');
    expect(hrefs).toContain('/admin/events/evt_0000000000abcdefabcdefabcd');
    expect(hrefs).toContain(`/admin/customers/${fixture.userId}`);
  });

  it('pages with the filters kept', async () => {
    const first = await (await adminGet(viewer, '/admin/anomalies?provider=monnify&limit=1')).text();
    expect(links(first)).toEqual([anomalyLink(fixture.hostile)]);
    const next = hrefsOf(first).find((h) => h.includes('cursor='))!;
    expect(next).toBe(`/admin/anomalies?provider=monnify&limit=1&cursor=${fixture.hostile}`);
    expect(links(await (await adminGet(viewer, next)).text())).toEqual([anomalyLink(fixture.mismatch)]);
  });

  it('exports CSV with the same filters', async () => {
    const response = await adminGet(viewer, '/admin/anomalies.csv?status=all&provider=mpesa');
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,created_utc,kind,provider,status,deposit_id,event_id,purchase_id,details,resolved_utc,resolved_by,resolution');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${fixture.resolved},`);
    expect(lines[1]).toContain(`,${resolver.email},Customer refunded by M-Pesa reversal`);
  });

  it('refuses a status it does not know', async () => {
    const response = await adminGet(viewer, '/admin/anomalies?status=closed');
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain('Status: Choose open, resolved or all');
  });
});

describe('/admin/anomalies/dead-letters', () => {
  it('lists only queue jobs that gave up, with the job, the message and what it was about', async () => {
    const response = await adminGet(viewer, '/admin/anomalies/dead-letters');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(links(html)).toEqual([fixture.depositDead, fixture.purchaseDead].map(anomalyLink));
    const text = textOf(html);
    expect(text).toContain('purchase.requery (attempt 7) dlq-purchase-1 open purchase pur_0000000000deadletter0000');
    expect(text).toContain(`deposit.check (attempt 3) dlq-deposit-1 open deposit ${fixture.depositId}`);
    expect(hrefsOf(html)).toContain('/admin/anomalies/dead-letters.csv');
  });

  it('ignores a kind in the query and exports only dead letters', async () => {
    expect(links(await (await adminGet(viewer, '/admin/anomalies/dead-letters?kind=amount_mismatch')).text())).toHaveLength(2);
    const csv = await (await adminGet(viewer, '/admin/anomalies/dead-letters.csv')).text();
    const rows = csv.trimEnd().split('\r\n').slice(1);
    expect(rows.map((row) => row.split(',')[0])).toEqual([fixture.depositDead, fixture.purchaseDead]);
    expect(rows.every((row) => row.includes(',job_dead_letter,'))).toBe(true);
  });
});

describe('/admin/anomalies/:id', () => {
  it('shows the details escaped', async () => {
    const response = await adminGet(viewer, anomalyLink(fixture.hostile));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;');
  });

  it('says who resolved it, when and what was done', async () => {
    const text = textOf(await (await adminGet(viewer, anomalyLink(fixture.resolved))).text());
    expect(text).toContain(`Resolved by Achieng Otieno (${resolver.email})`);
    expect(text).toContain('What was done Customer refunded by M-Pesa reversal');
  });

  it('shows the deposit, the event and the customer, and offers resolving to operators only', async () => {
    const asViewer = await (await adminGet(viewer, anomalyLink(fixture.mismatch))).text();
    expect(hrefsOf(asViewer)).toEqual(expect.arrayContaining([`/admin/deposits/${fixture.depositId}`, '/admin/events/evt_0000000000abcdefabcdefabcd', `/admin/customers/${fixture.userId}`]));
    expect(textOf(asViewer)).toContain('Open: nobody has resolved it yet.');
    expect(asViewer).not.toContain(`action="/admin/anomalies/${fixture.mismatch}/resolve"`);
    const asOperator = await (await adminGet(resolver, anomalyLink(fixture.mismatch))).text();
    expect(asOperator).toContain(`action="/admin/anomalies/${fixture.mismatch}/resolve"`);
  });

  it('describes a dead letter by its job and message', async () => {
    const text = textOf(await (await adminGet(viewer, anomalyLink(fixture.purchaseDead))).text());
    expect(text).toContain('Dead letter purchase.requery · message dlq-purchase-1');
  });

  it('is 404 for an unknown or malformed id', async () => {
    expect((await adminGet(viewer, '/admin/anomalies/anm_0000000000zzzzzzzzzzzzzzzz')).status).toBe(404);
    expect((await adminGet(viewer, '/admin/anomalies/1%20OR%201=1')).status).toBe(404);
  });
});

describe('recordAnomalyOnce', () => {
  const open = async (kind: string, purchaseId: string) =>
    (await env.DB.prepare("SELECT id FROM anomalies WHERE kind = ? AND status = 'open' AND json_extract(details, '$.purchaseId') = ?").bind(kind, purchaseId).all()).results;

  it('records one open anomaly per kind and record, even when asked at once; a new one after it is resolved', async () => {
    const db = database(env.DB);
    const purchaseId = `pur_once_${crypto.randomUUID()}`;
    const anomaly = { kind: 'purchase_contradiction', provider: 'vtpass', details: { purchaseId, reason: 'failed' } };
    await Promise.all([recordAnomalyOnce(db, anomaly), recordAnomalyOnce(db, anomaly), recordAnomalyOnce(db, anomaly)]);
    const [first, ...rest] = await open('purchase_contradiction', purchaseId);
    expect(rest).toEqual([]);
    await env.DB.prepare("UPDATE anomalies SET status = 'resolved' WHERE id = ?").bind(first!.id).run();
    await recordAnomalyOnce(db, anomaly);
    expect(await open('purchase_contradiction', purchaseId)).toHaveLength(1);
    await recordAnomalyOnce(db, { ...anomaly, kind: 'purchase_underpriced' });
    expect(await open('purchase_underpriced', purchaseId)).toHaveLength(1);
  });
});
