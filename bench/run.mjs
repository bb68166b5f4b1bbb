// npm run bench: starts the app locally (wrangler dev on a free loopback port, fresh local state),
// measures ledger throughput and writes bench/results.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const settings = {
  /** Operations per measurement; each measurement is repeated and the median kept. */
  rpcOperations: Number(process.env.BENCH_RPC_OPS ?? 4_000),
  httpOperations: Number(process.env.BENCH_HTTP_OPS ?? 1_500),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 32),
  repeats: Number(process.env.BENCH_REPEATS ?? 3),
};
/** Keeps wrangler off the network: no Request.cf download, no update check, no telemetry. */
const OFFLINE = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', WRANGLER_SEND_METRICS: 'false' };
const RUN_CHUNK = 1_000;
const STARTUP_TIMEOUT_MS = 120_000;
/** wrangler dev reloads when a source file changes; a request caught by that is sent again. */
const RESTART_RETRIES = 5;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(command, args, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: OFFLINE, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}; see ${log.path}`))));
  });
}

function startServer(port, state, log) {
  const child = spawn(
    'npx',
    ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--var', 'SEED_DEMO_DATA:off', '--show-interactive-dev-session=false'],
    { cwd: root, env: OFFLINE, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return child;
}

function stopServer(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 5_000).unref();
  });
}

async function waitUntilReady(base, child) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`wrangler dev did not answer /healthz within ${STARTUP_TIMEOUT_MS / 1000}s`);
}

async function post(url, body, attempt = 0) {
  const response = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return response.json();
  const text = await response.text();
  if (response.status === 503 && /restarted/i.test(text) && attempt < RESTART_RETRIES) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return post(url, body, attempt + 1);
  }
  throw new Error(`POST ${url} answered ${response.status}: ${text}`);
}

/** Many RPCs from inside the Worker, in chunks, timed by the Worker itself. */
async function rpcRate(base, operation, wallets, runId) {
  let count = 0;
  let elapsedMs = 0;
  for (let done = 0; done < settings.rpcOperations; done += RUN_CHUNK) {
    const chunk = Math.min(RUN_CHUNK, settings.rpcOperations - done);
    const { data } = await post(`${base}/__sim/bench/run`, { operation, runId, wallets, count: chunk, concurrency: settings.concurrency });
    count += data.count;
    elapsedMs += data.elapsedMs;
  }
  return (count / elapsedMs) * 1000;
}

/** One HTTP request per operation from here, `concurrency` in flight, timed by this process. */
async function httpRate(base, path, runId) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (next < settings.httpOperations) {
        const n = next++;
        await post(`${base}/__sim/bench/${runId}/0/${path}?n=${n}`);
      }
    }),
  );
  return (settings.httpOperations / (performance.now() - started)) * 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(label, once) {
  const samples = [];
  for (let i = 0; i < settings.repeats; i++) samples.push(await once(`${label.replace(/[^a-z]/gi, '').toLowerCase().slice(0, 12)}${i}`));
  return median(samples);
}

async function main() {
  // Local state lives outside the project, so the dev server's file watcher never sees it change.
  const state = await mkdtemp(join(tmpdir(), 'malipo-bench-'));
  const log = createWriteStream(join(state, 'wrangler.log'));
  console.log('Applying D1 migrations to a fresh local state…');
  await run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], log);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  console.log(`Starting wrangler dev on ${base}…`);
  const server = startServer(port, state, log);
  let finished = false;
  const stop = () => stopServer(server).then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await waitUntilReady(base, server);
    const probe = await fetch(`${base}/__sim/bench/warm/0/noop`, { method: 'POST' });
    if (probe.status === 404) throw new Error('POST /__sim/bench/* answered 404: mount src/sim/bench.ts at /__sim/bench (SIMULATORS=on)');
    console.log('Warming up…');
    await post(`${base}/__sim/bench/run`, { operation: 'noop', runId: 'warm', wallets: 1, count: 500, concurrency: settings.concurrency });
    await post(`${base}/__sim/bench/run`, { operation: 'posting', runId: 'warm', wallets: 1, count: 500, concurrency: settings.concurrency });
    console.log(`Measuring (median of ${settings.repeats}, concurrency ${settings.concurrency})…`);

    const noopRpcPerSec = await measure('noop', (runId) => rpcRate(base, 'noop', 1, runId));
    const hotWalletPostingsPerSec = await measure('hot', (runId) => rpcRate(base, 'posting', 1, runId));
    const spreadNoopRpcPerSec = await measure('spreadnoop', (runId) => rpcRate(base, 'noop', 50, runId));
    const spreadPostingsPerSec = await measure('spread', (runId) => rpcRate(base, 'posting', 50, runId));
    const httpNoopRpcPerSec = await measure('httpnoop', (runId) => httpRate(base, 'noop', runId));
    const httpHotWalletPostingsPerSec = await measure('httphot', async (runId) => {
      await post(`${base}/__sim/bench/${runId}/0/seed`);
      return httpRate(base, 'postings', runId);
    });

    const round = (n) => Math.round(n);
    const results = {
      hotWalletPostingsPerSec: round(hotWalletPostingsPerSec),
      noopRpcPerSec: round(noopRpcPerSec),
      hotWalletRatio: Number((hotWalletPostingsPerSec / noopRpcPerSec).toFixed(3)),
      spreadPostingsPerSec: round(spreadPostingsPerSec),
      spreadNoopRpcPerSec: round(spreadNoopRpcPerSec),
      spreadRatio: Number((spreadPostingsPerSec / spreadNoopRpcPerSec).toFixed(3)),
      httpHotWalletPostingsPerSec: round(httpHotWalletPostingsPerSec),
      httpNoopRpcPerSec: round(httpNoopRpcPerSec),
      httpHotWalletRatio: Number((httpHotWalletPostingsPerSec / httpNoopRpcPerSec).toFixed(3)),
      concurrency: settings.concurrency,
      rpcOperations: settings.rpcOperations,
      httpOperations: settings.httpOperations,
    };
    await writeFile(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.table({
      'no-op RPC, one object': { 'per second': results.noopRpcPerSec },
      'postings, one hot wallet (RPC)': { 'per second': results.hotWalletPostingsPerSec, ratio: results.hotWalletRatio },
      'no-op RPC, 50 objects': { 'per second': results.spreadNoopRpcPerSec },
      'postings, 50 wallets (RPC)': { 'per second': results.spreadPostingsPerSec, ratio: results.spreadRatio },
      'no-op RPC via HTTP': { 'per second': results.httpNoopRpcPerSec },
      'postings, one hot wallet (HTTP)': { 'per second': results.httpHotWalletPostingsPerSec, ratio: results.httpHotWalletRatio },
    });
    console.log(`Goal: hot-wallet ratio ≥ 0.7 — ${results.hotWalletRatio >= 0.7 ? 'met' : 'NOT met'}. Written to bench/results.json.`);
    finished = true;
  } finally {
    await stopServer(server);
    log.end();
    if (finished) await rm(state, { recursive: true, force: true });
    else console.error(`Server log kept at ${log.path}`);
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
