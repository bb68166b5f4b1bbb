import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config';
import { database, type Database } from '../db/client';
import { catalogServices, catalogVariations } from '../db/schema';
import { AppError } from '../lib/errors';
import { log } from '../lib/log';
import { providerFetch } from '../providers/http';
import { VtpassError, vtpassClientFromConfig, type VtpassClient, type VtpassVerification } from '../providers/vtpass';
import { ensureCatalog, findCatalogService, type CatalogService, type CatalogVariation } from './catalog';
import type { Purchase, PurchaseInput } from './purchases';
import * as rateLimit from './rate-limit';

export const billsVerifyInput = z.strictObject({
  serviceId: z.string().trim().min(1).max(64),
  billersCode: z.string().trim().regex(/^\d{6,20}$/, 'Enter the meter or smartcard number (digits only)'),
  type: z.enum(['prepaid', 'postpaid'], 'Choose prepaid or postpaid').optional(),
});
export type BillsVerifyInput = z.output<typeof billsVerifyInput>;

export type VerifiedCustomer = Extract<VtpassVerification, { valid: true }>;

/** Who a meter or smartcard belongs to, as the pages and the API show it. Amounts in kobo. */
export type BillVerification = {
  serviceId: string;
  serviceName: string;
  category: 'electricity' | 'tv';
  billersCode: string;
  meterType: 'prepaid' | 'postpaid' | null;
  customerName: string;
  address: string | null;
  minimumAmount: number | null;
  canVend: boolean | null;
  currentBouquet: string | null;
  renewalAmount: number | null;
  dueDate: string | null;
  status: string | null;
};

export type BillsDeps = { db: Database; vtpass: VtpassClient; verifiesPerMinute: number };

/** The real collaborators: D1 and VTpass (or its simulator). */
export function billsDeps(env: Env, config: Config): BillsDeps {
  return { db: database(env.DB), vtpass: vtpassClientFromConfig(config, providerFetch(env)), verifiesPerMinute: config.BILLS_VERIFY_MAX_PER_MINUTE };
}

export const TOO_MANY_LOOKUPS = 'Too many meter or smartcard checks. Wait a minute and try again.';

/**
 * `POST /api/v1/bills/verify` and the pages' "Verify" step: the owner of a meter or smartcard
 * before any money moves. Each call reaches VTpass, so it is counted per customer; input that
 * cannot be verified (airtime, data, a missing meter type) is refused before it is counted.
 */
export async function verifyBill(deps: BillsDeps, userId: string, input: BillsVerifyInput, now = Date.now()): Promise<BillVerification> {
  const { service } = await billService(deps.db, deps.vtpass, input.serviceId);
  if (service.category !== 'electricity' && service.category !== 'tv') throw invalid('serviceId', `${service.name} has no meter or smartcard to verify`);
  if (service.category === 'electricity' && !input.type) throw invalid('type', 'Choose prepaid or postpaid');
  if (service.category === 'tv' && input.type) throw invalid('type', 'Only electricity meters are prepaid or postpaid');
  await rateLimit.enforce(deps.db, `bills-verify:user:${userId}`, { limit: deps.verifiesPerMinute, windowSeconds: 60 }, TOO_MANY_LOOKUPS, now);
  const customer = await lookupCustomer(deps.vtpass, service, input.billersCode, input.type, 'billersCode');
  return describeVerification(service, input.billersCode, input.type ?? null, customer);
}

/** The API's view of a verification: absent fields are left out, the number is named by its kind. */
export function publicVerification(v: BillVerification) {
  const optional = Object.fromEntries(
    Object.entries({ address: v.address, minimumAmount: v.minimumAmount, canVend: v.canVend, currentBouquet: v.currentBouquet, renewalAmount: v.renewalAmount, dueDate: v.dueDate, status: v.status }).filter(
      ([, value]) => value !== null,
    ),
  );
  const number = v.category === 'electricity' ? { meterNumber: v.billersCode, meterType: v.meterType } : { smartcardNumber: v.billersCode };
  return { serviceId: v.serviceId, customerName: v.customerName, ...number, ...optional };
}

/**
 * One `merchant-verify`. An unknown number is the customer's to fix (400 on `field`); no usable
 * answer is ours (503), since nothing can be concluded about the number from it.
 */
export async function lookupCustomer(vtpass: VtpassClient, service: CatalogService, billersCode: string, type: 'prepaid' | 'postpaid' | undefined, field: string): Promise<VerifiedCustomer> {
  let result: VtpassVerification;
  try {
    result = await vtpass.merchantVerify({ serviceId: service.serviceId, billersCode, ...(type ? { type } : {}) });
  } catch (error) {
    if (!(error instanceof VtpassError)) throw error;
    log('warn', 'merchant-verify got no usable answer', { serviceId: service.serviceId, reason: error.reason, code: error.code });
    throw new AppError('PROVIDER_UNAVAILABLE', `We could not check this number with ${service.name} just now. Try again in a minute.`);
  }
  if (result.valid) return result;
  const what = service.category === 'electricity' ? `${type ?? ''} meter`.trim() : 'smartcard';
  throw invalid(field, `${service.name} does not know ${what} number ${billersCode}. Check the number and try again.`);
}

function describeVerification(service: CatalogService, billersCode: string, meterType: 'prepaid' | 'postpaid' | null, c: VerifiedCustomer): BillVerification {
  return {
    serviceId: service.serviceId,
    serviceName: service.name,
    category: service.category === 'electricity' ? 'electricity' : 'tv',
    billersCode,
    meterType,
    customerName: c.customerName,
    address: c.address,
    minimumAmount: c.minimumAmountKobo,
    canVend: c.canVend,
    currentBouquet: c.subscription?.currentBouquet ?? null,
    renewalAmount: c.subscription?.renewalAmountKobo ?? null,
    dueDate: c.subscription?.dueDate ?? null,
    status: c.subscription?.status ?? null,
  };
}

