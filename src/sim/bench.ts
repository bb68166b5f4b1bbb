import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { database } from '../db/client';
import { users } from '../db/schema';
import type { WalletOwner } from '../durable/ledger-types';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { jsonBody } from '../middleware/validate';
import { providerFetch } from '../providers/http';
import { vtpassClientFromConfig } from '../providers/vtpass';
import { purchaseDeps, requeryPurchase, startPurchase, type Purchase } from '../services/purchases';
import { ledgerStub, walletLedger } from '../services/wallets';

/**
 * Dev-only endpoints for `npm run bench` (mounted under /__sim/bench, so only with SIMULATORS
 * on). `noop` and `postings` cost one HTTP request each, for measuring through the Worker;
 * `run` drives many RPCs from inside the Worker, for measuring the object itself. Wallets are
 * `bench_<run>_<n>` (KES), so every run starts from empty journals. `fund` credits a real
 * user's NGN wallet for the purchase benchmark; `purchase-profile` runs real purchases from
 * inside the Worker and says where their time goes.
 */
const SEED_BALANCE = 1_000_000_000;
const runInput = z.strictObject({
  operation: z.enum(['noop', 'posting']),
  runId: z.string().regex(/^[a-z0-9]{1,20}$/),
  wallets: z.int().min(1).max(50),
  count: z.int().min(1).max(5_000),
  concurrency: z.int().min(1).max(256),
});
const walletParam = z.object({ run: z.string().regex(/^[a-z0-9]{1,20}$/), wallet: z.coerce.number().int().min(0).max(49) });

function benchOwner(runId: string, wallet: number): WalletOwner {
  return { userId: `bench_${runId}_${wallet}`, currency: 'KES' };
}

/** Alternating credits and debits, so the funds check runs and the balance stays bounded. */
async function posting(env: Env, owner: WalletOwner, n: number) {
  const ledger = walletLedger(env, owner.userId, owner.currency);
  const id = `bench_${n}_${crypto.randomUUID()}`;
  if (n % 2 === 0) await ledger.credit({ id, amount: 100, account: 'mpesa:clearing' });
  else await ledger.debit({ id, amount: 100, account: 'vtpass:float' });
}

/** Funds a bench wallet once, so its debits never meet an empty wallet. */
async function seed(env: Env, owner: WalletOwner) {
  await walletLedger(env, owner.userId, owner.currency).credit({ id: 'bench_seed', amount: SEED_BALANCE, account: 'mpesa:clearing' });
}

/** Enough for any benchmark (₦10 billion in kobo), small enough that a typo cannot overflow a balance. */
const MAX_FUNDING = 1_000_000_000_000;
const fundInput = z.strictObject({
  userId: z.string().trim().min(1).max(100),
  amount: z.int().positive().max(MAX_FUNDING),
  /** Makes a resent request a replay instead of a second credit; a fresh one is made when absent. */
  transferId: z.string().regex(/^bench_fund_[A-Za-z0-9-]{1,80}$/).optional(),
});

const profileInput = z.strictObject({
  userId: z.string().trim().min(1).max(100),
  /** Names the purchases' Idempotency-Keys, so a resent request replays what was done instead of buying again. */
  runId: z.string().regex(/^[a-z0-9]{1,40}$/),
  count: z.int().min(1).max(500),
  concurrency: z.int().min(1).max(50).default(1),
  /** A sandbox number the simulator delivers at once (src/sim/vtpass-sandbox.ts). */
  recipient: z.string().regex(/^\d{10,13}$/).default('08011111111'),
  serviceId: z.string().regex(/^[a-z0-9-]{1,64}$/).default('mtn'),
  amount: z.int().positive().max(5_000_000).default(10_000),
});

/** The NGN wallet of an existing user, credited from Monnify's clearing account under a fresh transfer id. */
async function fund(env: Env, userId: string, amount: number, transferId = `bench_fund_${crypto.randomUUID()}`) {
  const user = await database(env.DB).query.users.findFirst({ columns: { id: true }, where: eq(users.id, userId) });
  if (!user) throw new AppError('NOT_FOUND', 'No such user');
  const ledger = walletLedger(env, userId, 'NGN');
  const { transfer } = await ledger.credit({ id: transferId, amount, account: 'monnify:clearing', reference: 'bench funding' });
  return { transferId: transfer.id, ...(await ledger.balance()) };
}

