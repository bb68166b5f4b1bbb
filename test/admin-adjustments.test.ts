import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { database } from '../src/db/client';
import { ACCESS_HEADER } from '../src/middleware/access';
import { adjustments } from '../src/db/schema';
import { getConfig } from '../src/config';
import { majorAmount, requestAdjustment, STALLED_MS } from '../src/services/adjustments';
import { walletLedger } from '../src/services/wallets';
import { adminGet, adminPost, auditRowsFor, createStaff, type TestStaff } from './admin-helpers';
import { call, signUpUser } from './helpers';
import { expectLedgerInvariants } from './invariants';

const db = () => database(env.DB);
const json = (text: string | null) => JSON.parse(text ?? 'null') as Record<string, unknown>;

async function adjustmentsOf(userId: string) {
  return db().query.adjustments.findMany({ where: (t, { eq }) => eq(t.userId, userId), orderBy: (t, { asc }) => asc(t.id) });
}

/** Asks for an adjustment as `admin` and returns the row it created. */
async function request(admin: TestStaff, userId: string, fields: { currency: string; direction: string; amount: string; reason?: string; requestKey?: string }) {
  const response = await adminPost(admin, `/admin/customers/${userId}/adjustments`, { reason: 'goodwill after outage', requestKey: crypto.randomUUID(), ...fields });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(`/admin/customers/${userId}`);
  return (await adjustmentsOf(userId)).at(-1)!;
}

/** Wallet entries written by one adjustment's transfer id (the wallet side). */
async function entriesOf(userId: string, currency: 'KES' | 'NGN', transferId: string) {
  const { entries } = await walletLedger(env, userId, currency).entries({ limit: 100 });
  return entries.filter((e) => e.transferId === transferId);
}

describe('amounts in major units', () => {
  it('parses what staff type, exactly, and refuses the rest', () => {
    expect(majorAmount.parse('1,500.50')).toBe(150_050);
    expect(majorAmount.parse('250')).toBe(25_000);
    expect(majorAmount.parse('0.1')).toBe(10);
    expect(majorAmount.parse('1234567.89')).toBe(123_456_789);
    for (const bad of ['1,50.00', '1.234', '-5', '0', '0.00', 'abc', '', '1e3', '200,000,000.00']) expect(majorAmount.safeParse(bad).success, bad).toBe(false);
  });
});

