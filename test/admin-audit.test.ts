import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { recordAudit } from '../src/services/audit';
import { adminGet, createStaff, type TestStaff } from './admin-helpers';
import { hrefsOf, rowsOf, textOf } from './console-pages';

let viewer: TestStaff;
let operator: TestStaff;
let admin: TestStaff;
const OLD = Date.parse('2020-06-15T09:00:00+03:00');

const actor = (member: TestStaff) => ({ id: member.id, email: member.email, name: 'Staff', role: member.role });
/** The action of each audit row on the page, top to bottom: the word after the staff email. */
const actions = (html: string) =>
  rowsOf(html)
    .slice(1)
    .map((row) => row.split(' ').find((_, i, words) => words[i - 1]?.includes('@')));

beforeAll(async () => {
  viewer = await createStaff('viewer');
  operator = await createStaff('operator');
  admin = await createStaff('admin');
  const db = database(env.DB);
  // A second apart, so "newest first" has one right answer (ids made in the same millisecond sort at random).
  const at = (seconds: number) => Date.now() - 10_000 + seconds * 1000;
  await recordAudit(db, actor(operator), { action: 'purchase.requery', targetType: 'purchase', targetId: 'pur_audit_1', reason: 'Customer called', before: { status: 'pending' }, after: { status: 'delivered', outcome: 'delivered' } }, OLD);
  await recordAudit(db, actor(operator), { action: 'purchase.requery', targetType: 'purchase', targetId: 'pur_audit_2', reason: 'Sweep missed it', before: { status: 'pending' }, after: { status: 'pending' } }, at(1));
  await recordAudit(db, actor(admin), { action: 'customer.suspend', targetType: 'customer', targetId: 'usr_audit_1', reason: 'Chargeback <b>fraud</b>', before: { status: 'active' }, after: { status: 'suspended' } }, at(2));
  await recordAudit(db, actor(admin), {
    action: 'catalog.service.disable',
    targetType: 'catalog_service',
    targetId: 'mtn',
    reason: 'VTpass outage',
    before: { note: '<script>alert(1)</script>' },
    after: { enabled: false, detail: 'x'.repeat(300) },
  }, at(3));
  await recordAudit(db, actor(admin), { action: 'report.export', targetType: 'report', targetId: 'r-1', reason: 'Month end' }, at(4));
});

describe('/admin/audit', () => {
  it('shows who, what, target (linked where a page exists), why and before/after, newest first, to a viewer', async () => {
    const response = await adminGet(viewer, '/admin/audit');
    expect(response.status).toBe(200);
    const html = await response.text();
    const rows = rowsOf(html).slice(1);
    expect(rows).toHaveLength(5);
    expect(rows[4]).toContain(`${operator.email} purchase.requery purchase pur_audit_1 Customer called {"status":"pending"} {"status":"delivered","outcome":"delivered"}`);
    expect(rows[2]).toContain(`${admin.email} customer.suspend customer usr_audit_1`);
    expect(rows[0]).toContain(`${admin.email} report.export report r-1 Month end — —`);
    const hrefs = hrefsOf(html);
    expect(hrefs).toEqual(expect.arrayContaining(['/admin/purchases/pur_audit_1', '/admin/customers/usr_audit_1', '/admin/catalog']));
    expect(hrefs.some((h) => h.includes('r-1'))).toBe(false);
  });

  it('escapes reasons and snapshots, and folds a long snapshot into a disclosure', async () => {
    const html = await (await adminGet(viewer, '/admin/audit')).text();
    expect(html).not.toContain('<b>fraud</b>');
    expect(html).toContain('Chargeback &lt;b&gt;fraud&lt;/b&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/<details class="snapshot"><summary><span class="visually-hidden">After: <\/span><code>\{&quot;enabled&quot;:false,&quot;detail&quot;:&quot;x{80,}…<\/code><\/summary>/);
  });

  it.each([
    ['staff email, in any case', () => `staffEmail=${operator.email.toUpperCase()}`, ['purchase.requery', 'purchase.requery']],
    ['exact action', () => 'action=customer.suspend', ['customer.suspend']],
    ['action family', () => 'action=catalog', ['catalog.service.disable']],
    ['target type', () => 'targetType=catalog_service', ['catalog.service.disable']],
    ['target id', () => 'targetType=purchase&targetId=pur_audit_2', ['purchase.requery']],
    ['date range', () => 'from=2020-06-15&to=2020-06-15', ['purchase.requery']],
    ['a date range with nothing in it', () => 'from=2020-06-16&to=2021-01-01', []],
  ])('filters by %s', async (_, query, expected) => {
    const response = await adminGet(viewer, `/admin/audit?${query()}`);
    expect(response.status).toBe(200); // an error page has no rows either
    expect(actions(await response.text())).toEqual(expected);
  });

  it('refuses filters that do not parse', async () => {
    const response = await adminGet(viewer, '/admin/audit?action=DROP%20TABLE&from=2021-01-02&to=2021-01-01');
    expect(response.status).toBe(400);
    const text = textOf(await response.text());
    expect(text).toContain('Action: Use an action like purchase.requery');
    expect(text).toContain('To: The end date is before the start date');
  });

  it('pages with the filters kept', async () => {
    const first = await (await adminGet(viewer, `/admin/audit?staffEmail=${encodeURIComponent(admin.email)}&limit=2`)).text();
    expect(actions(first)).toEqual(['report.export', 'catalog.service.disable']);
    const next = hrefsOf(first).find((h) => h.includes('cursor='))!;
    expect(next).toContain(`staffEmail=${encodeURIComponent(admin.email)}`);
    const second = await (await adminGet(viewer, next)).text();
    expect(actions(second)).toEqual(['customer.suspend']);
    expect(textOf(second)).toContain('End of list');
  });

  it('exports CSV with the same filters', async () => {
    const response = await adminGet(viewer, '/admin/audit.csv?targetType=purchase');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/filename="malipo-audit-/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,created_utc,staff_email,action,target_type,target_id,reason,before,after');
    expect(lines.slice(1).map((line) => line.split(',')[5])).toEqual(['pur_audit_2', 'pur_audit_1']);
    expect(lines[2]).toContain(`2020-06-15T06:00:00.000Z,${operator.email},purchase.requery,purchase,pur_audit_1,Customer called,"{""status"":""pending""}"`);
  });
});

describe('the audit log is append-only', () => {
  it('refuses to change or delete a row, even straight in D1', async () => {
    const row = await env.DB.prepare('SELECT id, reason FROM audit_log LIMIT 1').first<{ id: string; reason: string }>();
    expect(row).not.toBeNull();
    await expect(env.DB.prepare("UPDATE audit_log SET reason = 'rewritten' WHERE id = ?").bind(row!.id).run()).rejects.toThrow(/append-only|audit/i);
    await expect(env.DB.prepare('DELETE FROM audit_log WHERE id = ?').bind(row!.id).run()).rejects.toThrow(/append-only|audit/i);
    expect(await env.DB.prepare('SELECT reason FROM audit_log WHERE id = ?').bind(row!.id).first()).toEqual({ reason: row!.reason });
  });
});
