import type { SimService } from './vtpass-catalogue';

/**
 * The VTpass sandbox numbers (providers.md §2.10, design.md §6): the recipient of a `pay`
 * decides what happens to it, as on sandbox.vtpass.com.
 */
export type Scenario =
  | { kind: 'delivered' }
  /** Answered pending (with this code), final after a few requeries or a flush. */
  | { kind: 'pending'; code: '099' | '000'; settlesTo: 'delivered' | 'reversed' }
  /** Delivered, but the answer comes only after SIM_VTPASS_TIMEOUT_MS. */
  | { kind: 'timeout' }
  /** Never reaches VTpass: empty 504, requery finds nothing (015). */
  | { kind: 'no-response' }
  /** A broken body; the purchase in fact failed (requery says so). */
  | { kind: 'garbage' }
  | { kind: 'failed' };

const DELIVERED = new Set(['08011111111', '1111111111111', '1010101010101', '1212121212']);

const SCENARIOS = new Map<string, Scenario>([
  ['201000000000', { kind: 'pending', code: '099', settlesTo: 'delivered' }],
  ['201000000009', { kind: 'pending', code: '000', settlesTo: 'reversed' }],
  ['300000000000', { kind: 'timeout' }],
  ['400000000000', { kind: 'no-response' }],
  ['500000000000', { kind: 'garbage' }],
]);

export function scenarioFor(recipient: string): Scenario {
  if (DELIVERED.has(recipient)) return { kind: 'delivered' };
  return SCENARIOS.get(recipient) ?? { kind: 'failed' };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `merchant-verify` content for a meter or smartcard, or null for an unknown number. The
 * sandbox meters and smartcard have fixed owners; the scenario numbers verify too, so a pending
 * or timed-out electricity or TV purchase can be tried end to end. @see providers.md §2.5
 */
export function verifiedCustomer(service: SimService, billersCode: string, type: string | undefined, now: number): Record<string, unknown> | null {
  const scenario = SCENARIOS.has(billersCode);
  if (service.category === 'electricity-bill') {
    const meter = METERS.get(billersCode) ?? (scenario && (type === 'prepaid' || type === 'postpaid') ? sandboxMeter(type) : undefined);
    if (!meter || meter.type !== type) return null;
    return {
      Customer_Name: meter.name,
      Address: meter.address,
      Meter_Number: billersCode,
      Customer_Arrears: '',
      Customer_Account_Type: meter.accountType,
      Meter_Type: meter.type.toUpperCase(),
      Min_Purchase_Amount: String(service.minimumNaira),
      Can_Vend: 'yes',
      Business_Unit: meter.businessUnit,
      WrongBillersCode: false,
      commission_details: commissionDetails(service),
    };
  }
  if (service.category === 'tv-subscription' && (billersCode === '1212121212' || scenario)) {
    const bouquet = service.serviceId === 'dstv' ? { name: 'DStv Compact N19,000', naira: 19000 } : { name: 'GOtv Max N8,500', naira: 8500 };
    return {
      Customer_Name: billersCode === '1212121212' ? 'EMEKA OBI' : 'SANDBOX SUBSCRIBER',
      Status: 'Open',
      Due_Date: new Date(now + 12 * DAY_MS).toISOString().slice(0, 10),
      Customer_Number: '275598512',
      Customer_Type: service.serviceId.toUpperCase(),
      Current_Bouquet: bouquet.name,
      Renewal_Amount: bouquet.naira,
      WrongBillersCode: false,
      commission_details: commissionDetails(service),
    };
  }
  return null;
}

type Meter = { name: string; address: string; accountType: string; type: 'prepaid' | 'postpaid'; businessUnit: string };

const METERS = new Map<string, Meter>([
  ['1111111111111', { name: 'OLUWASEUN ADEYEMI', address: '12 Adeola Odeku Street, Victoria Island, Lagos', accountType: 'NMD', type: 'prepaid', businessUnit: 'Lekki' }],
  ['1010101010101', { name: 'IFEOMA NWANKWO', address: '7 Aminu Kano Crescent, Wuse 2, Abuja', accountType: 'MD', type: 'postpaid', businessUnit: 'Wuse' }],
]);

function sandboxMeter(type: 'prepaid' | 'postpaid'): Meter {
  return { name: 'SANDBOX CUSTOMER', address: '1 Marina Road, Lagos Island, Lagos', accountType: 'NMD', type, businessUnit: 'Lagos Island' };
}

export function commissionDetails(service: SimService) {
  return { amount: null, rate: service.commissionRate.toFixed(2), rate_type: 'percent', computation_type: 'default' };
}