describe('adjustments at or below the threshold', () => {
  it('a small credit is applied at once through the ledger: transfer id = adjustment id, adjustments account, one audit row', async () => {
    const admin = await createStaff('admin');
    const { user } = await signUpUser();
    const row = await request(admin, user.id, { currency: 'KES', direction: 'credit', amount: '1,500.50' });
    expect(row).toMatchObject({ status: 'applied', amount: 150_050, currency: 'KES', direction: 'credit', requestedBy: admin.id, decidedBy: null, decidedAt: expect.any(Number) });
    expect(await expectLedgerInvariants(user.id, 'KES')).toEqual({ balance: 150_050, held: 0, available: 150_050 });
    const [entry, ...others] = await entriesOf(user.id, 'KES', row.id);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ account: 'adjustments', direction: 'credit', amount: 150_050, reference: `adjustment:${row.id}` });

    const audit = await auditRowsFor('adjustment', row.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'adjustment.request', staffId: admin.id, reason: 'goodwill after outage' });
    expect(json(audit[0]!.after)).toMatchObject({ status: 'applied', userId: user.id, amount: 150_050, direction: 'credit' });
  });

  it('a debit the wallet cannot cover fails with a note and moves nothing', async () => {
    const admin = await createStaff('admin');
    const { user } = await signUpUser();
    await walletLedger(env, user.id, 'NGN').credit({ id: `fund-${user.id}`, amount: 10_000, account: 'monnify:clearing' });
    const row = await request(admin, user.id, { currency: 'NGN', direction: 'debit', amount: '500' });
    expect(row.status).toBe('failed');
    expect(row.note).toContain('cannot cover this debit');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    expect(await entriesOf(user.id, 'NGN', row.id)).toEqual([]);
    const audit = await auditRowsFor('adjustment', row.id);
    expect(audit).toHaveLength(1);
    expect(json(audit[0]!.after)).toMatchObject({ status: 'failed', note: row.note });

    const covered = await request(admin, user.id, { currency: 'NGN', direction: 'debit', amount: '60.00' });
    expect(covered.status).toBe('applied');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 4_000, held: 0, available: 4_000 });
    expect((await auditRowsFor('adjustment', covered.id)).map((r) => r.action)).toEqual(['adjustment.request']);
  });

  it('the same form sent twice is one adjustment; its key with other details is refused', async () => {
    const admin = await createStaff('admin');
    const { user } = await signUpUser();
    const fields = { currency: 'KES', direction: 'credit', amount: '250', requestKey: crypto.randomUUID() };
    const [first, again] = await Promise.all([request(admin, user.id, fields), request(admin, user.id, fields)]);
    expect(again.id).toBe(first.id);
    expect(await adjustmentsOf(user.id)).toHaveLength(1);
    expect(await entriesOf(user.id, 'KES', first.id)).toHaveLength(1);
    expect(await expectLedgerInvariants(user.id, 'KES')).toEqual({ balance: 25_000, held: 0, available: 25_000 });
    expect(await auditRowsFor('adjustment', first.id)).toHaveLength(1);
    const reused = await adminPost(admin, `/admin/customers/${user.id}/adjustments`, { ...fields, amount: '2,500', reason: 'goodwill after outage' });
    expect(reused.status).toBe(409);
    expect(await adjustmentsOf(user.id)).toHaveLength(1);
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(25_000);
  });

  it('a wallet that does not answer leaves the adjustment claimed, with an audit row, to be finished once', async () => {
    const [admin, other] = await Promise.all([createStaff('admin'), createStaff('admin')]);
    const { user } = await signUpUser();
    // The wallet object is unreachable for this one call: every RPC on its stub fails in transport.
    const unreachable = { ...env, WALLET_LEDGER: { getByName: () => ({ credit: () => Promise.reject(new Error('network connection lost')) }) } } as unknown as Env;
    const actor = { id: admin.id, email: admin.email, name: 'Admin', role: 'admin' as const };
    const input = { currency: 'KES' as const, direction: 'credit' as const, amount: 30_000, reason: 'goodwill', requestKey: crypto.randomUUID() };
    const row = await requestAdjustment(unreachable, getConfig(env), actor, user.id, input);
    expect(row.status).toBe('applying');
    expect(await entriesOf(user.id, 'KES', row.id)).toEqual([]);
    expect((await auditRowsFor('adjustment', row.id)).map((r) => json(r.after).status)).toEqual(['applying']);

    await db().update(adjustments).set({ decidedAt: row.decidedAt! - STALLED_MS }).where(eq(adjustments.id, row.id));
    expect((await adminPost(other, `/admin/adjustments/${row.id}/approve`, { reason: 'finishing after the outage' })).status).toBe(303);
    expect((await adjustmentsOf(user.id))[0]!.status).toBe('applied');
    expect(await entriesOf(user.id, 'KES', row.id)).toHaveLength(1);
    expect(await expectLedgerInvariants(user.id, 'KES')).toEqual({ balance: 30_000, held: 0, available: 30_000 });
  });

  it('exactly the threshold is applied at once; a cent more waits', async () => {
    const admin = await createStaff('admin');
    const { user } = await signUpUser();
    expect((await request(admin, user.id, { currency: 'KES', direction: 'credit', amount: '10,000.00' })).status).toBe('applied');
    expect((await request(admin, user.id, { currency: 'KES', direction: 'credit', amount: '10,000.01' })).status).toBe('pending_approval');
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(1_000_000);
  });

  it('a bad form is refused with the field messages; operators and viewers cannot ask at all', async () => {
    const [admin, operator, viewer] = await Promise.all([createStaff('admin'), createStaff('operator'), createStaff('viewer')]);
    const { user } = await signUpUser();
    const bad = await adminPost(admin, `/admin/customers/${user.id}/adjustments`, { currency: 'USD', direction: 'credit', amount: '1,50.00', reason: 'x' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    for (const message of ['Choose KES or NGN', 'Enter an amount like 1,500.50', 'Say why (at least 3 characters)']) expect(html).toContain(message);
    for (const member of [operator, viewer]) {
      expect((await adminPost(member, `/admin/customers/${user.id}/adjustments`, { currency: 'KES', direction: 'credit', amount: '10', reason: 'goodwill' })).status).toBe(403);
    }
    expect((await adminPost(admin, '/admin/customers/usr_missing/adjustments', { currency: 'KES', direction: 'credit', amount: '10', reason: 'goodwill', requestKey: 'k-missing' })).status).toBe(404);
    expect(await adjustmentsOf(user.id)).toEqual([]);
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
  });
});

