import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { getConfig } from '../src/config';
import { database } from '../src/db/client';
import { ACCESS_HEADER } from '../src/middleware/access';
import { providerFetch } from '../src/providers/http';
import { vtpassClientFromConfig } from '../src/providers/vtpass';
import { consoleOverview, dayNumber } from '../src/services/console/overview';
import { walletLedger } from '../src/services/wallets';
import { formatMoney } from '../src/views/components/money';
import { adminGet, createStaff } from './admin-helpers';
import { insertAnomaly, insertDeposit, insertPurchase, rowStarting, textOf } from './console-pages';
import { call, ORIGIN, postJson, signUpUser } from './helpers';

const KES = (minor: number) => textOf(formatMoney(minor, 'KES'));
const NGN = (minor: number) => textOf(formatMoney(minor, 'NGN'));
const HOUR = 3600_000;

let phoneCounter = 0;
function freshPhone() {
  phoneCounter += 1;
  return `07${String(Date.now() % 1_000_000).padStart(6, '0')}${String(phoneCounter % 100).padStart(2, '0')}`;
}

/** An M-Pesa deposit through the API and the simulator; `settle` delivers its callback. */
async function mpesaDeposit(amount: number, phone: string, settle: boolean) {
  const { cookie } = await signUpUser();
  const response = await postJson('/api/v1/deposits/mpesa', { amount, phone }, { cookie });
  expect(response.status).toBe(202);
  const { data } = (await response.json()) as { data: { id: string } };
  if (settle) {
    const row = await env.DB.prepare('SELECT checkout_request_id AS c FROM deposits WHERE id = ?').bind(data.id).first<{ c: string }>();
    expect((await call(`/__sim/mpesa/flush?checkoutRequestId=${encodeURIComponent(row!.c)}`, { method: 'POST' })).status).toBe(200);
  }
  return data.id;
}

/** A VTpass airtime purchase through the API and the simulator. */
async function airtime(cookie: string, recipient: string, amount: number, expected: string) {
  const response = await postJson('/api/v1/purchases', { serviceId: 'mtn', recipient, amount }, { cookie, 'idempotency-key': `k-${recipient}-${Date.now()}` });
  const { data } = (await response.json()) as { data: { status: string } };
  expect(data.status).toBe(expected);
}

/** `/admin` as the Worker's fetch handler serves it with some configuration replaced. */
async function overviewWith(vars: Record<string, string>, token: string) {
  const request = new Request(`${ORIGIN}/admin`, { headers: { [ACCESS_HEADER]: token, accept: 'text/html' } });
  return worker.fetch(request, { ...env, ...vars } as Env, createExecutionContext());
}

