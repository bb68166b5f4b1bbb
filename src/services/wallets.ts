import { and, asc, between, count, eq, gt, sql } from 'drizzle-orm';
import { database } from '../db/client';
import { ledgerEntries } from '../db/schema';
import {
  CURRENCIES,
  walletObjectName,
  type Balance,
  type CreditInput,
  type Currency,
  type DebitInput,
  type EntriesInput,
  type EntryPage,
  type HoldInput,
  type JournalEntry,
  type LedgerFailure,
  type PostInput,
  type PostingResult,
  type ReverseInput,
  type Transfer,
  type Verification,
  type VoidInput,
  type WalletOwner,
} from '../durable/ledger-types';
import type { WalletLedger } from '../durable/wallet-ledger';
import { AppError } from '../lib/errors';

export type WalletBalance = Balance & { currency: Currency };
export type Posting = { transfer: Transfer; replayed: boolean };

/**
 * The ledger of one wallet, for every flow that moves money. Each call goes to the wallet's
 * Durable Object with the owner attached; a refusal (insufficient funds, conflicting id, bad
 * input, unknown hold) is thrown as an `AppError` carrying the ledger's code.
 */
export function walletLedger(env: Env, userId: string, currency: Currency) {
  const owner: WalletOwner = { userId, currency };
  const stub = ledgerStub(env, owner);
  return {
    owner,
    credit: async (input: CreditInput): Promise<Posting> => posted(await stub.credit(owner, input)),
    debit: async (input: DebitInput): Promise<Posting> => posted(await stub.debit(owner, input)),
    hold: async (input: HoldInput): Promise<Posting> => posted(await stub.hold(owner, input)),
    postHold: async (input: PostInput): Promise<Posting> => posted(await stub.postHold(owner, input)),
    voidHold: async (input: VoidInput): Promise<Posting> => posted(await stub.voidHold(owner, input)),
    reverse: async (input: ReverseInput): Promise<Posting> => posted(await stub.reverse(owner, input)),
    balance: (): Promise<Balance> => stub.balance(owner),
    entries: async (input: EntriesInput = {}): Promise<EntryPage> => accepted(await stub.entries(owner, input)),
    verify: async (fromSeq?: number): Promise<Verification> => accepted(await stub.verify(owner, { fromSeq })),
  };
}
export type WalletLedgerClient = ReturnType<typeof walletLedger>;

/** Both wallets, KES and NGN, always: a wallet that never moved money reads as zero. */
export async function listWallets(env: Env, userId: string): Promise<WalletBalance[]> {
  return Promise.all(CURRENCIES.map(async (currency) => ({ currency, ...(await walletLedger(env, userId, currency).balance()) })));
}

/** History newest first, from the journal itself so it always agrees with the balance shown next to it. */
export function listEntries(env: Env, userId: string, currency: Currency, input: EntriesInput = {}): Promise<EntryPage> {
  return walletLedger(env, userId, currency).entries(input);
}

export type ReconciliationReport = {
  wallet: string;
  ok: boolean;
  journalEntries: number;
  projectedEntries: number;
  /** Entries committed but not yet acknowledged by D1: lag, not a difference. */
  undelivered: number;
  /** Acknowledged entries that D1 does not have. */
  missing: string[];
  /** Entries whose D1 copy differs from the journal. */
  mismatched: string[];
  /** D1 rows for this wallet that the journal does not have. */
  unexpected: string[];
  balance: { journal: number; projection: number };
};

const PAGE = 200;

/**
 * Compares the D1 copy of one wallet with its journal, entry by entry, and reports every
 * difference. It only reads: the outbox is what repairs lag, and a real difference is for a
 * person to look at.
 */
export async function reconcileWallet(env: Env, userId: string, currency: Currency): Promise<ReconciliationReport> {
  const owner: WalletOwner = { userId, currency };
  const stub = ledgerStub(env, owner);
  const db = database(env.DB);
  const wallet = and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.currency, currency));
  const report: ReconciliationReport = {
    wallet: walletObjectName(owner),
    ok: false,
    journalEntries: 0,
    projectedEntries: 0,
    undelivered: 0,
    missing: [],
    mismatched: [],
    unexpected: [],
    balance: { journal: (await stub.balance(owner)).balance, projection: 0 },
  };
  let afterSeq = 0;
  for (;;) {
    const page = accepted(await stub.journalPage(owner, { afterSeq, limit: PAGE }));
    report.journalEntries = page.lastSeq;
    report.undelivered = page.lastSeq - page.deliveredSeq;
    const first = page.entries[0];
    const last = page.entries.at(-1);
    if (!first || !last) break;
    const copies = await db.select().from(ledgerEntries).where(and(wallet, between(ledgerEntries.seq, first.seq, last.seq)));
    const bySeq = new Map(copies.map((row) => [row.seq, row]));
    for (const entry of page.entries) {
      const copy = bySeq.get(entry.seq);
      if (!copy) {
        if (entry.seq <= page.deliveredSeq) report.missing.push(entry.id);
      } else if (!sameEntry(entry, copy)) {
        report.mismatched.push(entry.id);
      }
    }
    afterSeq = last.seq;
  }
  const extra = await db
    .select({ id: ledgerEntries.id })
    .from(ledgerEntries)
    .where(and(wallet, gt(ledgerEntries.seq, report.journalEntries)))
    .orderBy(asc(ledgerEntries.seq));
  report.unexpected = extra.map((row) => row.id);
  const [totals] = await db
    .select({
      balance: sql<number | null>`sum(CASE WHEN ${ledgerEntries.status} = 'posted' THEN (CASE ${ledgerEntries.direction} WHEN 'credit' THEN ${ledgerEntries.amount} ELSE -${ledgerEntries.amount} END) ELSE 0 END)`,
    })
    .from(ledgerEntries)
    .where(and(wallet, eq(ledgerEntries.account, 'wallet')));
  report.projectedEntries = (await db.select({ rows: count() }).from(ledgerEntries).where(wallet))[0]?.rows ?? 0;
  report.balance.projection = totals?.balance ?? 0;
  const differences = report.missing.length + report.mismatched.length + report.unexpected.length;
  const balancesAgree = report.undelivered > 0 || report.balance.journal === report.balance.projection;
  report.ok = differences === 0 && balancesAgree;
  return report;
}

/** The wallet's object itself, for callers that need the raw RPC results (the benchmark, tests). */
export function ledgerStub(env: Env, owner: WalletOwner): DurableObjectStub<WalletLedger> {
  // The generated Env types the binding without its class; the class is this module's import.
  return (env.WALLET_LEDGER as unknown as DurableObjectNamespace<WalletLedger>).getByName(walletObjectName(owner));
}

const COMPARED = [
  'id',
  'transferId',
  'kind',
  'account',
  'direction',
  'amount',
  'status',
  'balanceAfter',
  'heldAfter',
  'reference',
  'relatedId',
  'hash',
  'createdAt',
] as const satisfies readonly (keyof JournalEntry)[];

function sameEntry(entry: JournalEntry, copy: typeof ledgerEntries.$inferSelect): boolean {
  return COMPARED.every((key) => entry[key] === copy[key]);
}

function isFailure(value: object): value is LedgerFailure {
  return 'ok' in value && value.ok === false;
}

function accepted<R extends object>(result: R): Exclude<R, LedgerFailure> {
  if (isFailure(result)) throw new AppError(result.code, result.message, result.details);
  return result as Exclude<R, LedgerFailure>;
}

function posted(result: PostingResult): Posting {
  const ok = accepted(result);
  return { transfer: ok.transfer, replayed: ok.replayed };
}
