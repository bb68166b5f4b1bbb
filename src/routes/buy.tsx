import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { AppError, detailsFromIssues, type ErrorDetails } from '../lib/errors';
import { idempotencyKey } from '../lib/idempotency';
import { requireUserPage } from '../middleware/auth';
import { formBody } from '../middleware/validate';
import { billsDeps, billsVerifyInput, quotePurchase, verifyBill, type BillVerification } from '../services/bills';
import { ensureCatalog, publicCatalog } from '../services/catalog';
import { purchaseDeps, purchaseInput, startPurchase, type PurchaseInput } from '../services/purchases';
import { walletLedger } from '../services/wallets';
import { ElectricityForm, MeterAmountForm, TvChoiceForm, TvForm } from '../views/components/purchase-bills';
import { Confirmation } from '../views/components/purchase-confirm';
import type { FormState } from '../views/components/purchase-fields';
import { AirtimeForm, chosen, DataForm, PlanSelect, type ServiceOption } from '../views/components/purchase-forms';
import { BUY_TABS, BuyPage, type BuyTab } from '../views/pages/buy';

const tabOf = (value: unknown): BuyTab => z.enum(BUY_TABS).catch('airtime').parse(value);
const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
const text = z.string().optional().transform(blank);
const digits = z.string('Enter the number').transform((v) => v.replace(/[\s-]/g, ''));

/** Whole naira as people type them ("1,500", "₦1500"); kobo out, or undefined when left empty. */
const naira = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const typed = blank(value)?.replace(/,/g, '').replace(/^(NGN|₦)\s*/i, '');
    if (typed === undefined) return undefined;
    if (/^\d{1,9}$/.test(typed)) return Number(typed) * 100;
    ctx.addIssue({ code: 'custom', message: 'Enter whole naira, e.g. 500' });
    return z.NEVER;
  });

/** The details steps post what to buy; prices are the server's, the amount only for airtime and electricity. */
const orderForm = z.object({ serviceId: z.string('Choose a service').trim().min(1, 'Choose a service'), recipient: digits, amount: naira, variationCode: text, subscription: text, phone: text.transform((v) => v?.replace(/[\s-]/g, '')) });

/** The confirmation posts back the price it showed (kobo) and the key made when it was shown. */
const payForm = orderForm.omit({ amount: true }).extend({
  price: z.string().regex(/^\d{1,12}$/).transform(Number),
  idempotencyKey,
});