describe('/admin overview, from live deposits and purchases', () => {
  // First in the file: every figure for today below comes from this test's own flows.
  it('counts today by status, pending work, failure rates and VTpass float, and draws the chart with a text alternative', async () => {
    const viewer = await createStaff('viewer');
    await mpesaDeposit(150_000, freshPhone(), true);
    await mpesaDeposit(20_000, '254700000001', true); // cancelled
    await mpesaDeposit(5_000, freshPhone(), false); // waits for its callback
    const buyer = await signUpUser();
    await walletLedger(env, buyer.user.id, 'NGN').credit({ id: `fund-${buyer.user.id}`, amount: 100_000, account: 'monnify:clearing' });
    await airtime(buyer.cookie, '08011111111', 10_000, 'delivered');
    await airtime(buyer.cookie, '08099999999', 5_000, 'failed');

    const response = await adminGet(viewer, '/admin');
    expect(response.status).toBe(200);
    const html = await response.text();
    const float = await vtpassClientFromConfig(getConfig(env), providerFetch(env)).balance();

    expect(textOf(html)).toContain('Business day: Africa/Nairobi (EAT, UTC+3)');
    expect(rowStarting(html, 'Deposits KES succeeded')).toBe(`Deposits KES succeeded 1 ${KES(150_000)} 1 ${KES(150_000)}`);
    expect(rowStarting(html, 'Deposits KES failed')).toBe(`Deposits KES failed 1 ${KES(20_000)} 1 ${KES(20_000)}`);
    expect(rowStarting(html, 'Deposits KES pending')).toBe(`Deposits KES pending 1 ${KES(5_000)} 1 ${KES(5_000)}`);
    expect(rowStarting(html, 'Deposits NGN succeeded')).toBe(`Deposits NGN succeeded 0 ${NGN(0)} 0 ${NGN(0)}`);
    expect(rowStarting(html, 'Purchases NGN delivered')).toBe(`Purchases NGN delivered 1 ${NGN(10_000)} 1 ${NGN(10_000)}`);
    expect(rowStarting(html, 'Purchases NGN failed')).toBe(`Purchases NGN failed 1 ${NGN(5_000)} 1 ${NGN(5_000)}`);

    expect(rowStarting(html, 'M-Pesa deposits')).toBe('M-Pesa deposits 1 / 2 (50.0%) 1 / 2 (50.0%)');
    expect(rowStarting(html, 'Monnify deposits')).toBe('Monnify deposits 0 / 0 0 / 0');
    expect(rowStarting(html, 'VTpass purchases')).toBe('VTpass purchases (failed or reversed) 1 / 2 (50.0%) 1 / 2 (50.0%)');

    const text = textOf(html);
    expect(text).toMatch(/Pending deposits : 1 , oldest waiting \d+ s/);
    expect(text).toContain('Pending purchases (still being requeried) : 0');
    expect(text).toContain(`VTpass float ${NGN(float.balanceKobo)}`);
    expect(html).toContain('href="/admin/deposits?status=pending"');

    // The chart: an SVG with a text summary as its name, and every day's figure in a table.
    const today = new Date(dayNumber(Date.now()) * 86_400_000).toISOString().slice(0, 10);
    expect(html).toContain('<svg role="img" aria-labelledby="chart-kes-title"');
    expect(html).toMatch(new RegExp(`<title id="chart-kes-title">KES volume over 14 days\\. Totals: Succeeded deposits ${KES(150_000).replace(/\s/g, '\\s')}`));
    expect(html.match(/<rect /g)).toHaveLength(14 + 28);
    const tables = [...html.matchAll(/<div class="visually-hidden"><table>([\s\S]*?)<\/table><\/div>/g)].map((m) => m[1]!);
    expect(tables).toHaveLength(2);
    expect(textOf(tables[0]!)).toContain('KES volume per day Day Succeeded deposits');
    expect(rowStarting(tables[0]!, today)).toBe(`${today} ${KES(150_000)}`);
    expect(rowStarting(tables[1]!, today)).toBe(`${today} ${NGN(0)} ${NGN(10_000)}`);
    expect(tables[1]!.match(/<tr>/g)).toHaveLength(15);
  });

  it('shows the float as unavailable when VTpass refuses or cannot be reached, and still renders', async () => {
    const viewer = await createStaff('viewer');
    const refused = await overviewWith({ VTPASS_API_KEY: 'dev-wrong-key' }, viewer.token);
    expect(refused.status).toBe(200);
    const refusedText = textOf(await refused.text());
    expect(refusedText).toContain('VTpass float Unavailable: VTpass did not give a balance (rejected)');
    expect(refusedText).toContain('Deposits and purchases');

    // Nothing listens there: workerd logs the refused connection, the client reports a network error.
    const unreachable = await overviewWith({ VTPASS_BASE_URL: 'http://127.0.0.1:9/api/' }, viewer.token);
    expect(unreachable.status).toBe(200);
    expect(textOf(await unreachable.text())).toMatch(/Unavailable: VTpass did not give a balance \((network-error|timeout)\)/);
  });
});

