import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { LedgerErrorCode, PostingResult, Transfer, WalletOwner } from '../src/durable/ledger-types';
import type { WalletLedger } from '../src/durable/wallet-ledger';
import { freshWallet } from './ledger-support';

/**
 * Invariant fuzzing in the style of Blnk's invariant_fuzz_test: a seeded random sequence of
 * postings, replays and bad inputs against one wallet object, with an independent model
 * predicting every outcome and the journal checked from storage after every step.
 *
 * CI runs 2,000 operations with a fresh seed each time; reproduce or go big locally with
 *   VITE_LEDGER_FUZZ_SEED=1234 VITE_LEDGER_FUZZ_OPS=100000 npx vitest run test/ledger-fuzz
 */
const settings = (import.meta as ImportMeta & { env: Record<string, string | undefined> }).env;
const OPERATIONS = Number(settings.VITE_LEDGER_FUZZ_OPS ?? 2_000);
const SEED = Number(settings.VITE_LEDGER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const FULL_CHECK_EVERY = Math.max(250, Math.floor(OPERATIONS / 20));
const STEPS_PER_BATCH = 50;
const DAY = 24 * 3600_000;

type Method = 'credit' | 'debit' | 'hold' | 'postHold' | 'voidHold' | 'reverse';
type Operation = { method: Method; input: Record<string, unknown>; expect: LedgerErrorCode | 'ok' | 'replay'; original?: Transfer };
type Committed = { method: Method; input: Record<string, unknown>; transfer: Transfer };

/** mulberry32: small, fast and fully determined by the seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, int, pick };
}

/** The specification, written independently of the object: what each operation must do. */
class Model {
  balance = 0;
  held = 0;
  readonly holds = new Map<string, { amount: number; settled: boolean }>();
  readonly reversed = new Set<string>();
  readonly committed: Committed[] = [];
  private counter = 0;

  constructor(private readonly rng: ReturnType<typeof random>) {}

  get available() {
    return this.balance - this.held;
  }

  nextOperation(): Operation {
    const roll = this.rng.next();
    if (roll < 0.2) return this.credit();
    if (roll < 0.32) return this.debit();
    if (roll < 0.47) return this.hold();
    if (roll < 0.57) return this.post();
    if (roll < 0.64) return this.voidHold();
    if (roll < 0.72) return this.reverse();
    if (roll < 0.84) return this.replay();
    if (roll < 0.89) return this.conflictingReplay();
    if (roll < 0.97) return this.badInput();
    return this.unknownTarget();
  }

  /** Applies a committed operation to the model; returns nothing for refusals and replays. */
  apply(operation: Operation, transfer: Transfer) {
    this.committed.push({ method: operation.method, input: operation.input, transfer });
    const { kind, amount } = transfer;
    if (kind === 'credit') this.balance += amount;
    else if (kind === 'debit') this.balance -= amount;
    else if (kind === 'hold') {
      this.held += amount;
      this.holds.set(transfer.id, { amount, settled: false });
    } else if (kind === 'post' || kind === 'void') {
      const hold = this.holds.get(transfer.holdId!)!;
      hold.settled = true;
      this.held -= hold.amount;
      if (kind === 'post') this.balance -= amount;
    } else {
      const original = this.committed.find((c) => c.transfer.id === transfer.reversesId)!.transfer;
      this.reversed.add(original.id);
      this.balance += original.kind === 'credit' ? -amount : amount;
    }
  }

  private id(prefix: string) {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Mostly anything up to a bit over the limit, often exactly on its edge, where off-by-ones live. */
  private amountAround(limit: number) {
    const roll = this.rng.next();
    if (roll < 0.2) return Math.max(1, limit + this.rng.pick([-1, 0, 1]));
    if (roll < 0.3) return this.rng.int(1, 50);
    return this.rng.int(1, Math.max(1, Math.ceil(limit * 1.25)));
  }

  private credit(): Operation {
    const input = { id: this.id('dep'), amount: this.rng.int(1, 20_000), account: this.rng.pick(['mpesa:clearing', 'monnify:clearing', 'referral:expense']) };
    return { method: 'credit', input, expect: 'ok' };
  }

  private debit(): Operation {
    const amount = this.amountAround(this.available);
    const input = { id: this.id('pay'), amount, account: this.rng.pick(['vtpass:float', 'crypto:desk', 'fees:revenue']) };
    return { method: 'debit', input, expect: amount <= this.available ? 'ok' : 'INSUFFICIENT_FUNDS' };
  }

  private hold(): Operation {
    const amount = this.amountAround(this.available);
    const id = this.id('pur');
    const input = { id, amount, account: 'vtpass:float', reference: `purchase:${id}`, timeoutMs: DAY, onDeadline: this.rng.pick(['release', 'notify']) };
    return { method: 'hold', input, expect: amount <= this.available ? 'ok' : 'INSUFFICIENT_FUNDS' };
  }

  private post(): Operation {
    const holdId = this.someHold();
    if (!holdId) return this.hold();
    const hold = this.holds.get(holdId)!;
    const partial = this.rng.next();
    const amount = partial < 0.4 ? undefined : partial < 0.9 ? this.rng.int(1, hold.amount) : hold.amount + this.rng.int(1, 100);
    const input = amount === undefined ? { id: this.id('post'), holdId } : { id: this.id('post'), holdId, amount };
    if (hold.settled) return { method: 'postHold', input, expect: 'CONFLICT' };
    return { method: 'postHold', input, expect: amount !== undefined && amount > hold.amount ? 'VALIDATION_FAILED' : 'ok' };
  }

  private voidHold(): Operation {
    const holdId = this.someHold();
    if (!holdId) return this.hold();
    return { method: 'voidHold', input: { id: this.id('void'), holdId }, expect: this.holds.get(holdId)!.settled ? 'CONFLICT' : 'ok' };
  }

  private reverse(): Operation {
    if (this.committed.length === 0) return this.credit();
    const original = this.rng.pick(this.committed).transfer;
    const input = { id: this.id('rev'), reverses: original.id };
    let expected: Operation['expect'] = 'ok';
    if (!['credit', 'debit', 'post'].includes(original.kind)) expected = 'VALIDATION_FAILED';
    else if (this.reversed.has(original.id)) expected = 'CONFLICT';
    else if (original.kind === 'credit' && original.amount > this.available) expected = 'INSUFFICIENT_FUNDS';
    return { method: 'reverse', input, expect: expected };
  }

  private replay(): Operation {
    if (this.committed.length === 0) return this.credit();
    const old = this.rng.pick(this.committed);
    return { method: old.method, input: old.input, expect: 'replay', original: old.transfer };
  }

  private conflictingReplay(): Operation {
    if (this.committed.length === 0) return this.credit();
    const old = this.rng.pick(this.committed);
    const input = { ...old.input };
    if (typeof input.amount === 'number') input.amount += 1;
    else if (old.method === 'reverse') input.reference = 'changed';
    else if (old.method === 'voidHold') input.holdId = `${String(input.holdId)}_other`;
    else input.amount = 1;
    return { method: old.method, input, expect: 'CONFLICT' };
  }

  private badInput(): Operation {
    const amount = this.rng.pick([0, -1, -500, 0.5, 10.25, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1e300, '100', null, undefined, {}]);
    const id = this.id('bad');
    const candidates: Operation[] = [
      { method: 'credit', input: { id, amount, account: 'mpesa:clearing' }, expect: 'VALIDATION_FAILED' },
      { method: 'debit', input: { id, amount, account: 'vtpass:float' }, expect: 'VALIDATION_FAILED' },
      { method: 'hold', input: { id, amount, account: 'vtpass:float', reference: 'p', timeoutMs: DAY, onDeadline: 'notify' }, expect: 'VALIDATION_FAILED' },
      { method: 'hold', input: { id, amount: 5, account: 'vtpass:float', reference: 'p', timeoutMs: 0, onDeadline: 'notify' }, expect: 'VALIDATION_FAILED' },
      { method: 'hold', input: { id, amount: 5, account: 'vtpass:float', timeoutMs: DAY, onDeadline: 'explode' }, expect: 'VALIDATION_FAILED' },
      { method: 'credit', input: { id: this.rng.pick(['', 'has space', 'x'.repeat(101), '-lead']), amount: 5, account: 'mpesa:clearing' }, expect: 'VALIDATION_FAILED' },
      { method: 'credit', input: { id, amount: 5, account: this.rng.pick(['bank:x', 'wallet', '']) }, expect: 'VALIDATION_FAILED' },
      { method: 'postHold', input: { id, holdId: this.someHold() ?? 'pur_x', amount: this.rng.pick([0, -3, 1.5]) }, expect: 'VALIDATION_FAILED' },
      { method: 'reverse', input: { id, reverses: '' }, expect: 'VALIDATION_FAILED' },
    ];
    return this.rng.pick(candidates);
  }

  private unknownTarget(): Operation {
    const id = this.id('ghost');
    return this.rng.pick<Operation>([
      { method: 'postHold', input: { id, holdId: 'no_such_hold' }, expect: 'NOT_FOUND' },
      { method: 'voidHold', input: { id, holdId: this.committed.find((c) => c.transfer.kind === 'credit')?.transfer.id ?? 'none' }, expect: 'NOT_FOUND' },
      { method: 'reverse', input: { id, reverses: 'no_such_transfer' }, expect: 'NOT_FOUND' },
    ]);
  }

  private someHold(): string | null {
    const ids = [...this.holds.keys()];
    if (ids.length === 0) return null;
    const open = ids.filter((id) => !this.holds.get(id)!.settled);
    return open.length > 0 && this.rng.next() < 0.85 ? this.rng.pick(open) : this.rng.pick(ids);
  }
}

type Observation = {
  entries: { seq: number; transfer_id: string; kind: string; hold_id: string | null; account: string; direction: string; amount: number; status: string }[];
  totals: { balance: number; held: number } | null;
};

/** What changed in storage since `afterSeq`, read with plain SQL rather than through the object's code. */
function observe(sql: SqlStorage, afterSeq: number, full: boolean): Observation {
  const entries = sql
    .exec<Observation['entries'][number]>(
      `SELECT e.seq, e.transfer_id, t.kind, CASE WHEN t.kind IN ('post', 'void') THEN t.related_id END AS hold_id, e.account, e.direction, e.amount, e.status
       FROM entries e JOIN transfers t ON t.id = e.transfer_id WHERE e.seq > ? ORDER BY e.seq`,
      afterSeq,
    )
    .toArray();
  if (!full) return { entries, totals: null };
  const sum = (query: string) => Number(sql.exec(query).one().v ?? 0);
  return {
    entries,
    totals: {
      balance: sum(`SELECT sum(CASE direction WHEN 'credit' THEN amount ELSE -amount END) AS v FROM entries WHERE account = 'wallet' AND status = 'posted'`),
      held: sum(`SELECT sum(amount) AS v FROM transfers h WHERE kind = 'hold' AND NOT EXISTS (SELECT 1 FROM transfers s WHERE s.related_id = h.id)`),
    },
  };
}

describe('ledger invariants under random operations', () => {
  it(`holds for ${OPERATIONS} seeded operations`, { timeout: 60_000 + OPERATIONS * 30 }, async () => {
    const rng = random(SEED);
    const model = new Model(rng);
    const { owner, stub } = freshWallet('NGN', 'usr_fuzz');
    let seq = 0;
    let journalBalance = 0;
    let journalHeld = 0;
    const holdAmounts = new Map<string, number>();
    const counts: Record<string, number> = {};

    const runStep = async (instance: WalletLedger, sql: SqlStorage, step: number) => {
      const operation = model.nextOperation();
      try {
        const result = await (instance[operation.method] as (o: WalletOwner, i: unknown) => Promise<PostingResult>)(owner, operation.input);
        const outcome = result.ok ? (result.replayed ? 'replay' : 'ok') : result.code;
        counts[`${operation.method}:${outcome}`] = (counts[`${operation.method}:${outcome}`] ?? 0) + 1;
        expect(outcome, JSON.stringify(result)).toBe(operation.expect);
        if (operation.expect === 'replay') expect(result.ok && result.transfer).toEqual(operation.original);
        if (result.ok && !result.replayed) model.apply(operation, result.transfer);

        const full = step % FULL_CHECK_EVERY === 0 || step === OPERATIONS;
        const seen = observe(sql, seq, full);
        // Only a committed posting writes, and it writes exactly one balanced pair of entries.
        expect(seen.entries.length).toBe(result.ok && !result.replayed ? 2 : 0);
        if (seen.entries.length > 0) {
          const [wallet, system] = seen.entries;
          expect(wallet!.transfer_id).toBe(system!.transfer_id);
          expect(wallet!.account).toBe('wallet');
          expect(system!.account).not.toBe('wallet');
          expect(wallet!.amount).toBe(system!.amount);
          expect(wallet!.direction).not.toBe(system!.direction);
          expect(wallet!.status).toBe(system!.status);
          if (wallet!.status === 'posted') journalBalance += wallet!.direction === 'credit' ? wallet!.amount : -wallet!.amount;
          if (wallet!.kind === 'hold') {
            holdAmounts.set(wallet!.transfer_id, wallet!.amount);
            journalHeld += wallet!.amount;
          }
          if (wallet!.hold_id) journalHeld -= holdAmounts.get(wallet!.hold_id)!;
        }
        const previousSeq = seq;
        seq = seen.entries.at(-1)?.seq ?? seq;
        // balance = Σ journal; held = Σ open holds; available never negative; the model agrees.
        const balance = instance.balance(owner);
        expect(balance).toEqual({ balance: journalBalance, held: journalHeld, available: journalBalance - journalHeld });
        expect(balance).toEqual({ balance: model.balance, held: model.held, available: model.available });
        expect(balance.available).toBeGreaterThanOrEqual(0);
        if (seen.totals) expect(seen.totals).toEqual({ balance: journalBalance, held: journalHeld });
        // The chain verifies: the new entries every step, the whole journal every FULL_CHECK_EVERY steps.
        expect(instance.verify(owner, { fromSeq: full ? 1 : previousSeq + 1 })).toMatchObject({ ok: true, problems: [], lastSeq: seq });
      } catch (error) {
        const detail = `seed=${SEED} step=${step}/${OPERATIONS} ${operation.method} ${JSON.stringify(operation.input)} expected ${operation.expect}`;
        throw new Error(`ledger fuzz failed (rerun with VITE_LEDGER_FUZZ_SEED=${SEED}): ${detail}\n${(error as Error).message}`);
      }
    };

    // Steps run inside the object in batches (its public methods, called directly) so a large run stays fast.
    for (let first = 1; first <= OPERATIONS; first += STEPS_PER_BATCH) {
      await runInDurableObject(stub, async (instance, state) => {
        for (let step = first; step < first + STEPS_PER_BATCH && step <= OPERATIONS; step++) await runStep(instance, state.storage.sql, step);
      });
    }

    // The run must have exercised every path, or a green result would mean little.
    for (const path of ['credit:ok', 'debit:ok', 'debit:INSUFFICIENT_FUNDS', 'hold:ok', 'hold:INSUFFICIENT_FUNDS', 'postHold:ok', 'voidHold:ok', 'reverse:ok']) {
      expect(counts[path] ?? 0, `seed=${SEED}: no ${path} in ${JSON.stringify(counts)}`).toBeGreaterThan(0);
    }
    for (const code of ['replay', 'CONFLICT', 'VALIDATION_FAILED', 'NOT_FOUND']) {
      const total = Object.entries(counts).filter(([key]) => key.endsWith(`:${code}`)).reduce((sum, [, n]) => sum + n, 0);
      expect(total, `seed=${SEED}: no ${code} outcomes`).toBeGreaterThan(0);
    }
  });
});
