import { DurableObject } from 'cloudflare:workers';
import { z } from 'zod';
import type { HoldDeadlineMessage } from '../jobs/messages';
import { log } from '../lib/log';
import { Journal, type Tip } from './ledger-journal';
import { Outbox } from './ledger-outbox';
import { checkFunds, fail, invalid, planCredit, planDebit, planHold, planPost, planReversal, planVoid, type Plan } from './ledger-rules';
import { migrateLedger } from './ledger-schema';
import { verifyJournal } from './ledger-verify';
import {
  creditInput,
  debitInput,
  entriesInput,
  holdInput,
  ownerInput,
  postInput,
  reverseInput,
  voidInput,
  walletObjectName,
  type Balance,
  type EntriesInput,
  type EntryPage,
  type JournalPage,
  type LedgerFailure,
  type PostingResult,
  type TransferKind,
  type Verification,
  type WalletOwner,
} from './ledger-types';

/**
 * Commits within this window share one D1 write; the copy lags the journal by about this much.
 * History shown to customers is read from the journal, so only admin views see the lag.
 */
const DELIVERY_DELAY_MS = 1_000;
/** If that copy does not finish (eviction, D1 down), the alarm retries it this much later. */
const DELIVERY_GRACE_MS = 30_000;
const MAX_RETRY_MS = 5 * 60_000;
const DEADLINES_PER_ALARM = 100;
const journalInput = z.strictObject({ afterSeq: z.int().min(0).default(0), limit: z.int().min(1).max(500).default(200) });
const verifyInput = z.strictObject({ fromSeq: z.int().min(1).default(1) });

/**
 * One wallet, `(userId, currency)`: the only place its balance changes. Every posting is
 * validated, checked and written in one `transactionSync` with no await in between, so
 * concurrent calls cannot interleave between reading the balance and writing the entries.
 * Failures are returned as values (`{ ok: false, code }`); services map them to `AppError`.
 *
 * Callers pass the owner on every call; the first posting records it and every later call must
 * match (and match the object's name), so a wallet can never be reached under another name.
 */
