/**
 * What the VTpass simulator sells: the service IDs of providers.md §2.9 with plans, bouquets and
 * prices as Nigerian networks and MultiChoice published them in 2025 (naira).
 */

export type Category = 'airtime' | 'data' | 'tv-subscription' | 'electricity-bill';

export interface SimVariation {
  code: string;
  name: string;
  naira: number;
  fixedPrice: boolean;
}

export interface SimService {
  serviceId: string;
  name: string;
  category: Category;
  minimumNaira: number;
  maximumNaira: number;
  convenienceFee: string;
  /** Commission VTpass gives us, percent of the amount. */
  commissionRate: number;
  variations: SimVariation[];
  /** VTpass lists variations under `variations`, `varations` (sic) or both. @see providers.md §2.4 */
  variationsKey: 'variations' | 'varations' | 'both';
}

/** The `type` VTpass writes in a transaction for each category. */
export const TRANSACTION_TYPE: Record<Category, string> = {
  airtime: 'Airtime Recharge',
  data: 'Data Services',
  'tv-subscription': 'TV Subscription',
  'electricity-bill': 'Electricity Bill',
};

const plan = (code: string, name: string, naira: number): SimVariation => ({ code, name, naira, fixedPrice: true });

const airtime = (serviceId: string, name: string): SimService => ({
  serviceId,
  name,
  category: 'airtime',
  minimumNaira: 50,
  maximumNaira: 50_000,
  convenienceFee: '0 %',
  commissionRate: 3,
  variations: [],
  variationsKey: 'variations',
});

const data = (serviceId: string, name: string, variations: SimVariation[], variationsKey: SimService['variationsKey']): SimService => ({
  serviceId,
  name,
  category: 'data',
  minimumNaira: 1,
  maximumNaira: 1_000_000,
  convenienceFee: '0 %',
  commissionRate: 3,
  variations,
  variationsKey,
});

const METER_TYPES: SimVariation[] = [
  { code: 'prepaid', name: 'Prepaid', naira: 0, fixedPrice: false },
  { code: 'postpaid', name: 'Postpaid', naira: 0, fixedPrice: false },
];

const disco = (serviceId: string, name: string): SimService => ({
  serviceId,
  name,
  category: 'electricity-bill',
  minimumNaira: 500,
  maximumNaira: 500_000,
  convenienceFee: '0 %',
  commissionRate: 1.5,
  variations: METER_TYPES,
  variationsKey: 'variations',
});

const tv = (serviceId: string, name: string, variations: SimVariation[]): SimService => ({
  serviceId,
  name,
  category: 'tv-subscription',
  minimumNaira: 1,
  maximumNaira: 1_000_000,
  convenienceFee: 'N100',
  commissionRate: 1.5,
  variations,
  variationsKey: 'both',
});

