import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { walletLedger } from '../src/services/wallets';
import { call, postForm, postJson, signUpUser } from './helpers';
import { expectLedgerInvariants } from './invariants';

const HX = { 'hx-request': 'true' };

/** A customer with `amount` kobo in the NGN wallet. */
async function fundedUser(amount = 10_000_000) {
  const signed = await signUpUser();
  if (amount > 0) await walletLedger(env, signed.user.id, 'NGN').credit({ id: `fund-${signed.user.id}`, amount, account: 'monnify:clearing' });
  return signed;
}

async function page(path: string, cookie: string, headers: Record<string, string> = {}) {
  const response = await call(path, { headers: { cookie, ...headers } });
  return { status: response.status, html: await response.text(), response };
}

async function post(path: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await postForm(path, fields, { cookie, ...headers });
  return { status: response.status, html: await response.text(), response };
}

/** The hidden fields of the confirmation's pay form, exactly as a browser would post them back. */
function payFields(html: string): Record<string, string> {
  const start = html.indexOf('id="pay-form"');
  expect(start, 'the confirmation has a pay form').toBeGreaterThan(-1);
  const form = html.slice(start, html.indexOf('</form>', start));
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

async function purchaseCount(userId: string) {
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM purchases WHERE user_id = ?').bind(userId).first<{ n: number }>())!.n;
}

/** Details step → confirmation → pay; returns the purchase page's path. */
async function buyThroughPages(cookie: string, fields: Record<string, string>) {
  const confirm = await post('/buy/confirm', cookie, fields, HX);
  expect(confirm.status, confirm.html).toBe(200);
  const paid = await post('/buy/pay', cookie, payFields(confirm.html));
  expect(paid.status, paid.html).toBe(303);
  return { confirm, location: paid.response.headers.get('location')! };
}

describe('/buy pages', () => {
  it('sends visitors without a session to login', async () => {
    const response = await call('/buy?tab=data');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2Fbuy');
  });

  it('renders each tab as a plain link with real labels for its fields', async () => {
    const { cookie } = await fundedUser(0);
    const expected: Record<string, string[]> = {
      airtime: ['field-serviceId', 'field-recipient', 'field-amount'],
      data: ['field-serviceId', 'field-variationCode', 'field-recipient'],
      electricity: ['field-serviceId', 'field-variationCode-prepaid', 'field-variationCode-postpaid', 'field-recipient'],
      tv: ['field-serviceId', 'field-recipient'],
    };
    for (const [tab, fields] of Object.entries(expected)) {
      const { status, html } = await page(`/buy?tab=${tab}`, cookie);
      expect(status).toBe(200);
      for (const field of fields) {
        expect(html, `${tab}: ${field}`).toContain(`<label for="${field}">`);
        expect(html, `${tab}: ${field}`).toContain(`id="${field}"`);
      }
      expect(html).toContain(`<a href="/buy?tab=${tab}" aria-current="page">`);
      for (const other of Object.keys(expected)) expect(html).toContain(`href="/buy?tab=${other}"`);
      expect(html).toMatch(/<nav aria-label="Main">[\s\S]*href="\/buy"[\s\S]*href="\/history"/);
      expect(html).not.toMatch(/<script>(?!<\/script>)/);
      expect(html).not.toContain('style=');
    }
    const airtime = (await page('/buy', cookie)).html;
    expect(airtime).toContain('MTN Airtime VTU');
    expect(airtime).toContain('₦50.00 to ₦50,000.00');
  });

  it('loads the plans of the chosen network (htmx fragment, and without JS through the tab)', async () => {
    const { cookie } = await fundedUser(0);
    const data = (await page('/buy?tab=data', cookie)).html;
    expect(data).toContain('hx-get="/buy/plans"');
    expect(data).toContain('formaction="/buy" formmethod="get"');
    expect(data).toContain('value="airt-1000"'); // the first network's plans are there from the start
    const fragment = await page('/buy/plans?serviceId=glo-data', cookie, HX);
    expect(fragment.status).toBe(200);
    expect(fragment.html).toMatch(/^<div id="plans">/);
    expect(fragment.html).toContain('<label for="field-variationCode">Plan</label>');
    expect(fragment.html).toContain('value="glo1000"');
    expect(fragment.html).toContain('you pay ₦1,020.00'); // N1,000 plan with the 2% data margin
    expect(fragment.html).not.toContain('mtn-1gb-500');
    expect((await page('/buy/plans?serviceId=nope', cookie, HX)).status).toBe(404);
    const noJs = (await page('/buy?tab=data&serviceId=airtel-data&recipient=08011111111', cookie)).html;
    expect(noJs).toContain('<option value="airtel-data" selected="">');
    expect(noJs).toContain('value="airt-1000"');
    expect(noJs).toContain('value="08011111111"');
  });

  it('electricity: "Verify meter" shows the owner and address before the amount step', async () => {
    const { cookie } = await fundedUser(0);
    const fields = { tab: 'electricity', serviceId: 'ikeja-electric', variationCode: 'prepaid', recipient: '1111111111111' };
    const verified = await post('/buy/verify', cookie, fields, HX);
    expect(verified.status).toBe(200);
    expect(verified.html).toContain('OLUWASEUN ADEYEMI');
    expect(verified.html).toContain('12 Adeola Odeku Street, Victoria Island, Lagos');
    expect(verified.html).toContain('<label for="field-amount">');
    expect(verified.html).toContain('<label for="field-phone">');
    const wrong = await post('/buy/verify', cookie, { ...fields, recipient: '1234567890123' }, HX);
    expect(wrong.status).toBe(422);
    expect(wrong.html).toContain('meter number 1234567890123');
    expect(wrong.html).toContain('aria-invalid="true"');
    expect(wrong.html).toContain('value="1234567890123"');
  });

  it('TV: verify shows name, current bouquet and renewal amount, and offers renew or a bouquet', async () => {
    const { cookie } = await fundedUser(0);
    const verified = await post('/buy/verify', cookie, { tab: 'tv', serviceId: 'dstv', recipient: '1212121212' });
    expect(verified.status).toBe(200);
    expect(verified.html).toContain('<html'); // without htmx the whole page comes back
    expect(verified.html).toContain('EMEKA OBI');
    expect(verified.html).toContain('DStv Compact N19,000');
    expect(verified.html).toContain('Renew DStv Compact N19,000 for ₦19,000.00');
    expect(verified.html).toContain('<label for="field-subscription-renew">');
    expect(verified.html).toContain('<label for="field-subscription-change">');
    expect(verified.html).toContain('<label for="field-variationCode">New bouquet</label>');
  });

  it('airtime: confirm shows the exact price, pay redirects to the purchase, which says delivered', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { confirm, location } = await buyThroughPages(cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '0801 111 1111', amount: '500' });
    expect(confirm.html).toContain('You pay <strong class="amount">₦500.00</strong>');
    // htmx moves focus to the swapped-in confirmation, so keyboard and screen-reader users land on it.
    expect(confirm.html).toMatch(/<h2 tabindex="-1" autofocus="">\s*Check and pay\s*<\/h2>/);
    expect(confirm.html).toContain('08011111111');
    expect(location).toMatch(/^\/purchases\/pur_/);
    const shown = await page(location, cookie);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('Delivered');
    expect(shown.html).toContain('₦500.00 airtime sent to 08011111111');
    expect(shown.html).not.toContain('hx-trigger="every');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 50_000, held: 0, available: 50_000 });
  });

  it('a double-submitted confirmation is one purchase and one charge (htmx and plain posts)', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const confirm = await post('/buy/confirm', cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '08011111111', amount: '200' }, HX);
    const fields = payFields(confirm.html);
    expect(fields.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const [a, b] = await Promise.all([post('/buy/pay', cookie, fields), post('/buy/pay', cookie, fields)]);
    const viaHtmx = await post('/buy/pay', cookie, fields, HX);
    expect([a.status, b.status, viaHtmx.status]).toEqual([303, 303, 200]);
    expect(b.response.headers.get('location')).toBe(a.response.headers.get('location'));
    expect(viaHtmx.response.headers.get('hx-redirect')).toBe(a.response.headers.get('location'));
    expect(await purchaseCount(user.id)).toBe(1);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 80_000, held: 0, available: 80_000 });
  });

  it('electricity end to end: the confirmation names the owner; the page and receipt show the grouped token', async () => {
    const { user, cookie } = await fundedUser(1_000_000);
    const { confirm, location } = await buyThroughPages(cookie, { tab: 'electricity', serviceId: 'ikeja-electric', variationCode: 'prepaid', recipient: '1111111111111', amount: '2,000', phone: '08011111111' });
    expect(confirm.html).toContain('OLUWASEUN ADEYEMI');
    expect(confirm.html).toContain('₦2,000.00');
    const id = location.split('/').pop()!;
    const row = await env.DB.prepare('SELECT token, units, provider_transaction_id FROM purchases WHERE id = ?').bind(id).first<{ token: string; units: string; provider_transaction_id: string }>();
    const grouped = row!.token.replace(/(\d{4})(?=\d)/g, '$1 ');
    const shown = await page(location, cookie);
    expect(shown.html).toContain(`<p class="token code">${grouped}</p>`);
    expect(shown.html).toContain('kWh');
    const receipt = await page(`${location}/receipt`, cookie);
    expect(receipt.status).toBe(200);
    expect(receipt.html).toContain(`<p class="token code">${grouped}</p>`);
    expect(receipt.html).toContain(id);
    expect(receipt.html).toContain(row!.provider_transaction_id);
    expect(receipt.html).toContain('(Lagos time)');
    expect(receipt.html).toContain('data-print');
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(800_000);
  });

  it('TV renewal through the pages charges the renewal amount', async () => {
    const { user, cookie } = await fundedUser(5_000_000);
    const { confirm, location } = await buyThroughPages(cookie, { tab: 'tv', serviceId: 'dstv', recipient: '1212121212', subscription: 'renew', variationCode: 'dstv3', phone: '08011111111' });
    expect(confirm.html).toContain('Renew DStv Compact N19,000');
    expect(confirm.html).toContain('₦19,000.00');
    expect((await page(location, cookie)).html).toContain('DSTV Subscription renewed for smartcard 1212121212');
    expect((await page(`${location}/receipt`, cookie)).html).toContain('Renewal');
    expect((await expectLedgerInvariants(user.id, 'NGN')).balance).toBe(3_100_000);
  });

  it('a pending purchase polls its status fragment until it is delivered, then stops', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const { location } = await buyThroughPages(cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '201000000000', amount: '100' });
    const id = location.split('/').pop()!;
    const pending = await page(location, cookie);
    expect(pending.html).toContain('aria-live="polite"');
    expect(pending.html).toContain(`hx-get="/purchases/${id}/status" hx-trigger="every 3s" hx-swap="outerHTML"`);
    expect(pending.html).toContain('Processing');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 10_000, available: 90_000 });
    const stillPending = await page(`${location}/status`, cookie, HX);
    expect(stillPending.html).toMatch(/^<div id="purchase-status"[^>]*hx-get=/);

    const { request_id } = (await env.DB.prepare('SELECT request_id FROM purchases WHERE id = ?').bind(id).first<{ request_id: string }>())!;
    expect((await postJson('/__sim/vtpass/flush', { request_id })).status).toBe(200);
    const delivered = await page(`${location}/status`, cookie, HX);
    expect(delivered.html).toMatch(/^<div id="purchase-status"/);
    expect(delivered.html).toContain('Delivered');
    expect(delivered.html).not.toContain('hx-get');
    expect(delivered.html).not.toContain('hx-trigger');
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 90_000, held: 0, available: 90_000 });
  });

  it("another customer's purchase, status and receipt are 404", async () => {
    const { cookie } = await fundedUser(100_000);
    const { location } = await buyThroughPages(cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '08011111111', amount: '100' });
    const stranger = await signUpUser();
    for (const path of [location, `${location}/status`, `${location}/receipt`, '/purchases/pur_nope']) {
      expect((await page(path, stranger.cookie)).status, path).toBe(404);
    }
  });

  it('form posts without a same-origin Origin are refused (403) and buy nothing', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const confirm = await post('/buy/confirm', cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '08011111111', amount: '100' }, HX);
    const body = new URLSearchParams(payFields(confirm.html)).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const crossSite = await call('/buy/pay', { method: 'POST', headers: { ...form, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body });
    const noOrigin = await call('/buy/pay', { method: 'POST', headers: form, body });
    expect([crossSite.status, noOrigin.status]).toEqual([403, 403]);
    const verify = await call('/buy/verify', { method: 'POST', headers: form, body: 'tab=tv&serviceId=dstv&recipient=1212121212' });
    expect(verify.status).toBe(403);
    expect(await purchaseCount(user.id)).toBe(0);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
  });

  it('insufficient funds: a clear message with a top-up link, nothing bought; the same confirmation works after a top-up', async () => {
    const { user, cookie } = await fundedUser(10_000);
    const confirm = await post('/buy/confirm', cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '08011111111', amount: '500' }, HX);
    expect(confirm.html).toContain('more than you have');
    const fields = payFields(confirm.html);
    const refused = await post('/buy/pay', cookie, fields);
    expect(refused.status).toBe(402);
    expect(refused.html).toContain('does not have enough available');
    expect(refused.html).toContain('<a href="/deposit">Top up your wallet</a>');
    const refusedHtmx = await post('/buy/pay', cookie, fields, HX);
    expect(refusedHtmx.status).toBe(422);
    expect(await purchaseCount(user.id)).toBe(0);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    await walletLedger(env, user.id, 'NGN').credit({ id: `topup-${user.id}`, amount: 100_000, account: 'monnify:clearing' });
    expect((await post('/buy/pay', cookie, fields)).status).toBe(303);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 60_000, held: 0, available: 60_000 });
  });

  it('validation errors re-render the form in place with messages (422)', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const notNaira = await post('/buy/confirm', cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '08011111111', amount: 'lots' }, HX);
    expect(notNaira.status).toBe(422);
    expect(notNaira.html).toMatch(/^<form id="buy-form"/);
    expect(notNaira.html).toContain('Enter whole naira');
    expect(notNaira.html).toContain('value="08011111111"');
    const tooSmall = await post('/buy/confirm', cookie, { tab: 'airtime', serviceId: 'mtn', recipient: '08011111111', amount: '10' }, HX);
    expect(tooSmall.status).toBe(422);
    expect(tooSmall.html).toContain('Enter an amount from ₦50.00 to ₦50,000.00');
    const noPhone = await post('/buy/confirm', cookie, { tab: 'electricity', serviceId: 'ikeja-electric', variationCode: 'prepaid', recipient: '1111111111111', amount: '2000', phone: '' }, HX);
    expect(noPhone.status).toBe(422);
    expect(noPhone.html).toContain('OLUWASEUN ADEYEMI'); // still the amount step, owner shown
    expect(noPhone.html).toContain('Enter your phone number');
    expect(await purchaseCount(user.id)).toBe(0);
  });

  it('a plan whose price changed after the confirmation is not bought at either price; the new price is shown', async () => {
    const { user, cookie } = await fundedUser(100_000);
    const confirm = await post('/buy/confirm', cookie, { tab: 'data', serviceId: 'mtn-data', variationCode: 'mtn-1gb-500', recipient: '08011111111' }, HX);
    expect(confirm.html).toContain('₦510.00');
    await env.DB.prepare("UPDATE catalog_variations SET price = 52000 WHERE service_id = 'mtn-data' AND code = 'mtn-1gb-500'").run();
    const moved = await post('/buy/pay', cookie, payFields(confirm.html), HX);
    expect(moved.status).toBe(422);
    expect(moved.html).toContain('The price changed');
    expect(moved.html).toContain('₦520.00');
    expect(payFields(moved.html).price).toBe('52000');
    expect(await purchaseCount(user.id)).toBe(0);
    expect(await expectLedgerInvariants(user.id, 'NGN')).toEqual({ balance: 100_000, held: 0, available: 100_000 });
  });
});
