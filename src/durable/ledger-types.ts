import { z } from 'zod';
import type { ErrorDetails } from '../lib/errors';

/** The currencies a wallet can hold; every user has one wallet of each. */
export const CURRENCIES = ['KES', 'NGN'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Narrows user input (a path segment, a query value) to a wallet currency. */
export function isCurrency(value: string): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value);
}

/**
 * The accounts on the other side of every wallet transfer (design.md §3). A closed list, so a
 * typo cannot open a new account; a new flow adds its account here.
 */
export const SYSTEM_ACCOUNTS = [
  'mpesa:clearing',
  'monnify:clearing',
  'vtpass:float',
  'crypto:desk',
  'referral:expense',
  'fees:revenue',
  /** Staff corrections (manual credit/debit), each with an audit row and a reason. */
  'adjustments',
] as const;
export type SystemAccount = (typeof SYSTEM_ACCOUNTS)[number];

/** The wallet's own side of an entry; every other entry names a system account. */
export const WALLET_ACCOUNT = 'wallet';

export const TRANSFER_KINDS = ['credit', 'debit', 'hold', 'post', 'void', 'reversal'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export const DIRECTIONS = ['debit', 'credit'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** What an entry did when written: `pending` reserves, `posted` moves the balance, `voided` releases. */
export const ENTRY_STATUSES = ['pending', 'posted', 'voided'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** An entry's state as history shows it: later transfers can settle a hold or reverse a posting. */
export type EntryState = EntryStatus | 'reversed';

/** At a hold's deadline the ledger either releases it or tells the owning flow to decide (requery first). */
export const DEADLINE_ACTIONS = ['release', 'notify'] as const;
export type DeadlineAction = (typeof DEADLINE_ACTIONS)[number];

export type WalletOwner = { userId: string; currency: Currency };

/** One Durable Object per wallet; the name is how every caller finds the same one. */
export function walletObjectName(owner: WalletOwner): string {
  return `${owner.userId}:${owner.currency}`;
}

/** Ids come from the business object (deposit id, purchase id, …); room is left for ledger suffixes. */
export const transferId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/, 'must be 1–100 letters, digits, "_", ":", "." or "-"');
/** Minor units (cents, kobo); `z.int()` already refuses anything beyond ±2^53−1. */
const amount = z.int('must be a whole number of minor units').positive('must be more than zero');
const account = z.enum(SYSTEM_ACCOUNTS);
const reference = z.string().trim().min(1).max(200);
const MAX_HOLD_MS = 30 * 24 * 3600_000;

export const ownerInput = z.object({ userId: z.string().min(1).max(100), currency: z.enum(CURRENCIES) });

export const creditInput = z.strictObject({ id: transferId, amount, account, reference: reference.optional() });
export type CreditInput = z.input<typeof creditInput>;

export const debitInput = creditInput;
export type DebitInput = CreditInput;

/** A reservation: `timeoutMs` is relative (as in TigerBeetle) so a retried call carries the same fields. */
export const holdInput = z.strictObject({
  id: transferId,
  amount,
  account,
  reference,
  timeoutMs: z.int().min(1).max(MAX_HOLD_MS),
  onDeadline: z.enum(DEADLINE_ACTIONS),
});
export type HoldInput = z.input<typeof holdInput>;

/** Charges all of a hold, or `amount` of it with the rest released. */
export const postInput = z.strictObject({ id: transferId, holdId: transferId, amount: amount.optional() });
export type PostInput = z.input<typeof postInput>;

export const voidInput = z.strictObject({ id: transferId, holdId: transferId });
export type VoidInput = z.input<typeof voidInput>;

export const reverseInput = z.strictObject({ id: transferId, reverses: transferId, reference: reference.optional() });
export type ReverseInput = z.input<typeof reverseInput>;

export const entriesInput = z.strictObject({
  limit: z.int().min(1).max(100).default(20),
  cursor: z.string().regex(/^\d{1,15}$/, 'is not a cursor from this list').optional(),
});
export type EntriesInput = z.input<typeof entriesInput>;

/** A committed transfer as the ledger recorded it, with the wallet's position right after it. */
export type Transfer = {
  id: string;
  kind: TransferKind;
  account: SystemAccount;
  amount: number;
  status: EntryStatus;
  reference: string | null;
  holdId: string | null;
  reversesId: string | null;
  deadline: number | null;
  onDeadline: DeadlineAction | null;
  balanceAfter: number;
  heldAfter: number;
  createdAt: number;
};

export type LedgerErrorCode = 'VALIDATION_FAILED' | 'INSUFFICIENT_FUNDS' | 'CONFLICT' | 'NOT_FOUND';

/** Failures cross the RPC boundary as values; services turn them into `AppError` with the same code. */
export type LedgerFailure = { ok: false; code: LedgerErrorCode; message: string; details?: ErrorDetails };

/** `replayed` is true when the id was already committed with the same fields and nothing was written. */
export type PostingResult = { ok: true; transfer: Transfer; replayed: boolean } | LedgerFailure;

export type Balance = { balance: number; held: number; available: number };

/** One line of the wallet's history (the wallet side of a transfer). */
export type WalletEntry = {
  id: string;
  seq: number;
  transferId: string;
  kind: TransferKind;
  account: SystemAccount;
  direction: Direction;
  amount: number;
  status: EntryState;
  balanceAfter: number;
  heldAfter: number;
  reference: string | null;
  createdAt: number;
};

export type EntryPage = { entries: WalletEntry[]; nextCursor: string | null };

/** Any entry of the journal (either side), as reconciliation compares it with the D1 copy. */
export type JournalEntry = {
  seq: number;
  id: string;
  transferId: string;
  kind: TransferKind;
  account: string;
  direction: Direction;
  amount: number;
  status: EntryStatus;
  balanceAfter: number | null;
  heldAfter: number | null;
  reference: string | null;
  relatedId: string | null;
  hash: string;
  createdAt: number;
};

export type JournalPage = { entries: JournalEntry[]; lastSeq: number; deliveredSeq: number };

export type Verification = { ok: boolean; checkedFrom: number; lastSeq: number; problems: string[] };