export const SERVICES: SimService[] = [
  airtime('mtn', 'MTN Airtime VTU'),
  airtime('glo', 'GLO Airtime VTU'),
  airtime('airtel', 'Airtel Airtime VTU'),
  airtime('etisalat', '9mobile Airtime VTU'),
  data(
    'mtn-data',
    'MTN Data',
    [
      plan('mtn-110mb-100', 'MTN N100 110MB - 1 Day', 100),
      plan('mtn-500mb-350', 'MTN N350 500MB - 1 Day', 350),
      plan('mtn-1gb-500', 'MTN N500 1GB + 1.5mins - 1 Day', 500),
      plan('mtn-1-5gb-1000', 'MTN N1,000 1.5GB - 7 Days', 1000),
      plan('mtn-3-5gb-2500', 'MTN N2,500 3.5GB - 30 Days', 2500),
      plan('mtn-10gb-4500', 'MTN N4,500 10GB + 10mins - 30 Days', 4500),
      plan('mtn-20gb-7500', 'MTN N7,500 20GB - 30 Days', 7500),
    ],
    'both',
  ),
  data(
    'airtel-data',
    'Airtel Data',
    [
      plan('airt-100', 'Airtel N100 75MB - 1 Day', 100),
      plan('airt-350', 'Airtel N350 1GB - 1 Day', 350),
      plan('airt-1000', 'Airtel N1,000 1.5GB - 7 Days', 1000),
      plan('airt-1500', 'Airtel N1,500 2GB - 30 Days', 1500),
      plan('airt-5000', 'Airtel N5,000 10GB - 30 Days', 5000),
    ],
    'variations',
  ),
  data(
    'glo-data',
    'GLO Data',
    [
      plan('glo100', 'Glo N100 105MB - 1 Day', 100),
      plan('glo200', 'Glo N200 350MB - 2 Days', 200),
      plan('glo500', 'Glo N500 1.5GB - 7 Days', 500),
      plan('glo1000', 'Glo N1,000 2.6GB - 30 Days', 1000),
      plan('glo2000', 'Glo N2,000 5.8GB - 30 Days', 2000),
    ],
    'variations',
  ),
  data(
    'etisalat-data',
    '9mobile Data',
    [
      plan('eti-100', '9mobile N100 100MB - 1 Day', 100),
      plan('eti-500', '9mobile N500 650MB - 3 Days', 500),
      plan('eti-1000', '9mobile N1,000 1.5GB - 30 Days', 1000),
      plan('eti-2000', '9mobile N2,000 4.5GB - 30 Days', 2000),
    ],
    'varations',
  ),
  disco('ikeja-electric', 'Ikeja Electric Payment - IKEDC'),
  disco('eko-electric', 'Eko Electric Payment - EKEDC'),
  disco('abuja-electric', 'Abuja Electricity Distribution Company - AEDC'),
  disco('ibadan-electric', 'Ibadan Electricity Distribution Company - IBEDC'),
  disco('portharcourt-electric', 'Port Harcourt Electric - PHED'),
  tv('dstv', 'DSTV Subscription', [
    plan('dstv-padi', 'DStv Padi N4,400', 4400),
    plan('dstv-yanga', 'DStv Yanga N6,000', 6000),
    plan('dstv-confam', 'DStv Confam N11,000', 11000),
    plan('dstv79', 'DStv Compact N19,000', 19000),
    plan('dstv7', 'DStv Compact Plus N30,000', 30000),
    plan('dstv3', 'DStv Premium N44,500', 44500),
  ]),
  tv('gotv', 'Gotv Payment', [
    plan('gotv-smallie', 'GOtv Smallie N1,900', 1900),
    plan('gotv-jinja', 'GOtv Jinja N3,900', 3900),
    plan('gotv-jolli', 'GOtv Jolli N5,800', 5800),
    plan('gotv-max', 'GOtv Max N8,500', 8500),
    plan('gotv-supa', 'GOtv Supa N11,400', 11400),
    plan('gotv-supa-plus', 'GOtv Supa Plus N16,800', 16800),
  ]),
];

export function findService(serviceId: string): SimService | undefined {
  return SERVICES.find((service) => service.serviceId === serviceId);
}

/** A `services?identifier=` item, misspellings included. @see providers.md §2.4 */
export function serviceListing(service: SimService) {
  return {
    serviceID: service.serviceId,
    name: service.name,
    minimium_amount: String(service.minimumNaira),
    maximum_amount: String(service.maximumNaira),
    convinience_fee: service.convenienceFee,
    product_type: service.variations.length > 0 && service.category !== 'electricity-bill' ? 'fix' : 'flexible',
    image: `https://sandbox.vtpass.com/resources/products/200X200/${service.serviceId}.jpg`,
  };
}

/** A `service-variations` content, with the list under the key(s) this service uses. */
export function variationsListing(service: SimService) {
  const list = service.variations.map((v) => ({
    variation_code: v.code,
    name: v.name,
    variation_amount: v.naira.toFixed(2),
    fixedPrice: v.fixedPrice ? 'Yes' : 'No',
  }));
  return {
    ServiceName: service.name,
    serviceID: service.serviceId,
    convinience_fee: service.convenienceFee,
    ...(service.variationsKey === 'varations' ? {} : { variations: list }),
    ...(service.variationsKey === 'variations' ? {} : { varations: list }),
  };
}
