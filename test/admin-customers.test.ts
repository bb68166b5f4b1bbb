import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { deposits, purchases, users } from '../src/db/schema';
import { newId } from '../src/lib/crypto';
import { recordAudit } from '../src/services/audit';
import { walletLedger } from '../src/services/wallets';
import { formatMoney } from '../src/views/components/money';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { call, signUpUser } from './helpers';

const db = database(env.DB);
let viewer: TestStaff;
let seq = 0;

beforeAll(async () => {
  viewer = await createStaff('viewer');
});

/** A customer row at a chosen moment (ids carry their creation time), for listing tests. */
async function insertCustomer(fields: { name: string; email?: string; phone?: string | null; status?: 'active' | 'suspended'; at?: number }) {
  seq += 1;
  const at = fields.at ?? Date.now();
  const id = newId('usr', at);
  const row = {
    id,
    email: fields.email ?? `c${seq}-${at.toString(36)}@example.com`,
    name: fields.name,
    phone: fields.phone ?? null,
    passwordHash: 'not-a-real-hash',
    referralCode: `R${seq}${at.toString(36)}`.toUpperCase(),
    status: fields.status ?? 'active',
    createdAt: at,
    updatedAt: at,
  };
  await db.insert(users).values(row);
  return row;
}

async function page(path: string, status = 200) {
  const response = await adminGet(viewer, path);
  expect(response.status).toBe(status);
  return response.text();
}

const detailLink = (id: string) => `href="/admin/customers/${id}"`;

