import { z } from 'zod';
import { CURRENCIES } from '../durable/ledger-types';

/**
 * Bodies of the messages on the JOBS queue, one variant per `type`. The consumer parses every
 * body with `jobMessage`, so a message from an older or newer deploy fails loudly, not silently.
 */

/**
 * Sent by a wallet's ledger when a hold whose owner chose `notify` reaches its deadline. The
 * hold stays open: the owning flow (found by `reference`) asks its provider what happened and
 * then posts or voids the hold. Delivery is at-least-once.
 */
export const holdDeadlineMessage = z.object({
  type: z.literal('ledger.hold-deadline'),
  userId: z.string().min(1),
  currency: z.enum(CURRENCIES),
  holdId: z.string().min(1),
  reference: z.string().min(1),
  amount: z.int().positive(),
  deadline: z.int(),
});
export type HoldDeadlineMessage = z.infer<typeof holdDeadlineMessage>;

/** Ask M-Pesa (STK query) how a pending deposit ended; `attempt` picks the next delay. */
export const depositCheckMessage = z.object({
  type: z.literal('deposit.check'),
  depositId: z.string().min(1).max(64),
  attempt: z.int().min(0).max(1000),
});

/** Get (or create) a customer's dedicated Monnify account; retried until Monnify gives one. */
export const reserveAccountMessage = z.object({
  type: z.literal('monnify.reserve-account'),
  userId: z.string().min(1).max(100),
});

/** Ask VTpass (requery) how a pending purchase ended; `attempt` picks the next delay. */
export const purchaseRequeryMessage = z.object({
  type: z.literal('purchase.requery'),
  purchaseId: z.string().min(1).max(64),
  attempt: z.int().min(0).max(1000),
});

export const jobMessage = z.discriminatedUnion('type', [holdDeadlineMessage, depositCheckMessage, reserveAccountMessage, purchaseRequeryMessage]);
export type JobMessage = z.infer<typeof jobMessage>;