/** A renewal has no bouquet: the bouquet list sent alongside the "renew" choice is not part of it. */
function toInput(data: z.output<typeof orderForm> | z.output<typeof payForm>, amount: number | undefined) {
  const { serviceId, recipient, subscription, phone } = data;
  const variationCode = subscription === 'renew' ? undefined : data.variationCode;
  const fields = { serviceId, recipient, amount, variationCode, subscription, phone };
  return purchaseInput.safeParse(Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
}

async function servicesFor(c: Context<AppEnv>, tab: BuyTab): Promise<ServiceOption[]> {
  const deps = billsDeps(c.env, c.var.config);
  await ensureCatalog(deps.db, deps.vtpass);
  return (await publicCatalog(deps.db)).filter((s) => s.category === tab);
}

/** htmx gets the panel's new content; a plain browser gets the whole page around it. */
async function respond(c: Context<AppEnv>, tab: BuyTab, body: Child, status: 200 | 402 | 422 | 429 | 503 = 200) {
  if (c.req.header('hx-request')) return c.html(<>{body}</>, status === 200 || status === 429 ? status : 422);
  const { available } = await walletLedger(c.env, c.var.user!.id, 'NGN').balance();
  return c.html(
    <BuyPage user={c.var.user!} tab={tab} available={available}>
      {body}
    </BuyPage>,
    status,
  );
}

/** A Nigerian number on the profile pre-fills "your phone"; a Kenyan one does not. */
function profilePhone(c: Context<AppEnv>): string {
  const phone = c.var.user!.phone ?? '';
  const international = /^\+?234(\d{10})$/.exec(phone);
  return /^0\d{10}$/.test(phone) ? phone : international ? `0${international[1]}` : '';
}

const FORM_ERRORS = new Set(['VALIDATION_FAILED', 'RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'IDEMPOTENCY_KEY_REUSED', 'INSUFFICIENT_FUNDS']);
const isFormError = (error: unknown): error is AppError => error instanceof AppError && FORM_ERRORS.has(error.code);
const messageOf = (error: AppError) => (error.code === 'VALIDATION_FAILED' ? 'Please fix the fields marked below.' : error.message);
const statusOf = (error: AppError) => (error.status === 429 || error.status === 402 || error.status === 503 ? error.status : 422);

function verifyInput(tab: BuyTab, values: Record<string, string | undefined>) {
  const type = tab === 'electricity' ? values.variationCode : undefined;
  return billsVerifyInput.safeParse({ serviceId: values.serviceId ?? '', billersCode: (values.recipient ?? '').replace(/[\s-]/g, ''), ...(type ? { type } : {}) });
}

function stepTwo(tab: BuyTab, v: BillVerification, services: ServiceOption[], state: FormState) {
  if (tab === 'electricity') return <MeterAmountForm v={v} {...state} />;
  return <TvChoiceForm v={v} service={chosen(services, v.serviceId)!} {...state} />;
}

/**
 * Shows the tab's form again with the messages. Electricity and TV go back to their second step
 * (re-verified, so the name shown is still VTpass's) unless the problem is the meter or card itself.
 */
async function retry(c: Context<AppEnv>, tab: BuyTab, values: Record<string, string>, errors: ErrorDetails, message: string, status: 402 | 422 | 429 | 503 = 422) {
  const services = await servicesFor(c, tab);
  let state: FormState = { values, errors, message };
  if (tab === 'airtime') return respond(c, tab, <AirtimeForm services={services} {...state} />, status);
  if (tab === 'data') return respond(c, tab, <DataForm services={services} {...state} />, status);
  const aboutNumber = ['serviceId', 'recipient', 'billersCode', 'type'].some((k) => k in errors) || (tab === 'electricity' && 'variationCode' in errors);
  const input = verifyInput(tab, values);
  if (!aboutNumber && input.success) {
    try {
      const v = await verifyBill(billsDeps(c.env, c.var.config), c.var.user!.id, input.data);
      return respond(c, tab, stepTwo(tab, v, services, state), status);
    } catch (error) {
      if (!isFormError(error)) throw error;
      state = { values, errors: error.details ?? {}, message: messageOf(error) };
      status = statusOf(error);
    }
  }
  const StepOne = tab === 'electricity' ? ElectricityForm : TvForm;
  return respond(c, tab, <StepOne services={services} {...state} />, status);
}

/** The confirmation: the server's price for exactly this order, the verified owner, and a fresh key. */
async function confirmation(c: Context<AppEnv>, input: PurchaseInput, idempotencyKey: string, problem?: Child, status: 200 | 402 | 422 | 429 | 503 = 200) {
  const deps = billsDeps(c.env, c.var.config);
  const quote = await quotePurchase(deps.db, deps.vtpass, input);
  const { category, serviceId, recipient, variationCode } = quote.priced;
  const needsName = !quote.verification && (category === 'electricity' || category === 'tv');
  const verification = needsName
    ? await verifyBill(deps, c.var.user!.id, { serviceId, billersCode: recipient, ...(category === 'electricity' && variationCode ? { type: variationCode as 'prepaid' | 'postpaid' } : {}) })
    : quote.verification;
  const { available } = await walletLedger(c.env, c.var.user!.id, 'NGN').balance();
  const view = <Confirmation quote={quote} verification={verification} available={available} idempotencyKey={idempotencyKey} tab={category} problem={problem} />;
  return respond(c, category, view, status);
}

function goTo(c: Context<AppEnv>, location: string) {
  if (!c.req.header('hx-request')) return c.redirect(location, 303);
  c.header('hx-redirect', location);
  return c.body(null, 200);
}

/** `/buy`: tabs, verify, confirm, pay. Every step is a form post (CSRF-checked); prices come from the server. */
export const buyPages = new Hono<AppEnv>()
  .use(requireUserPage)
  .get('/', async (c) => {
    const tab = tabOf(c.req.query('tab'));
    const services = await servicesFor(c, tab);
    const values = { ...c.req.query(), tab, phone: profilePhone(c) };
    const forms = { airtime: AirtimeForm, data: DataForm, electricity: ElectricityForm, tv: TvForm };
    const Form = forms[tab];
    return respond(c, tab, <Form services={services} values={values} />);
  })
  /** The plans of one data network: the htmx fragment behind the network select. */
  .get('/plans', async (c) => {
    const services = await servicesFor(c, 'data');
    const service = services.find((s) => s.serviceId === c.req.query('serviceId'));
    if (!service) throw new AppError('NOT_FOUND', 'No such data network');
    return c.html(<PlanSelect service={service} />);
  })
  .post('/verify', async (c) => {
    const form = await c.req.parseBody();
    const values = Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const tab = tabOf(values.tab) === 'tv' ? 'tv' : 'electricity';
    const input = verifyInput(tab, values);
    if (!input.success) return retry(c, tab, values, detailsFromIssues(input.error.issues), 'Please fix the fields marked below.');
    try {
      const v = await verifyBill(billsDeps(c.env, c.var.config), c.var.user!.id, input.data);
      return respond(c, tab, stepTwo(tab, v, await servicesFor(c, tab), { values: { phone: profilePhone(c) } }));
    } catch (error) {
      if (!isFormError(error)) throw error;
      const StepOne = tab === 'electricity' ? ElectricityForm : TvForm;
      return respond(c, tab, <StepOne services={await servicesFor(c, tab)} values={values} errors={error.details ?? {}} message={messageOf(error)} />, statusOf(error));
    }
  })
  .post('/confirm', async (c) => {
    const form = await formBody(c, orderForm);
    const tab = tabOf(form.raw.tab);
    if (!form.ok) return retry(c, tab, form.raw, form.errors, 'Please fix the fields marked below.');
    const input = toInput(form.data, form.data.amount);
    if (!input.success) return retry(c, tab, form.raw, detailsFromIssues(input.error.issues), 'Please fix the fields marked below.');
    if ((tab === 'electricity' || tab === 'tv') && !input.data.phone) return retry(c, tab, form.raw, { phone: ['Enter your phone number'] }, 'Please fix the fields marked below.');
    try {
      return await confirmation(c, input.data, crypto.randomUUID());
    } catch (error) {
      if (!isFormError(error)) throw error;
      return retry(c, tab, form.raw, error.details ?? {}, messageOf(error), statusOf(error));
    }
  })
  .post('/pay', async (c) => {
    const form = await formBody(c, payForm);
    const tab = tabOf(form.raw.tab);
    const values = { ...form.raw, amount: /^\d+$/.test(form.raw.price ?? '') ? String(Number(form.raw.price) / 100) : '' };
    if (!form.ok) return retry(c, tab, values, form.errors, 'This confirmation was incomplete. Please check the details again.');
    const input = toInput(form.data, form.data.price);
    if (!input.success) return retry(c, tab, values, detailsFromIssues(input.error.issues), 'Please fix the fields marked below.');
    try {
      const { purchase } = await startPurchase(purchaseDeps(c.env, c.var.config), c.var.user!.id, input.data, form.data.idempotencyKey);
      return goTo(c, `/purchases/${purchase.id}`);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return payFailed(c, tab, values, input.data, form.data.idempotencyKey, error);
    }
  });

/**
 * Nothing was bought. Short of money: the same confirmation with a top-up link (the same key
 * still works after a top-up). A plan or renewal price that moved: a new confirmation at the
 * new price. Anything else: the message on the confirmation, or on the form if it cannot be priced.
 */
async function payFailed(c: Context<AppEnv>, tab: BuyTab, values: Record<string, string>, input: PurchaseInput, key: string, error: AppError) {
  const serverPriced = input.subscription === 'renew' || (input.variationCode !== undefined && tab !== 'electricity');
  let problem: Child = error.message;
  let again = input;
  if (error.code === 'INSUFFICIENT_FUNDS') {
    problem = (
      <>
        Your NGN wallet does not have enough available for this. <a href="/deposit">Top up your wallet</a>, then pay again here.
      </>
    );
  } else if (error.code === 'VALIDATION_FAILED') {
    if (!serverPriced || !error.details?.amount) return retry(c, tab, values, error.details ?? {}, messageOf(error));
    problem = 'The price changed since you saw it. Check the new price below before you pay.';
    again = { ...input, amount: undefined };
  }
  const newKey = error.code === 'VALIDATION_FAILED' || error.code === 'IDEMPOTENCY_KEY_REUSED' ? crypto.randomUUID() : key;
  try {
    return await confirmation(c, again, newKey, problem, statusOf(error));
  } catch (next) {
    if (!isFormError(next)) throw next;
    return retry(c, tab, values, next.details ?? {}, messageOf(next), statusOf(next));
  }
}