describe('above the threshold: a second admin decides', () => {
  it('waits for approval; the requester, operators and viewers cannot approve; another admin applies it once', async () => {
    const [requester, approver, operator, viewer] = await Promise.all([createStaff('admin'), createStaff('admin'), createStaff('operator'), createStaff('viewer')]);
    const { user } = await signUpUser();
    const row = await request(requester, user.id, { currency: 'KES', direction: 'credit', amount: '10,000.01' });
    expect(row.status).toBe('pending_approval');
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);

    const own = await adminPost(requester, `/admin/adjustments/${row.id}/approve`, { reason: 'approving my own' });
    expect(own.status).toBe(403);
    expect(await own.text()).toContain('You requested this adjustment, so you cannot approve it: a different admin must');
    expect((await adminPost(requester, `/admin/adjustments/${row.id}/reject`, { reason: 'rejecting my own' })).status).toBe(403);
    for (const member of [operator, viewer]) {
      expect((await adminPost(member, `/admin/adjustments/${row.id}/approve`, { reason: 'looks fine' })).status).toBe(403);
      expect((await adminPost(member, `/admin/adjustments/${row.id}/reject`, { reason: 'looks wrong' })).status).toBe(403);
    }
    expect((await adjustmentsOf(user.id))[0]!.status).toBe('pending_approval');
    expect((await auditRowsFor('adjustment', row.id)).map((r) => r.action)).toEqual(['adjustment.request']);

    const approved = await adminPost(approver, `/admin/adjustments/${row.id}/approve`, { reason: 'checked the outage ticket' });
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toBe('/admin/adjustments');
    expect((await adjustmentsOf(user.id))[0]).toMatchObject({ status: 'applied', decidedBy: approver.id });
    expect(await expectLedgerInvariants(user.id, 'KES')).toEqual({ balance: 1_000_001, held: 0, available: 1_000_001 });

    const again = await adminPost(approver, `/admin/adjustments/${row.id}/approve`, { reason: 'approving twice' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already applied');
    expect((await adminPost(approver, `/admin/adjustments/${row.id}/reject`, { reason: 'too late to reject' })).status).toBe(409);
    const audit = await auditRowsFor('adjustment', row.id);
    expect(audit.map((r) => [r.action, r.staffId])).toEqual([
      ['adjustment.request', requester.id],
      ['adjustment.approve', approver.id],
    ]);
    expect(json(audit[0]!.after)).toMatchObject({ status: 'pending_approval' });
    expect(json(audit[1]!.before)).toEqual({ status: 'pending_approval' });
    expect(json(audit[1]!.after)).toMatchObject({ status: 'applied' });
    expect(await entriesOf(user.id, 'KES', row.id)).toHaveLength(1);
  });

  it('another admin rejects with a reason: nothing moves and it cannot be approved afterwards', async () => {
    const [requester, decider] = await Promise.all([createStaff('admin'), createStaff('admin')]);
    const { user } = await signUpUser();
    const row = await request(requester, user.id, { currency: 'NGN', direction: 'credit', amount: '50,000.01' });
    expect(row.status).toBe('pending_approval');
    expect((await adminPost(decider, `/admin/adjustments/${row.id}/reject`, { reason: 'no ticket for this' })).status).toBe(303);
    expect((await adjustmentsOf(user.id))[0]).toMatchObject({ status: 'rejected', note: 'no ticket for this', decidedBy: decider.id });
    expect((await adminPost(decider, `/admin/adjustments/${row.id}/approve`, { reason: 'changed my mind' })).status).toBe(409);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 0, held: 0, available: 0 });
    expect((await auditRowsFor('adjustment', row.id)).map((r) => r.action)).toEqual(['adjustment.request', 'adjustment.reject']);
  });

  it('two admins approving at once move the money once and leave one approval', async () => {
    const [requester, a, b] = await Promise.all([createStaff('admin'), createStaff('admin'), createStaff('admin')]);
    const { user } = await signUpUser();
    const row = await request(requester, user.id, { currency: 'KES', direction: 'credit', amount: '20,000' });
    const statuses = (await Promise.all([a, b].map((admin) => adminPost(admin, `/admin/adjustments/${row.id}/approve`, { reason: 'approved' })))).map((r) => r.status);
    expect(statuses.sort()).toEqual([303, 409]);
    expect(await entriesOf(user.id, 'KES', row.id)).toHaveLength(1);
    expect(await expectLedgerInvariants(user.id, 'KES')).toEqual({ balance: 2_000_000, held: 0, available: 2_000_000 });
    expect((await auditRowsFor('adjustment', row.id)).filter((r) => r.action === 'adjustment.approve')).toHaveLength(1);
  });

  it('approve and reject at once: whichever wins, the wallet agrees with the final status', async () => {
    const [requester, a, b] = await Promise.all([createStaff('admin'), createStaff('admin'), createStaff('admin')]);
    const { user } = await signUpUser();
    const row = await request(requester, user.id, { currency: 'KES', direction: 'credit', amount: '30,000' });
    const [approve, reject] = await Promise.all([
      adminPost(a, `/admin/adjustments/${row.id}/approve`, { reason: 'approved' }),
      adminPost(b, `/admin/adjustments/${row.id}/reject`, { reason: 'rejected' }),
    ]);
    expect([approve.status, reject.status].sort()).toEqual([303, 409]);
    const final = (await adjustmentsOf(user.id))[0]!;
    const balance = await expectLedgerInvariants(user.id, 'KES');
    expect(balance.balance).toBe(final.status === 'applied' ? 3_000_000 : 0);
    expect(final.status).toBe(approve.status === 303 ? 'applied' : 'rejected');
    // The approval claims the row before any money moves, so a losing approval never touched the wallet.
    expect(await entriesOf(user.id, 'KES', row.id)).toHaveLength(final.status === 'applied' ? 1 : 0);
    expect((await auditRowsFor('adjustment', row.id)).map((r) => r.action)).toEqual(['adjustment.request', final.status === 'applied' ? 'adjustment.approve' : 'adjustment.reject']);
  });

  it('an approval cut off between its claim and its transfer is finished once by another admin, never rejected', async () => {
    const [requester, approver, finisher] = await Promise.all([createStaff('admin'), createStaff('admin'), createStaff('admin')]);
    const { user } = await signUpUser();
    const row = await request(requester, user.id, { currency: 'KES', direction: 'credit', amount: '40,000' });
    // What a crash after the claim leaves: the row claimed by the approver, no transfer yet.
    const claimedAt = Date.now();
    await db().update(adjustments).set({ status: 'applying', decidedBy: approver.id, decidedAt: claimedAt }).where(eq(adjustments.id, row.id));

    const page = await (await adminGet(finisher, '/admin/adjustments')).text();
    expect(page).toContain('Approved; the money is being moved now.');
    expect(page).not.toContain(`/admin/adjustments/${row.id}/approve`);
    const early = await adminPost(finisher, `/admin/adjustments/${row.id}/approve`, { reason: 'finish it' });
    expect(early.status).toBe(409);
    expect(await early.text()).toContain('being applied by another admin');
    expect((await adminPost(finisher, `/admin/adjustments/${row.id}/reject`, { reason: 'too late to reject' })).status).toBe(409);

    await db().update(adjustments).set({ decidedAt: claimedAt - STALLED_MS }).where(eq(adjustments.id, row.id));
    expect(await (await adminGet(finisher, '/admin/adjustments')).text()).toContain(`/admin/adjustments/${row.id}/approve`);
    expect((await adminPost(requester, `/admin/adjustments/${row.id}/approve`, { reason: 'finish my own' })).status).toBe(403);
    const finished = await Promise.all([finisher, approver].map((admin) => adminPost(admin, `/admin/adjustments/${row.id}/approve`, { reason: 'finishing the cut-off approval' })));
    expect(finished.map((r) => r.status).sort()).toEqual([303, 409]);
    expect((await adjustmentsOf(user.id))[0]).toMatchObject({ status: 'applied', decidedBy: approver.id });
    expect(await entriesOf(user.id, 'KES', row.id)).toHaveLength(1);
    expect(await expectLedgerInvariants(user.id, 'KES')).toEqual({ balance: 4_000_000, held: 0, available: 4_000_000 });
    const audit = await auditRowsFor('adjustment', row.id);
    expect(audit.map((r) => r.action)).toEqual(['adjustment.request', 'adjustment.finish']);
    expect(json(audit[1]!.before)).toEqual({ status: 'applying' });
    // Who finished it is the one whose request went through; the approval itself stays the approver's.
    expect(audit[1]!.staffId).toBe([finisher, approver][finished.findIndex((r) => r.status === 303)]!.id);
  });

  it('CSRF: request, approve and reject posted cross-site are refused and change nothing', async () => {
    const [requester, other] = await Promise.all([createStaff('admin'), createStaff('admin')]);
    const { user } = await signUpUser();
    const row = await request(requester, user.id, { currency: 'KES', direction: 'credit', amount: '10,000.01' });
    const crossSite = (member: TestStaff, path: string, fields: Record<string, string>) =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', [ACCESS_HEADER]: member.token },
        body: new URLSearchParams(fields).toString(),
      });
    expect((await crossSite(requester, `/admin/customers/${user.id}/adjustments`, { currency: 'KES', direction: 'credit', amount: '5', reason: 'csrf', requestKey: 'k-csrf' })).status).toBe(403);
    expect((await crossSite(other, `/admin/adjustments/${row.id}/approve`, { reason: 'csrf' })).status).toBe(403);
    expect((await crossSite(other, `/admin/adjustments/${row.id}/reject`, { reason: 'csrf' })).status).toBe(403);
    expect((await adjustmentsOf(user.id)).map((r) => r.status)).toEqual(['pending_approval']);
    expect((await auditRowsFor('adjustment', row.id)).map((r) => r.action)).toEqual(['adjustment.request']);
    expect((await expectLedgerInvariants(user.id, 'KES')).balance).toBe(0);
  });
});

