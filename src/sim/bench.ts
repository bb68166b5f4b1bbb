import { Hono } from 'hono';
import { z } from 'zod';
import type { WalletOwner } from '../durable/ledger-types';
import type { AppEnv } from '../env';
import { jsonBody } from '../middleware/validate';
import { ledgerStub, walletLedger } from '../services/wallets';

/**
 * Dev-only endpoints for `npm run bench` (mounted under /__sim/bench, so only with SIMULATORS
 * on). `noop` and `postings` cost one HTTP request each, for measuring through the Worker;
 * `run` drives many RPCs from inside the Worker, for measuring the object itself. Wallets are
 * `bench_<run>_<n>` (KES), so every run starts from empty journals.
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
  });
