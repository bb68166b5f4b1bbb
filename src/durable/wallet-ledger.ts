import { DurableObject } from 'cloudflare:workers';

/** Placeholder until the ledger lands: the binding must name a class. */
export class WalletLedger extends DurableObject<Env> {}