type Part = 'd1' | 'ledger' | 'vtpass';

/** Wall time spent waiting on each collaborator; overlapping calls (concurrency > 1) each count in full. */
class Stopwatch {
  readonly ms: Record<Part, number> = { d1: 0, ledger: 0, vtpass: 0 };
  readonly calls: Record<Part, number> = { d1: 0, ledger: 0, vtpass: 0 };
  /** Per D1 statement (its SQL) or ledger method: total ms and calls. */
  readonly detail = new Map<string, { ms: number; calls: number }>();
  async time<T>(part: Part, work: () => Promise<T>, label?: string): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const ms = performance.now() - started;
      this.ms[part] += ms;
      this.calls[part] += 1;
      if (label !== undefined) {
        const entry = this.detail.get(label) ?? { ms: 0, calls: 0 };
        entry.ms += ms;
        entry.calls += 1;
        this.detail.set(label, entry);
      }
    }
  }
}

/** D1 with every statement's execution timed; `batch` gets the real statements back. */
function timedD1(d1: D1Database, watch: Stopwatch): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const statement = (stmt: D1PreparedStatement, query: string): D1PreparedStatement => {
    const wrapped = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => statement(target.bind(...values), query);
        if (prop === 'all' || prop === 'run' || prop === 'raw' || prop === 'first') {
          return (...args: unknown[]) => watch.time('d1', () => (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args), `d1: ${query.slice(0, 90)}`);
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(wrapped, stmt);
    return wrapped;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => statement(target.prepare(query), query);
      if (prop === 'batch') return (stmts: D1PreparedStatement[]) => watch.time('d1', () => target.batch(stmts.map((s) => real.get(s) ?? s)));
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The wallet objects with every RPC timed. */
function timedLedgers(namespace: DurableObjectNamespace, watch: Stopwatch): DurableObjectNamespace {
  return new Proxy(namespace, {
    get(target, prop) {
      if (prop === 'getByName') {
        return (name: string) => {
          const stub = target.getByName(name) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
          return new Proxy(stub, {
            get: (s, method) =>
              typeof method === 'string' && method !== 'then' ? (...args: unknown[]) => watch.time('ledger', () => s[method]!(...args), `ledger: ${method}`) : Reflect.get(s, method),
          });
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * What a replayed bench purchase cost: delivered → its amount, failed → nothing (hold voided).
 * One cut before it was settled is requeried once, as the queue would; if VTpass never got it,
 * it stays pending with its hold (by design), and the benchmark cannot account for it.
 */
async function settledCharge(env: Env, config: AppEnv['Variables']['config'], purchase: Purchase): Promise<number> {
  const settled = purchase.status === 'pending' ? await requeryPurchase(purchaseDeps(env, config), purchase.id, null) : purchase;
  if (settled?.status === 'delivered') return settled.amount;
  if (settled?.status === 'failed') return 0;
  throw new AppError('CONFLICT', `bench purchase ${purchase.id}, cut by a dev-server reload, is ${settled?.status ?? 'gone'}: its hold stays until staff settle it; run the benchmark again`);
}

/**
 * Real purchases through `startPurchase` (the code behind `POST /api/v1/purchases`, minus HTTP,
 * session lookup and the route's validation), with D1, the wallet object and the VTpass call
 * timed separately. The VTpass call reaches the simulator through this Worker's own entry point,
 * so its time includes the simulator's own D1 write. Every new purchase must end delivered.
 * Keys are `bench-profile-<runId>-<n>`: when a dev-server reload cut an earlier request with the
 * same runId, its purchases are replays here (untimed; one left pending is requeried once), and
 * `charged` still covers all `count` purchases exactly once.
 */
async function profilePurchases(env: Env, config: AppEnv['Variables']['config'], input: z.output<typeof profileInput>) {
  const watch = new Stopwatch();
  const db = timedD1(env.DB, watch);
  const ledgers = timedLedgers(env.WALLET_LEDGER as unknown as DurableObjectNamespace, watch);
  const timedEnv = new Proxy(env, {
    get: (target, prop) => (prop === 'DB' ? db : prop === 'WALLET_LEDGER' ? ledgers : Reflect.get(target, prop)),
  });
  const fetchVtpass = providerFetch(timedEnv);
  const deps = { ...purchaseDeps(timedEnv, config), vtpass: vtpassClientFromConfig(config, (request, init) => watch.time('vtpass', () => fetchVtpass(request, init))) };
  const latencies: number[] = [];
  let charged = 0;
  let replayed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      while (next < input.count) {
        const n = next++;
        const begun = performance.now();
        const order = { serviceId: input.serviceId, recipient: input.recipient, amount: input.amount };
        const result = await startPurchase(deps, input.userId, order, `bench-profile-${input.runId}-${n}`);
        if (result.replayed) {
          replayed++;
          charged += await settledCharge(env, config, result.purchase);
          continue;
        }
        latencies.push(performance.now() - begun);
        if (result.purchase.status !== 'delivered') throw new AppError('CONFLICT', `bench purchase ${result.purchase.id} ended ${result.purchase.status}, not delivered`);
        charged += result.purchase.amount;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const timed = Math.max(1, latencies.length);
  const perPurchase = (ms: number) => Number((ms / timed).toFixed(3));
  const totalMs = latencies.reduce((a, b) => a + b, 0);
  return {
    count: input.count,
    /** Purchases made (and timed) by this request; the rest were replays of a cut earlier one. */
    timed: latencies.length,
    replayed,
    concurrency: input.concurrency,
    elapsedMs,
    /** What all `count` purchases cost the wallet, replays included, each once. */
    charged,
    /** Mean per purchase, in ms. */
    meanMs: {
      total: perPurchase(totalMs),
      d1: perPurchase(watch.ms.d1),
      ledger: perPurchase(watch.ms.ledger),
      vtpass: perPurchase(watch.ms.vtpass),
      other: perPurchase(totalMs - watch.ms.d1 - watch.ms.ledger - watch.ms.vtpass),
    },
    callsPerPurchase: { d1: watch.calls.d1 / timed, ledger: watch.calls.ledger / timed, vtpass: watch.calls.vtpass / timed },
    /** Mean ms per purchase for each D1 statement and ledger method, slowest first. */
    detailMs: Object.fromEntries(
      [...watch.detail.entries()].sort(([, a], [, b]) => b.ms - a.ms).map(([label, { ms, calls }]) => [label, { msPerPurchase: perPurchase(ms), callsPerPurchase: calls / timed }]),
    ),
  };
}

export const simBench = new Hono<AppEnv>()
  .post('/:run/:wallet/noop', async (c) => {
    const { run, wallet } = walletParam.parse(c.req.param());
    await ledgerStub(c.env, benchOwner(run, wallet)).ping();
    return c.json({ data: null });
  })
  .post('/:run/:wallet/seed', async (c) => {
    const { run, wallet } = walletParam.parse(c.req.param());
    await seed(c.env, benchOwner(run, wallet));
    return c.json({ data: null });
  })
  .post('/:run/:wallet/postings', async (c) => {
    const { run, wallet } = walletParam.parse(c.req.param());
    await posting(c.env, benchOwner(run, wallet), Number(c.req.query('n') ?? 0));
    return c.json({ data: null });
  })
  .post('/run', async (c) => {
    const input = await jsonBody(c, runInput);
    const owners = Array.from({ length: input.wallets }, (_, i) => benchOwner(input.runId, i));
    await Promise.all(owners.map((owner) => (input.operation === 'posting' ? seed(c.env, owner) : ledgerStub(c.env, owner).ping())));
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: input.concurrency }, async () => {
        while (next < input.count) {
          const n = next++;
          const owner = owners[n % owners.length]!;
          if (input.operation === 'noop') await ledgerStub(c.env, owner).ping();
          else await posting(c.env, owner, n);
        }
      }),
    );
    const elapsedMs = Date.now() - started;
    return c.json({ data: { count: input.count, elapsedMs } });
  })
  .post('/fund', async (c) => {
    const input = await jsonBody(c, fundInput);
    return c.json({ data: await fund(c.env, input.userId, input.amount, input.transferId) });
  })
  .post('/purchase-profile', async (c) => {
    const input = await jsonBody(c, profileInput);
    return c.json({ data: await profilePurchases(c.env, c.var.config, input) });
  });