/** What a purchase will charge and send, decided on the server. */
export type Priced = Pick<Purchase, 'serviceId' | 'category' | 'recipient' | 'variationCode' | 'phone' | 'amount'>;
export type Quote = { priced: Priced; service: CatalogService; variation: CatalogVariation | null; verification: BillVerification | null };

/**
 * The price from the catalogue (never the client's): a plan costs its catalogue price, airtime
 * and electricity their face value within the service's limits, and a TV renewal exactly the
 * renewal amount VTpass gives for the smartcard now (so it is verified here). A client amount
 * that differs from the server's price is refused, never used. @see providers.md §2.4
 */
export async function quotePurchase(db: Database, vtpass: VtpassClient, input: PurchaseInput): Promise<Quote> {
  const { service, variations } = await billService(db, vtpass, input.serviceId);
  const base = { serviceId: service.serviceId, category: service.category, recipient: input.recipient, phone: input.phone ?? input.recipient };
  if (service.category === 'airtime' && !/^\d{10,13}$/.test(input.recipient)) throw invalid('recipient', 'Enter the phone number to top up');
  if (input.subscription !== undefined && service.category !== 'tv') throw invalid('subscription', 'Only TV subscriptions are changed or renewed');
  if (input.subscription === 'renew') return quoteRenewal(vtpass, service, input, base);
  const variation = input.variationCode === undefined ? undefined : variations.find((v) => v.code === input.variationCode);
  if (service.category === 'data' || service.category === 'tv') {
    if (!variation || !variation.fixedPrice) throw invalid('variationCode', 'Choose a plan from the catalogue');
    if (input.amount !== undefined && input.amount !== variation.price) throw invalid('amount', `This plan costs ${naira(variation.price)}; send that amount or none`);
    return { priced: { ...base, variationCode: variation.code, amount: variation.price }, service, variation, verification: null };
  }
  if (service.category === 'electricity' && !variation) throw invalid('variationCode', 'Choose prepaid or postpaid');
  if (service.category === 'airtime' && input.variationCode !== undefined) throw invalid('variationCode', 'Airtime has no plans');
  if (input.amount === undefined) throw invalid('amount', 'Enter an amount');
  if (input.amount % 100 !== 0) throw invalid('amount', 'Enter whole naira');
  assertWithinLimits(service, input.amount);
  return { priced: { ...base, variationCode: variation?.code ?? null, amount: input.amount }, service, variation: variation ?? null, verification: null };
}

/** A renewal keeps the current bouquet, so it has no variation code: that null is how it is stored. */
async function quoteRenewal(vtpass: VtpassClient, service: CatalogService, input: PurchaseInput, base: Omit<Priced, 'variationCode' | 'amount'>): Promise<Quote> {
  if (input.variationCode !== undefined) throw invalid('variationCode', 'A renewal keeps the current bouquet: leave the plan out, or change the bouquet instead');
  const customer = await lookupCustomer(vtpass, service, input.recipient, undefined, 'recipient');
  const renewal = customer.subscription?.renewalAmountKobo;
  if (!renewal) throw invalid('subscription', 'This smartcard has no renewal amount. Choose a bouquet instead.');
  if (input.amount !== undefined && input.amount !== renewal) throw invalid('amount', `Renewing this smartcard costs ${naira(renewal)}; send that amount or none`);
  assertWithinLimits(service, renewal);
  return { priced: { ...base, variationCode: null, amount: renewal }, service, variation: null, verification: describeVerification(service, input.recipient, null, customer) };
}

function assertWithinLimits(service: CatalogService, amount: number) {
  if (amount < service.minAmount || amount > service.maxAmount) throw invalid('amount', `Enter an amount from ${naira(service.minAmount)} to ${naira(service.maxAmount)}`);
}

/** The service's and plan's names for receipts, even if staff disabled them since the purchase. */
export async function purchaseLabels(db: Database, purchase: Pick<Purchase, 'serviceId' | 'category' | 'variationCode'>): Promise<{ serviceName: string; planName: string | null }> {
  const service = await db.query.catalogServices.findFirst({ where: eq(catalogServices.serviceId, purchase.serviceId) });
  const variation = purchase.variationCode
    ? await db.query.catalogVariations.findFirst({ where: and(eq(catalogVariations.serviceId, purchase.serviceId), eq(catalogVariations.code, purchase.variationCode)) })
    : undefined;
  const planName = purchase.category === 'tv' && !purchase.variationCode ? 'Renewal of the current bouquet' : (variation?.name ?? purchase.variationCode);
  return { serviceName: service?.name ?? purchase.serviceId, planName };
}

/** An enabled service and its plans from the catalogue (filled from VTpass on first use), or a 400. */
export async function billService(db: Database, vtpass: VtpassClient, serviceId: string): Promise<{ service: CatalogService; variations: CatalogVariation[] }> {
  await ensureCatalog(db, vtpass);
  const found = await findCatalogService(db, serviceId);
  if (!found) throw invalid('serviceId', 'No such service');
  return found;
}

/** Kobo as the messages say it, for API clients and the pages alike: `₦1,250.00`. */
function naira(kobo: number): string {
  return `₦${(kobo / 100).toLocaleString('en-NG', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** VALIDATION_FAILED with the message on one field, as the API's `details` and the forms expect. */
export function invalid(field: string, message: string) {
  return new AppError('VALIDATION_FAILED', message, { [field]: [message] });
}