describe('/admin/adjustments', () => {
  it('lists pending approvals first (forms only for another admin), then filtered history, and exports CSV', async () => {
    const [requester, other, viewer] = await Promise.all([createStaff('admin'), createStaff('admin'), createStaff('viewer')]);
    const { user } = await signUpUser();
    const pending = await request(requester, user.id, { currency: 'NGN', direction: 'credit', amount: '75,000', reason: '=HYPERLINK("http://evil")' });
    const applied = await request(requester, user.id, { currency: 'KES', direction: 'credit', amount: '12.34', reason: 'small fix' });

    const asViewer = await (await adminGet(viewer, '/admin/adjustments')).text();
    expect(asViewer).toContain('Waiting for approval');
    expect(asViewer).toContain(user.email);
    expect(asViewer).not.toContain(`/admin/adjustments/${pending.id}/approve`);
    expect(asViewer).toContain('KES\u00a010,000.00');

    const asRequester = await (await adminGet(requester, '/admin/adjustments')).text();
    expect(asRequester).not.toContain(`/admin/adjustments/${pending.id}/approve`);
    expect(asRequester).toContain('You requested this one');

    const asOther = await (await adminGet(other, '/admin/adjustments')).text();
    expect(asOther).toContain(`action="/admin/adjustments/${pending.id}/approve"`);
    expect(asOther).toContain(`<label for="approve-${pending.id}-reason">Reason</label>`);
    expect(asOther).toContain(`action="/admin/adjustments/${pending.id}/reject"`);
    expect(asOther.indexOf('Waiting for approval')).toBeLessThan(asOther.indexOf('History'));

    const kesOnly = await (await adminGet(viewer, `/admin/adjustments?currency=KES&q=${encodeURIComponent(user.email)}`)).text();
    const history = kesOnly.slice(kesOnly.indexOf('id="history-heading"'));
    expect(history).toContain(`adjustment-${applied.id}`);
    expect(history).not.toContain(`adjustment-${pending.id}`);
    expect(history).toContain(`href="/admin/adjustments.csv?currency=KES&amp;q=`);
    expect((await adminGet(viewer, '/admin/adjustments?status=bogus')).status).toBe(400);

    const csv = await adminGet(viewer, `/admin/adjustments.csv?q=${encodeURIComponent(user.id)}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,created_at,customer_id,customer_email,currency,direction,amount,amount_minor,status,reason,requested_by,decided_by,decided_at,note');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith(applied.id))).toContain(',KES,credit,12.34,1234,applied,small fix,');
    expect(lines.find((l) => l.startsWith(pending.id))).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});