describe('/admin/customers list', () => {
  it('needs Access: no token is 401 (the dev sign-in page in a browser, the error envelope for JSON)', async () => {
    const browser = await call('/admin/customers', { headers: { accept: 'text/html' } });
    expect(browser.status).toBe(401);
    expect(await browser.text()).toContain('/__sim/access/login?redirect=%2Fadmin%2Fcustomers');
    const json = await call('/admin/customers.csv', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(401);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('shows name, email, phone, status and join date to a viewer, newest first', async () => {
    const older = await insertCustomer({ name: 'Achieng Older', phone: '0711000001', at: Date.parse('2026-02-01T08:00:00Z') });
    const newer = await insertCustomer({ name: 'Achieng Newer', phone: '0711000002', at: Date.parse('2026-02-02T08:00:00Z') });
    const html = await page('/admin/customers?q=Achieng');
    expect(html).toContain(newer.email);
    expect(html).toContain('0711000002');
    expect(html).toContain('1 Feb 2026, 11:00 EAT');
    expect(html.indexOf(detailLink(newer.id))).toBeGreaterThan(-1);
    expect(html.indexOf(detailLink(newer.id))).toBeLessThan(html.indexOf(detailLink(older.id)));
    expect(html).toContain('<label for="filter-q">');
    expect(html).toContain('<label for="filter-status">');
  });

  it('searches by email (any case), part of a name, phone in another form, and exact id', async () => {
    const wanjiru = await insertCustomer({ name: 'Wanjiru Searchable', email: 'wanjiru.s@example.com', phone: '+254722333444' });
    const other = await insertCustomer({ name: 'Otieno Elsewhere', email: 'otieno.e@example.com', phone: '0733999888' });
    for (const q of ['WANJIRU.S@EXAMPLE.COM', 'ru Searchab', '0722 333 444', wanjiru.id]) {
      const html = await page(`/admin/customers?q=${encodeURIComponent(q)}`);
      expect(html, q).toContain(detailLink(wanjiru.id));
      expect(html, q).not.toContain(detailLink(other.id));
    }
    expect(await page('/admin/customers?q=nobody-matches-this')).toContain('No customers match these filters.');
  });

  it('treats % and _ in a search as literal characters', async () => {
    const literal = await insertCustomer({ name: 'Percent 100%_Name' });
    const plain = await insertCustomer({ name: 'Percent 1000 Name' });
    const html = await page(`/admin/customers?q=${encodeURIComponent('100%_')}`);
    expect(html).toContain(detailLink(literal.id));
    expect(html).not.toContain(detailLink(plain.id));
  });

  it('filters by status, and refuses an unknown status with 400 and a message', async () => {
    const active = await insertCustomer({ name: 'Statusfilter Active' });
    const suspended = await insertCustomer({ name: 'Statusfilter Suspended', status: 'suspended' });
    const onlySuspended = await page('/admin/customers?q=Statusfilter&status=suspended');
    expect(onlySuspended).toContain(detailLink(suspended.id));
    expect(onlySuspended).not.toContain(detailLink(active.id));
    const onlyActive = await page('/admin/customers?q=Statusfilter&status=active');
    expect(onlyActive).toContain(detailLink(active.id));
    expect(onlyActive).not.toContain(detailLink(suspended.id));
    const any = await page('/admin/customers?q=Statusfilter&status=');
    expect(any).toContain(detailLink(active.id));
    expect(any).toContain(detailLink(suspended.id));

    const bad = await page('/admin/customers?status=deleted', 400);
    expect(bad).toContain('Status: Choose one of: active, suspended');
    expect(bad).toContain('<form class="filters"');
    expect((await adminGet(viewer, '/admin/customers?limit=5000')).status).toBe(400);
  });

  it('pages newest first with a cursor that keeps the filters, and shows the end of the list', async () => {
    const base = Date.parse('2026-03-01T00:00:00Z');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await insertCustomer({ name: `Pagetoken Customer ${i}`, at: base + i * 60_000 }));
    const first = await page('/admin/customers?q=Pagetoken&limit=2');
    expect(first).toContain(detailLink(made[4]!.id));
    expect(first).toContain(detailLink(made[3]!.id));
    expect(first).not.toContain(detailLink(made[2]!.id));
    expect(first).toContain(`href="/admin/customers?q=Pagetoken&amp;limit=2&amp;cursor=${made[3]!.id}"`);
    expect(first).toContain('href="/admin/customers.csv?q=Pagetoken&amp;limit=2"');

    const second = await page(`/admin/customers?q=Pagetoken&limit=2&cursor=${made[3]!.id}`);
    expect(second).toContain(detailLink(made[2]!.id));
    expect(second).toContain(detailLink(made[1]!.id));
    expect(second).not.toContain(detailLink(made[3]!.id));
    const third = await page(`/admin/customers?q=Pagetoken&limit=2&cursor=${made[1]!.id}`);
    expect(third).toContain(detailLink(made[0]!.id));
    expect(third).toContain('End of list');
  });

  it('escapes customer-controlled text', async () => {
    const evil = await insertCustomer({ name: '<script>alert(1)</script>', phone: '"><img src=x onerror=alert(2)>' });
    for (const path of ['/admin/customers?q=alert', `/admin/customers/${evil.id}`]) {
      const html = await page(path);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toContain('<img src=x');
    }
  });
});

describe('/admin/customers.csv', () => {
  it('exports the same filters with a header row, and guards against formula injection', async () => {
    const at = Date.parse('2026-04-01T09:30:00Z');
    const formula = await insertCustomer({ name: '=HYPERLINK("http://evil")', email: 'csvtoken-a@example.com', phone: '0700111222', at });
    const suspended = await insertCustomer({ name: 'Csvtoken Suspended', email: 'csvtoken-b@example.com', status: 'suspended', at: at + 1000 });
    const response = await adminGet(viewer, '/admin/customers.csv?q=csvtoken&status=active&cursor=ignored');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="malipo-customers-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,email,name,phone,status,referral_code,joined_utc');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`${formula.id},csvtoken-a@example.com,"'=HYPERLINK(""http://evil"")",0700111222,active,${formula.referralCode},2026-04-01T09:30:00.000Z`);
    expect(lines.join('\n')).not.toContain(suspended.id);
  });

  it('refuses bad filters with 400', async () => {
    const response = await adminGet(viewer, '/admin/customers.csv?status=nope');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Status');
  });
});

describe('/admin/customers/:id', () => {
  it('shows the profile, both wallets, recent deposits and purchases, sessions, the ledger link and the audit trail', async () => {
    const { user } = await signUpUser({ name: 'Detail Kamau', phone: '0712345678' });
    await walletLedger(env, user.id, 'KES').credit({ id: `seed-kes-${user.id}`, amount: 250_000, account: 'mpesa:clearing' });
    await walletLedger(env, user.id, 'NGN').credit({ id: `seed-ngn-${user.id}`, amount: 1_000_000, account: 'monnify:clearing' });
    await walletLedger(env, user.id, 'NGN').hold({ id: `hold-${user.id}`, amount: 300_000, account: 'vtpass:float', reference: 'purchase:test', timeoutMs: 3_600_000, onDeadline: 'notify' });
    const now = Date.now();
    const depositId = newId('dep', now);
    const purchaseId = newId('pur', now);
    await db.insert(deposits).values({ id: depositId, userId: user.id, method: 'mpesa', currency: 'KES', amount: 150_000, status: 'pending', phone: '254712345678', expiresAt: now + 60_000, createdAt: now, updatedAt: now });
    await db.insert(purchases).values({
      id: purchaseId,
      userId: user.id,
      serviceId: 'mtn',
      category: 'airtime',
      recipient: '08011111111',
      phone: '08011111111',
      amount: 10_000,
      status: 'delivered',
      requestId: `req-${purchaseId}`,
      idempotencyKey: `k-${purchaseId}`,
      requestHash: 'h',
      createdAt: now,
      updatedAt: now,
    });
    const operator = await createStaff('operator');
    await recordAudit(db, { ...operator, name: 'Ops' }, { action: 'customer.suspend', targetType: 'customer', targetId: user.id, reason: 'Chargeback investigation', before: { status: 'active' }, after: { status: 'suspended' } });

    const html = await page(`/admin/customers/${user.id}`);
    expect(html).toContain('Detail Kamau');
    expect(html).toContain(user.email);
    expect(html).toContain('0712345678');
    expect(html).toContain(user.referralCode);
    expect(html).toContain(formatMoney(250_000, 'KES'));
    expect(html).toContain(formatMoney(1_000_000, 'NGN'));
    expect(html).toContain(formatMoney(300_000, 'NGN'));
    expect(html).toContain(formatMoney(700_000, 'NGN'));
    expect(html).toMatch(/<dt>Active sessions<\/dt><dd>1<\/dd>/);
    expect(html).toContain(`href="/admin/ledger?userId=${user.id}"`);
    expect(html).toContain(`href="/admin/deposits/${depositId}"`);
    expect(html).toContain(`href="/admin/purchases/${purchaseId}"`);
    expect(html).toContain('customer.suspend');
    expect(html).toContain('Chargeback investigation');
    expect(html).toContain(operator.email);
    expect(html).not.toContain('not-a-real-hash');
  });

  it('does not show the password hash', async () => {
    const { user } = await signUpUser();
    const row = await db.query.users.findFirst({ where: eq(users.id, user.id) });
    expect(await page(`/admin/customers/${user.id}`)).not.toContain(row!.passwordHash);
  });

  it('is a 404 page for an unknown id', async () => {
    const html = await page('/admin/customers/usr_doesnotexist', 404);
    expect(html).toContain('No customer with this id');
  });
});