export class WalletLedger extends DurableObject<Env> {
  private readonly journal: Journal;
  private readonly outbox: Outbox;
  private owner: WalletOwner | null = null;
  private tip!: Tip;
  private alarmAt: number | null = null;
  private batch: { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  private deliveryTimer: ReturnType<typeof setTimeout> | null = null;
  private delivery: Promise<void> | null = null;
  private deliveryWanted = false;
  private failedDeliveries = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.journal = new Journal(ctx.storage.sql);
    this.outbox = new Outbox(ctx.storage.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrateLedger(ctx.storage);
      this.owner = this.journal.owner();
      this.tip = this.journal.tip();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Money in from a system account (deposit, referral bonus, crypto sale). */
  credit(owner: WalletOwner, input: z.input<typeof creditInput>): Promise<PostingResult> {
    return this.posting(owner, 'credit', creditInput, input, (data) => planCredit(data));
  }

  /** Money out to a system account at once; refused if it would overdraw what is available. */
  debit(owner: WalletOwner, input: z.input<typeof debitInput>): Promise<PostingResult> {
    return this.posting(owner, 'debit', debitInput, input, (data) => planDebit(data));
  }

  /** Reserves funds for a payment in flight; `onDeadline` says what the alarm does when it lapses. */
  hold(owner: WalletOwner, input: z.input<typeof holdInput>): Promise<PostingResult> {
    return this.posting(owner, 'hold', holdInput, input, (data, now) => planHold(data, now));
  }

  /** Charges a hold in full or in part; the rest of the reservation is released. */
  postHold(owner: WalletOwner, input: z.input<typeof postInput>): Promise<PostingResult> {
    return this.posting(owner, 'post', postInput, input, (data, now) => planPost(data, this.journal.holdState(data.holdId), now));
  }

  /** Releases a hold without charging it. */
  voidHold(owner: WalletOwner, input: z.input<typeof voidInput>): Promise<PostingResult> {
    return this.posting(owner, 'void', voidInput, input, (data) => planVoid(data, this.journal.holdState(data.holdId)));
  }

  /** A new transfer that undoes a posted one, pointing at it; at most once per original. */
  reverse(owner: WalletOwner, input: z.input<typeof reverseInput>): Promise<PostingResult> {
    return this.posting(owner, 'reversal', reverseInput, input, (data) => {
      const original = this.journal.transfer(data.reverses);
      return planReversal(data, original, this.journal.relatedBy(data.reverses)?.id ?? null);
    });
  }

  balance(owner: WalletOwner): Balance {
    this.claim(owner);
    return { balance: this.tip.balance, held: this.tip.held, available: this.tip.available };
  }

  /** The wallet's history, newest first; pass `nextCursor` back for the following page. */
  entries(owner: WalletOwner, input: EntriesInput = {}): EntryPage | LedgerFailure {
    this.claim(owner);
    const parsed = entriesInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const { limit, cursor } = parsed.data;
    const rows = this.journal.walletEntries(limit + 1, cursor ? Number(cursor) : Number.MAX_SAFE_INTEGER);
    const entries = rows.slice(0, limit);
    return { entries, nextCursor: rows.length > limit ? String(entries.at(-1)!.seq) : null };
  }

  /** Raw journal pages, oldest first, for reconciliation against the D1 copy. */
  journalPage(owner: WalletOwner, input: z.input<typeof journalInput> = {}): JournalPage | LedgerFailure {
    this.claim(owner);
    const parsed = journalInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    return {
      entries: this.journal.entriesAfter(parsed.data.afterSeq, parsed.data.limit),
      lastSeq: this.tip.lastSeq,
      deliveredSeq: this.outbox.deliveredSeq(),
    };
  }

  /** Recomputes the hash chain (from `fromSeq`, default the start) and, for a full check, the totals. */
  verify(owner: WalletOwner, input: z.input<typeof verifyInput> = {}): Verification | LedgerFailure {
    this.claim(owner);
    const parsed = verifyInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    return verifyJournal(this.journal, this.owner, this.tip, parsed.data.fromSeq);
  }

  /** Does nothing: a liveness probe, and the floor the benchmark compares postings with. */
  ping(): null {
    return null;
  }

  /** Deadlines first (release or notify), then the outbox; running it twice changes nothing more. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (this.owner) this.settleDueHolds(this.owner, Date.now());
    await this.deliver();
    await this.scheduleAlarm();
  }

  private async posting<S extends z.ZodType<{ id: string }>>(
    ownerArg: WalletOwner,
    kind: TransferKind,
    schema: S,
    input: unknown,
    plan: (data: z.output<S>, now: number) => Plan | LedgerFailure,
  ): Promise<PostingResult> {
    const owner = this.claim(ownerArg);
    const parsed = schema.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const result = await this.inNextBatch(() => this.commit(owner, kind, parsed.data, plan));
    if (result.ok && !result.replayed) await this.afterCommit(result.transfer.deadline);
    return result;
  }

  /**
   * Group commit: postings that arrive together run back to back inside one outer transaction,
   * so they reach disk in one durable write instead of one each. Each still runs alone in its
   * own `transactionSync` (a savepoint), in arrival order, seeing every posting before it.
   * Callers hear their result only once the whole batch is committed.
   */
  private inNextBatch<T>(work: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.batch.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.batch.length === 1) setTimeout(() => this.commitBatch(), 0);
    });
  }

  private commitBatch(): void {
    const jobs = this.batch;
    this.batch = [];
    let outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    try {
      outcomes = this.ctx.storage.transactionSync(() =>
        jobs.map((job) => {
          try {
            return { ok: true as const, value: job.work() };
          } catch (error) {
            return { ok: false as const, error };
          }
        }),
      );
    } catch (error) {
      // Nothing in the batch reached storage: forget what memory believed and tell every caller.
      this.tip = this.journal.tip();
      this.owner = this.journal.owner();
      for (const job of jobs) job.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? jobs[i]!.resolve(outcome.value) : jobs[i]!.reject(outcome.error)));
  }

  /**
   * The whole posting in one synchronous transaction: replay check, rules, funds check, write.
   * A refusal returns before anything is written; a thrown error rolls everything back.
   */
  private commit<T extends { id: string }>(
    owner: WalletOwner,
    kind: TransferKind,
    data: T,
    plan: (data: T, now: number) => Plan | LedgerFailure,
  ): PostingResult {
    const { id, ...fields } = data;
    const request = JSON.stringify({ kind, ...fields });
    const outcome = this.ctx.storage.transactionSync((): PostingResult | { committed: true; result: PostingResult; tip: Tip } => {
      const recorded = this.journal.requestOf(id);
      if (recorded !== null) {
        if (recorded === request) return { ok: true, transfer: this.journal.transfer(id)!, replayed: true };
        return fail('CONFLICT', `Transfer ${id} was already recorded with different details`);
      }
      const now = Date.now();
      const planned = plan(data, now);
      if ('ok' in planned) return planned;
      const refusal = checkFunds(this.tip, planned);
      if (refusal) return refusal;
      const written = this.journal.record(owner, id, request, planned, this.tip, now);
      return { committed: true, result: { ok: true, transfer: written.transfer, replayed: false }, tip: written.tip };
    });
    if (!('committed' in outcome)) return outcome;
    this.tip = outcome.tip;
    this.owner ??= owner;
    return outcome.result;
  }

  /** Copies the new entries to D1 shortly; the alarm is the safety net if that copy never lands. */
  private async afterCommit(deadline: number | null): Promise<void> {
    await this.ensureAlarmBy(Date.now() + DELIVERY_GRACE_MS);
    if (deadline !== null) await this.ensureAlarmBy(deadline);
    this.deliveryTimer ??= setTimeout(() => {
      this.deliveryTimer = null;
      void this.deliver();
    }, DELIVERY_DELAY_MS);
  }

  private settleDueHolds(owner: WalletOwner, now: number): void {
    for (const due of this.journal.dueHolds(DEADLINES_PER_ALARM, now)) {
      if (due.onDeadline === 'release') {
        const release = { id: `${due.holdId}:expired`, holdId: due.holdId };
        const result = this.commit(owner, 'void', release, (data) => planVoid(data, this.journal.holdState(data.holdId)));
        if (!result.ok) {
          // Mark it seen, or the alarm would fire again at once, forever; the hold stays open for staff.
          this.ctx.storage.transactionSync(() => this.journal.markNotified(due.holdId, now));
          log('error', 'ledger could not release an expired hold', { holdId: due.holdId, code: result.code, message: result.message });
        }
      } else {
        const message: HoldDeadlineMessage = {
          type: 'ledger.hold-deadline',
          userId: owner.userId,
          currency: owner.currency,
          holdId: due.holdId,
          reference: due.reference,
          amount: due.amount,
          deadline: due.deadline,
        };
        this.ctx.storage.transactionSync(() => {
          this.journal.markNotified(due.holdId, now);
          this.outbox.addNotice(message, now);
        });
      }
    }
  }

  /** One drain at a time; a commit during a drain makes it go round once more. */
  private deliver(): Promise<void> {
    this.deliveryWanted = true;
    this.delivery ??= this.drainOutbox().finally(() => {
      this.delivery = null;
    });
    return this.delivery;
  }

  private async drainOutbox(): Promise<void> {
    while (this.deliveryWanted && this.owner) {
      this.deliveryWanted = false;
      try {
        await this.outbox.deliverEntries(this.env.DB, this.journal, this.owner);
        await this.outbox.deliverNotices(this.env.JOBS);
        this.failedDeliveries = 0;
      } catch (error) {
        this.failedDeliveries += 1;
        log('warn', 'ledger outbox delivery failed; the alarm will retry', {
          wallet: walletObjectName(this.owner),
          attempt: this.failedDeliveries,
          error: (error as Error).message,
        });
        await this.ensureAlarmBy(Date.now() + retryDelay(this.failedDeliveries));
        return;
      }
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const next = this.journal.nextDeadline();
    const retryAt = this.outbox.owes(this.tip.lastSeq) ? Date.now() + retryDelay(this.failedDeliveries) : null;
    const at = Math.min(next ?? Infinity, retryAt ?? Infinity);
    if (Number.isFinite(at)) await this.ensureAlarmBy(at);
  }

  /** Moves the alarm earlier if needed, never later: one alarm serves every deadline and retry. */
  private async ensureAlarmBy(at: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** Checks the caller means this wallet; a mismatch is a bug in the caller, so it throws. */
  private claim(candidate: WalletOwner): WalletOwner {
    const owner = ownerInput.parse(candidate);
    const name = walletObjectName(owner);
    const expected = this.owner ? walletObjectName(this.owner) : (this.ctx.id.name ?? name);
    if (name !== expected) throw new Error(`wallet ledger ${expected} was called as ${name}`);
    return owner;
  }
}

/** 1 s, 2 s, 4 s, … up to five minutes. */
function retryDelay(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), MAX_RETRY_MS);
}