describe('consoleOverview: the business-day windows (Nairobi days, weeks from Monday)', () => {
  // Wednesday 12 March 2031, 10:00 EAT: far from every other test's rows.
  const now = Date.parse('2031-03-12T10:00:00+03:00');
  const at = (iso: string) => Date.parse(`${iso}+03:00`);

  it('puts each row in today, this week and the chart by its Nairobi day, and measures pending work from the oldest row', async () => {
    const db = database(env.DB);
    const before = await consoleOverview(db, now);
    const { user } = await signUpUser();
    await insertDeposit(user.id, { createdAt: at('2031-03-12T09:00:00'), amount: 150_000, status: 'succeeded' });
    await insertDeposit(user.id, { createdAt: at('2031-03-12T00:00:00'), amount: 50_000, status: 'succeeded' }); // first moment of today
    await insertDeposit(user.id, { createdAt: at('2031-03-11T23:59:59.999'), amount: 10_000, status: 'failed' }); // Tuesday
    await insertDeposit(user.id, { createdAt: at('2031-03-09T23:00:00'), amount: 70_000, status: 'succeeded' }); // Sunday: last week
    await insertDeposit(user.id, { createdAt: at('2031-02-27T00:00:00'), amount: 1_000, status: 'succeeded' }); // first chart day
    await insertDeposit(user.id, { createdAt: at('2031-02-26T23:59:59'), amount: 9_999, status: 'succeeded' }); // before the chart
    await insertDeposit(user.id, { createdAt: at('2031-03-12T08:00:00'), amount: 500_000, status: 'succeeded', method: 'monnify' });
    await insertDeposit(user.id, { createdAt: at('2031-03-12T08:30:00'), amount: 200_000, status: 'pending', method: 'monnify' });
    await insertPurchase(user.id, { createdAt: at('2031-03-12T07:00:00'), amount: 10_000, status: 'delivered' });
    await insertPurchase(user.id, { createdAt: at('2031-03-12T07:05:00'), amount: 5_000, status: 'failed' });
    await insertPurchase(user.id, { createdAt: at('2031-03-10T00:00:00'), amount: 20_000, status: 'reversed' }); // Monday
    await insertPurchase(user.id, { createdAt: at('2031-02-20T12:00:00'), amount: 30_000, status: 'delivered' });
    // Pending work from long ago is the oldest, whatever else is pending.
    const oldDeposit = Date.parse('2020-01-01T00:00:00Z');
    await insertDeposit(user.id, { createdAt: oldDeposit, amount: 100, status: 'pending' });
    await insertPurchase(user.id, { createdAt: oldDeposit + HOUR, amount: 100, status: 'pending' });
    await insertPurchase(user.id, { createdAt: oldDeposit + 2 * HOUR, amount: 100, status: 'pending', escalatedAt: oldDeposit + 3 * HOUR });
    await insertAnomaly({ kind: 'overview_test_kind', details: {} });
    await insertAnomaly({ kind: 'overview_test_kind', details: {} });
    await insertAnomaly({ kind: 'overview_test_kind', details: {}, resolved: { by: 'x@malipo.test', at: now, resolution: 'fine' } });

    const o = await consoleOverview(db, now);
    expect(o.todayStart).toBe(at('2031-03-12T00:00:00'));
    expect(o.weekStart).toBe(at('2031-03-10T00:00:00'));
    const line = (flow: string, currency: string, status: string) => o.lines.find((l) => l.flow === flow && l.currency === currency && l.status === status);
    expect(line('deposits', 'KES', 'succeeded')).toMatchObject({ today: { count: 2, volume: 200_000 }, week: { count: 2, volume: 200_000 } });
    expect(line('deposits', 'KES', 'failed')).toMatchObject({ today: { count: 0, volume: 0 }, week: { count: 1, volume: 10_000 } });
    expect(line('deposits', 'NGN', 'succeeded')).toMatchObject({ today: { count: 1, volume: 500_000 }, week: { count: 1, volume: 500_000 } });
    expect(line('deposits', 'NGN', 'pending')).toMatchObject({ today: { count: 1, volume: 200_000 } });
    expect(line('purchases', 'NGN', 'delivered')).toMatchObject({ today: { count: 1, volume: 10_000 }, week: { count: 1, volume: 10_000 } });
    expect(line('purchases', 'NGN', 'reversed')).toMatchObject({ today: { count: 0, volume: 0 }, week: { count: 1, volume: 20_000 } });

    expect(o.rates).toEqual([
      { provider: 'mpesa', today: { failed: 0, settled: 2 }, week: { failed: 1, settled: 3 } },
      { provider: 'monnify', today: { failed: 0, settled: 1 }, week: { failed: 0, settled: 1 } },
      { provider: 'vtpass', today: { failed: 1, settled: 2 }, week: { failed: 2, settled: 3 } },
    ]);

    const [kes, ngn] = o.charts;
    expect(kes!.days.map((d) => d.day)).toHaveLength(14);
    expect(kes!.days[0]).toEqual({ day: '2031-02-27', deposits: 1_000, purchases: 0 });
    expect(kes!.days.at(-1)).toEqual({ day: '2031-03-12', deposits: 200_000, purchases: 0 });
    expect(kes!.days.find((d) => d.day === '2031-03-09')!.deposits).toBe(70_000);
    expect(kes!.days.find((d) => d.day === '2031-03-11')!.deposits).toBe(0); // failed is not volume
    expect(ngn!.days.at(-1)).toEqual({ day: '2031-03-12', deposits: 500_000, purchases: 10_000 });
    expect(ngn!.days.find((d) => d.day === '2031-03-10')!.purchases).toBe(0); // reversed is not volume

    const pending = Object.fromEntries(o.pending.map((p) => [p.what, p]));
    const was = Object.fromEntries(before.pending.map((p) => [p.what, p]));
    expect(pending.deposits).toEqual({ what: 'deposits', count: was.deposits!.count + 2, oldestAt: oldDeposit });
    expect(pending.purchases).toEqual({ what: 'purchases', count: was.purchases!.count + 1, oldestAt: oldDeposit + HOUR });
    expect(pending.escalated).toEqual({ what: 'escalated', count: was.escalated!.count + 1, oldestAt: oldDeposit + 2 * HOUR });
    expect(o.openAnomalies).toContainEqual({ kind: 'overview_test_kind', count: 2 });
  });

  it('links each open anomaly kind to the filtered list, for a viewer', async () => {
    const viewer = await createStaff('viewer');
    await insertAnomaly({ kind: 'amount_mismatch', provider: 'monnify', details: { problems: ['<b>x</b>'] } });
    const html = await (await adminGet(viewer, '/admin')).text();
    expect(html).toContain('href="/admin/anomalies?kind=amount_mismatch"');
    expect(html).toMatch(/amount mismatch<\/a>: <strong>\d+<\/strong>/);
  });
});
