import type { z } from 'zod';
import { detailsFromIssues } from '../lib/errors';
import type {
  Balance,
  DeadlineAction,
  Direction,
  EntryStatus,
  LedgerErrorCode,
  LedgerFailure,
  SystemAccount,
  Transfer,
  TransferKind,
  creditInput,
  holdInput,
  postInput,
  reverseInput,
  voidInput,
} from './ledger-types';

/**
 * The posting rules, as pure functions from a validated request and what the journal already
 * holds to either a plan (what to write and how it moves the wallet) or a refusal. Keeping them
 * free of storage makes every rule readable in one place and testable without an object.
 */
export type Plan = {
  kind: TransferKind;
  account: SystemAccount;
  amount: number;
  reference: string | null;
  holdId: string | null;
  reversesId: string | null;
  deadline: number | null;
  onDeadline: DeadlineAction | null;
  /** The wallet side; the system account always takes the opposite direction. */
  direction: Direction;
  status: EntryStatus;
  balanceDelta: number;
  heldDelta: number;
};

/** A hold as post/void need it: the recorded transfer and, once settled, what settled it. */
export type HoldState = { hold: Transfer; settledBy: Pick<Transfer, 'id' | 'kind'> | null };

/** A refusal as it crosses the RPC boundary; nothing has been written when one is returned. */
export function fail(code: LedgerErrorCode, message: string, details?: LedgerFailure['details']): LedgerFailure {
  return details ? { ok: false, code, message, details } : { ok: false, code, message };
}

/** Bad input, with the field messages the API returns as `details`. */
export function invalid(error: z.ZodError): LedgerFailure {
  return fail('VALIDATION_FAILED', 'Some fields are not valid', detailsFromIssues(error.issues));
}

const base = { reference: null, holdId: null, reversesId: null, deadline: null, onDeadline: null } as const;

/** Money in: the balance grows at once; nothing can refuse it but a balance beyond 2^53. */
export function planCredit(input: z.output<typeof creditInput>): Plan {
  const { amount, account } = input;
  return { ...base, kind: 'credit', account, amount, reference: input.reference ?? null, direction: 'credit', status: 'posted', balanceDelta: amount, heldDelta: 0 };
}

/** Money out at once; the funds check decides whether it may. */
export function planDebit(input: z.output<typeof creditInput>): Plan {
  const { amount, account } = input;
  return { ...base, kind: 'debit', account, amount, reference: input.reference ?? null, direction: 'debit', status: 'posted', balanceDelta: -amount, heldDelta: 0 };
}

/** A reservation: held grows, the balance does not; the deadline counts from the ledger's clock. */
export function planHold(input: z.output<typeof holdInput>, now: number): Plan {
  const { amount, account, reference, onDeadline } = input;
  return {
    ...base,
    kind: 'hold',
    account,
    amount,
    reference,
    deadline: now + input.timeoutMs,
    onDeadline,
    direction: 'debit',
    status: 'pending',
    balanceDelta: 0,
    heldDelta: amount,
  };
}

/** Posting charges `amount` (default all) of an open hold and releases the whole reservation. */
export function planPost(input: z.output<typeof postInput>, state: HoldState | null, now: number): Plan | LedgerFailure {
  const open = openHold(input.holdId, state);
  if ('ok' in open) return open;
  if (open.onDeadline === 'release' && open.deadline !== null && open.deadline <= now) {
    return fail('CONFLICT', `Hold ${open.id} expired at its deadline and can no longer be posted`);
  }
  const amount = input.amount ?? open.amount;
  if (amount > open.amount) {
    return fail('VALIDATION_FAILED', `Cannot post more than the ${open.amount} held`, { amount: [`must be at most ${open.amount}`] });
  }
  return {
    ...base,
    kind: 'post',
    account: open.account,
    amount,
    reference: open.reference,
    holdId: open.id,
    direction: 'debit',
    status: 'posted',
    balanceDelta: -amount,
    heldDelta: -open.amount,
  };
}

export function planVoid(input: z.output<typeof voidInput>, state: HoldState | null): Plan | LedgerFailure {
  const open = openHold(input.holdId, state);
  if ('ok' in open) return open;
  return {
    ...base,
    kind: 'void',
    account: open.account,
    amount: open.amount,
    reference: open.reference,
    holdId: open.id,
    direction: 'credit',
    status: 'voided',
    balanceDelta: 0,
    heldDelta: -open.amount,
  };
}

const REVERSIBLE: readonly TransferKind[] = ['credit', 'debit', 'post'];

/** A reversal moves the original amount back the other way, once; it may overdraw like any debit would. */
export function planReversal(
  input: z.output<typeof reverseInput>,
  original: Transfer | null,
  reversedBy: string | null,
): Plan | LedgerFailure {
  if (!original) return fail('NOT_FOUND', `No transfer ${input.reverses} in this wallet`);
  if (!REVERSIBLE.includes(original.kind)) {
    return fail('VALIDATION_FAILED', `A ${original.kind} cannot be reversed; only posted credits, debits and posts can`, {
      reverses: ['must be a posted credit, debit or post'],
    });
  }
  if (reversedBy) return fail('CONFLICT', `Transfer ${original.id} was already reversed by ${reversedBy}`);
  const restoresFunds = original.kind !== 'credit';
  return {
    ...base,
    kind: 'reversal',
    account: original.account,
    amount: original.amount,
    reference: input.reference ?? original.reference,
    reversesId: original.id,
    direction: restoresFunds ? 'credit' : 'debit',
    status: 'posted',
    balanceDelta: restoresFunds ? original.amount : -original.amount,
    heldDelta: 0,
  };
}

/** The one funds rule: available (balance − held) never goes below zero, and totals stay exact. */
export function checkFunds(current: Balance, plan: Plan): LedgerFailure | null {
  const balance = current.balance + plan.balanceDelta;
  const held = current.held + plan.heldDelta;
  if (!Number.isSafeInteger(balance) || !Number.isSafeInteger(balance - held)) {
    return fail('VALIDATION_FAILED', 'This amount would take the wallet beyond the largest amount it can hold', {
      amount: ['is too large for this wallet'],
    });
  }
  if (balance - held < 0) {
    return fail('INSUFFICIENT_FUNDS', `Available balance is ${current.available}; ${plan.amount} is needed`);
  }
  return null;
}

function openHold(holdId: string, state: HoldState | null): Transfer | LedgerFailure {
  if (!state || state.hold.kind !== 'hold') return fail('NOT_FOUND', `No hold ${holdId} in this wallet`);
  if (state.settledBy) {
    const outcome = state.settledBy.kind === 'post' ? 'posted' : 'voided';
    return fail('CONFLICT', `Hold ${holdId} was already ${outcome} by ${state.settledBy.id}`);
  }
  return state.hold;
}
