// npm run bench: starts the app locally (wrangler dev on a free loopback port, fresh local state),
// measures ledger throughput and purchase latency and writes bench/results.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  /** `ledger` or `purchases` runs one part and keeps the other part's figures in results.json. */
  only: process.env.BENCH_ONLY ?? '',
  /** Timed purchases one at a time, then at PURCHASE_CONCURRENCY in flight. */
  purchasesC1: Number(process.env.BENCH_PURCHASES_C1 ?? 200),
  purchasesC20: Number(process.env.BENCH_PURCHASES_C20 ?? 600),
  /** Untimed purchases first: the first one fills the catalogue from the simulator. */
  purchaseWarmup: Number(process.env.BENCH_PURCHASE_WARMUP ?? 40),
  /** Purchases timed from inside the Worker, per concurrency, to see where the time goes. */
  profilePurchases: Number(process.env.BENCH_PROFILE_PURCHASES ?? 100),
};
for (const [key, name, max] of [
  ['purchasesC1', 'BENCH_PURCHASES_C1', Infinity],
  ['purchasesC20', 'BENCH_PURCHASES_C20', Infinity],
  ['purchaseWarmup', 'BENCH_PURCHASE_WARMUP', Infinity],
  ['profilePurchases', 'BENCH_PROFILE_PURCHASES', 500],
]) {
  if (!Number.isInteger(settings[key]) || settings[key] < 1 || settings[key] > max) throw new Error(`${name} must be a whole number from 1${max < Infinity ? ` to ${max}` : ''}`);
}
const PURCHASE_CONCURRENCY = 20;
/** A sandbox number the VTpass simulator delivers at once (src/sim/vtpass-sandbox.ts), and ₦100 each. */
const PURCHASE = { serviceId: 'mtn', recipient: '08011111111', amount: 10_000 };
/** Spare funding on top of what the purchases need, so the funds check never refuses one. */
const FUNDING_SLACK = 1_000_000;
/**
 * Overrides for the bench server. The purchase rate limit would cap the benchmark (wrangler
 * ignores a var the app does not read); demo seeding is off so the state holds only bench data.
 */
const SERVER_VARS = { SEED_DEMO_DATA: 'off', PURCHASE_MAX_PER_MINUTE: '1000000' };
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

/**
 * What the dev server prints, watched line by line. The app writes one JSON line per request with
 * its own `durationMs` (src/middleware/request-context.ts): while `server.times` is set, those are
 * collected by "METHOD path", so a figure measured from here can be split into the app's own time
 * and everything in front of it. `server.reloads` counts wrangler's reloads (another engineer
 * saving a source file), which stall every request in flight.
 */
const server = { times: null, reloads: 0, phasesWithReload: 0 };
function watchServerOutput(stream) {
  let partial = '';
  stream.on('data', (chunk) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (/Reloading local server|Detected changes, restarted/.test(line)) server.reloads++;
      const start = server.times ? line.indexOf('{"level"') : -1;
      if (start < 0) continue;
      try {
        const entry = JSON.parse(line.slice(start));
        if (entry.message !== 'request' || typeof entry.durationMs !== 'number') continue;
        const key = `${entry.method} ${entry.path}`;
        server.times.set(key, [...(server.times.get(key) ?? []), entry.durationMs]);
      } catch {}
    }
  });
}

/**
 * Runs one timed phase and returns what it returns plus the request durations the app logged
 * meanwhile. A phase during which the dev server reloaded is run again (up to 3 times), since the
 * reload's stall would be in its figures.
 */
async function timedPhase(label, work) {
  for (let attempt = 1; ; attempt++) {
    const reloadsBefore = server.reloads;
    server.times = new Map();
    try {
      const result = await work();
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the last log lines arrive
      const reloaded = server.reloads !== reloadsBefore;
      if (!reloaded || attempt === 3) {
        if (reloaded) {
          server.phasesWithReload++;
          console.warn(`  ${label}: the dev server reloaded during all 3 attempts; these figures include a reload.`);
        }
        return { result, server: server.times, reloaded };
      }
      console.warn(`  ${label}: the dev server reloaded meanwhile (someone saved a source file); measuring again.`);
    } finally {
      server.times = null;
    }
  }
}

function startServer(port, state, log) {
  const child = spawn(
    'npx',
    [
      'wrangler',
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      state,
      ...Object.entries(SERVER_VARS).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
      '--show-interactive-dev-session=false',
    ],
    { cwd: root, env: OFFLINE, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  watchServerOutput(child.stdout);
  watchServerOutput(child.stderr);
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
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    // The connection dropped (a reload); every bench endpoint may be sent again.
    if (attempt >= RESTART_RETRIES) throw error;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return post(url, body, attempt + 1);
  }
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

/** Nearest-rank percentile. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(label, once) {
  const samples = [];
  for (let i = 0; i < settings.repeats; i++) samples.push(await once(`${label.replace(/[^a-z]/gi, '').toLowerCase().slice(0, 12)}${i}`));
  return median(samples);
}

async function measureLedger(base) {
  console.log('Ledger: warming up…');
  await post(`${base}/__sim/bench/run`, { operation: 'noop', runId: 'warm', wallets: 1, count: 500, concurrency: settings.concurrency });
  await post(`${base}/__sim/bench/run`, { operation: 'posting', runId: 'warm', wallets: 1, count: 500, concurrency: settings.concurrency });
  console.log(`Ledger: measuring (median of ${settings.repeats}, concurrency ${settings.concurrency})…`);

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
  console.table({
    'no-op RPC, one object': { 'per second': results.noopRpcPerSec },
    'postings, one hot wallet (RPC)': { 'per second': results.hotWalletPostingsPerSec, ratio: results.hotWalletRatio },
    'no-op RPC, 50 objects': { 'per second': results.spreadNoopRpcPerSec },
    'postings, 50 wallets (RPC)': { 'per second': results.spreadPostingsPerSec, ratio: results.spreadRatio },
    'no-op RPC via HTTP': { 'per second': results.httpNoopRpcPerSec },
    'postings, one hot wallet (HTTP)': { 'per second': results.httpHotWalletPostingsPerSec, ratio: results.httpHotWalletRatio },
  });
  console.log(`Goal: hot-wallet ratio ≥ 0.7 — ${results.hotWalletRatio >= 0.7 ? 'met' : 'NOT met'}.`);
  return results;
}

/** A reload of the dev server answers 503 "restarted" or drops the connection. */
function isReload(response, text) {
  return response.status === 503 && /restarted/i.test(text);
}

/**
 * The bench customer: a real account through `POST /api/v1/auth/signup`, its session cookie kept
 * for every API call. `charged` adds up what each delivered purchase cost.
 */
class Customer {
  constructor(base) {
    this.base = base;
    this.cookie = '';
    this.userId = '';
    this.funded = 0;
    this.charged = 0;
    this.purchases = 0;
    /** Requests sent again after a dev-server reload; their latency is not counted. */
    this.retried = 0;
  }

  async api(method, path, body, headers = {}, attempt = 0) {
    let response;
    let text;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await response.text();
    } catch (error) {
      // Connection dropped by a reload. Safe to resend: every purchase carries its Idempotency-Key.
      if (attempt >= RESTART_RETRIES) throw error;
      this.retried++;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return this.api(method, path, body, headers, attempt + 1);
    }
    if (isReload(response, text) && attempt < RESTART_RETRIES) {
      this.retried++;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return this.api(method, path, body, headers, attempt + 1);
    }
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text, retried: attempt > 0 };
  }

  async signUp() {
    const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@malipo.test`;
    const answer = await this.api('POST', '/api/v1/auth/signup', { email, password: `bench-${crypto.randomUUID()}`, name: 'Bench Customer' });
    if (answer.status !== 201) throw new Error(`POST /api/v1/auth/signup answered ${answer.status}: ${answer.text}`);
    const session = answer.headers.getSetCookie().find((c) => /^(__Host-)?malipo_session=/.test(c));
    if (!session) throw new Error('POST /api/v1/auth/signup set no session cookie');
    this.cookie = session.split(';')[0];
    this.userId = answer.json.data.user.id;
  }

  /** Credits the NGN wallet through the bench endpoint; the transfer id makes a resent request a replay. */
  async fund(amount) {
    const { data } = await post(`${this.base}/__sim/bench/fund`, { userId: this.userId, amount, transferId: `bench_fund_${crypto.randomUUID()}` });
    this.funded += amount;
    return data;
  }

  /** One purchase through `POST /api/v1/purchases`; its latency, or null when a reload got in the way. */
  async buy() {
    const key = `bench-${crypto.randomUUID()}`;
    const started = performance.now();
    const answer = await this.api('POST', '/api/v1/purchases', PURCHASE, { 'idempotency-key': key });
    const ms = performance.now() - started;
    let purchase = answer.json?.data;
    if (answer.retried && answer.status === 202 && purchase?.status === 'pending') {
      // A reload cut the first attempt after it reached VTpass: the requery queue settles it.
      purchase = await this.settled(purchase.id);
    } else if (answer.status !== 201 || purchase?.status !== 'delivered') {
      throw new Error(`POST /api/v1/purchases (Idempotency-Key ${key}) answered ${answer.status}, not 201 delivered: ${answer.text}`);
    }
    if (purchase.amount !== PURCHASE.amount) throw new Error(`purchase ${purchase.id} charged ${purchase.amount}, expected ${PURCHASE.amount}`);
    this.charged += purchase.amount;
    this.purchases++;
    return answer.retried ? null : ms;
  }

  async settled(id) {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const answer = await this.api('GET', `/api/v1/purchases/${id}`);
      const purchase = answer.json?.data;
      if (answer.status === 200 && purchase.status === 'delivered') return purchase;
      if (answer.status === 200 && purchase.status !== 'pending') throw new Error(`purchase ${id} ended ${purchase.status}, not delivered`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    throw new Error(`purchase ${id} was still pending after 90 s (probably cut by a dev-server reload before VTpass got it: the app keeps its hold by design); run again`);
  }

  /** `count` purchases, `concurrency` in flight: latencies (ms) and wall time. */
  async buyMany(count, concurrency) {
    const latencies = [];
    let next = 0;
    const retriedBefore = this.retried;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          const ms = await this.buy();
          if (ms !== null) latencies.push(ms);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    const retried = this.retried - retriedBefore;
    if (retried > 0) console.warn(`  ${retried} request(s) resent after a dev-server reload: those purchases are not in the latency figures; consider running again.`);
    return { latencies, elapsedMs, perSecond: (count / elapsedMs) * 1000 };
  }

  /** `count` authenticated no-ops (`GET /api/v1/me`: the app plus the session look-up), for comparison. */
  async meLatencies(count, concurrency) {
    const latencies = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          const started = performance.now();
          const answer = await this.api('GET', '/api/v1/me');
          if (answer.status !== 200) throw new Error(`GET /api/v1/me answered ${answer.status}: ${answer.text}`);
          if (!answer.retried) latencies.push(performance.now() - started);
        }
      }),
    );
    return latencies;
  }

  async ngnWallet() {
    const answer = await this.api('GET', '/api/v1/wallets');
    if (answer.status !== 200) throw new Error(`GET /api/v1/wallets answered ${answer.status}: ${answer.text}`);
    const wallet = answer.json.data.find((w) => w.currency === 'NGN');
    if (!wallet) throw new Error(`GET /api/v1/wallets has no NGN wallet: ${answer.text}`);
    return wallet;
  }
}

/** `count` no-op requests (`POST /__sim/bench/…/noop`: the app plus one wallet-object RPC), for comparison. */
async function noopLatencies(base, runId, count, concurrency) {
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const started = performance.now();
        await post(`${base}/__sim/bench/${runId}/0/noop?n=${n}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

async function measurePurchases(base) {
  const customer = new Customer(base);
  await customer.signUp();
  await customer.fund(FUNDING_SLACK);
  console.log(`Purchases: customer ${customer.userId}; warming up (${settings.purchaseWarmup} untimed, the first fills the catalogue)…`);
  await customer.fund(settings.purchaseWarmup * PURCHASE.amount);
  await customer.buy();
  await customer.buyMany(settings.purchaseWarmup - 1, PURCHASE_CONCURRENCY);
  await noopLatencies(base, 'purwarm', 100, PURCHASE_CONCURRENCY);
  await customer.meLatencies(100, PURCHASE_CONCURRENCY);

  console.log(`Purchases: ${settings.purchasesC1} one at a time, ${settings.purchasesC20} at ${PURCHASE_CONCURRENCY} in flight, on one wallet…`);
  // Each phase's purchases are funded just before it, so a phase run again after a reload is too.
  const buying = (count, concurrency) => async () => {
    await customer.fund(count * PURCHASE.amount);
    return customer.buyMany(count, concurrency);
  };
  let phase = 0;
  const noopC1 = (await timedPhase('no-op, 1 in flight', () => noopLatencies(base, `purnoop${phase++}`, settings.purchasesC1, 1))).result;
  const meC1 = (await timedPhase('GET /api/v1/me, 1 in flight', () => customer.meLatencies(settings.purchasesC1, 1))).result;
  const { result: c1, server: serverC1 } = await timedPhase('purchases, 1 in flight', buying(settings.purchasesC1, 1));
  const noopC20 = (await timedPhase(`no-op, ${PURCHASE_CONCURRENCY} in flight`, () => noopLatencies(base, `purnoop${phase++}`, settings.purchasesC20, PURCHASE_CONCURRENCY))).result;
  const meC20 = (await timedPhase(`GET /api/v1/me, ${PURCHASE_CONCURRENCY} in flight`, () => customer.meLatencies(settings.purchasesC20, PURCHASE_CONCURRENCY))).result;
  const { result: c20, server: serverC20 } = await timedPhase(`purchases, ${PURCHASE_CONCURRENCY} in flight`, buying(settings.purchasesC20, PURCHASE_CONCURRENCY));
  const logged = (times, key, expected) => {
    const values = times.get(key) ?? [];
    if (values.length < expected) console.warn(`  only ${values.length} of ${expected} "${key}" request lines found in the server log`);
    return values.length > 0 ? values : [NaN];
  };

  console.log(`Purchases: ${settings.profilePurchases} at 1 and at ${PURCHASE_CONCURRENCY} in flight timed inside the Worker…`);
  const profiles = {};
  let profileRun = 0;
  for (const concurrency of [1, PURCHASE_CONCURRENCY]) {
    const { result } = await timedPhase(`purchases timed inside the Worker, ${concurrency} in flight`, async () => {
      await customer.fund(settings.profilePurchases * PURCHASE.amount);
      // A request cut by a reload is resent with the same runId: its purchases are replayed, not bought twice.
      const runId = `${Date.now().toString(36)}${profileRun++}`;
      const { data } = await post(`${base}/__sim/bench/purchase-profile`, { userId: customer.userId, runId, count: settings.profilePurchases, concurrency, ...PURCHASE });
      customer.charged += data.charged;
      customer.purchases += data.count;
      return data;
    });
    profiles[concurrency] = result;
  }

  // The money must add up: every purchase charged once, nothing left held.
  const wallet = await customer.ngnWallet();
  const expected = customer.funded - customer.charged;
  if (wallet.balance !== expected || wallet.held !== 0 || wallet.available !== expected) {
    throw new Error(`NGN wallet after ${customer.purchases} purchases: ${JSON.stringify(wallet)}; expected balance ${expected} (funded ${customer.funded}, charged ${customer.charged}), nothing held`);
  }
  console.log(`Purchases: all ${customer.purchases} delivered; final balance ${wallet.balance} = ${customer.funded} funded − ${customer.charged} charged.`);

  const ms = (n) => Number(n.toFixed(1));
  const results = {
    purchase_latency_c1_p50_ms: ms(percentile(c1.latencies, 50)),
    purchase_latency_c1_p95_ms: ms(percentile(c1.latencies, 95)),
    purchase_latency_c20_p50_ms: ms(percentile(c20.latencies, 50)),
    purchase_latency_c20_p95_ms: ms(percentile(c20.latencies, 95)),
    purchases_per_second_one_wallet: Math.round(c20.perSecond),
    purchases_per_second_c1: Math.round(c1.perSecond),
    http_noop_latency_c1_p50_ms: ms(percentile(noopC1, 50)),
    http_noop_latency_c20_p50_ms: ms(percentile(noopC20, 50)),
    http_me_latency_c1_p50_ms: ms(percentile(meC1, 50)),
    http_me_latency_c20_p50_ms: ms(percentile(meC20, 50)),
    // The app's own time for the same requests (its request log), and for the simulator's `pay` inside them.
    purchase_server_c1_p50_ms: ms(percentile(logged(serverC1, 'POST /api/v1/purchases', settings.purchasesC1), 50)),
    purchase_server_c20_p50_ms: ms(percentile(logged(serverC20, 'POST /api/v1/purchases', settings.purchasesC20), 50)),
    vtpass_pay_server_c1_p50_ms: ms(percentile(logged(serverC1, 'POST /__sim/vtpass/api/pay', settings.purchasesC1), 50)),
    vtpass_pay_server_c20_p50_ms: ms(percentile(logged(serverC20, 'POST /__sim/vtpass/api/pay', settings.purchasesC20), 50)),
  };
  for (const [concurrency, profile] of Object.entries(profiles)) {
    for (const [part, value] of Object.entries(profile.meanMs)) results[`purchase_worker_c${concurrency}_${part}_ms`] = ms(value);
  }
  Object.assign(results, {
    purchases_timed_c1: c1.latencies.length,
    purchases_timed_c20: c20.latencies.length,
    purchase_requests_resent: customer.retried,
    purchase_phases_with_reload: server.phasesWithReload,
  });

  console.table({
    [`no-op request, 1 in flight`]: { 'p50 ms': results.http_noop_latency_c1_p50_ms, 'p95 ms': ms(percentile(noopC1, 95)) },
    [`GET /api/v1/me, 1 in flight`]: { 'p50 ms': results.http_me_latency_c1_p50_ms, 'p95 ms': ms(percentile(meC1, 95)) },
    [`purchase, 1 in flight`]: { 'p50 ms': results.purchase_latency_c1_p50_ms, 'p95 ms': results.purchase_latency_c1_p95_ms, 'per second': results.purchases_per_second_c1 },
    [`  of which in the app (its log)`]: { 'p50 ms': results.purchase_server_c1_p50_ms },
    [`  of which simulator pay (its log)`]: { 'p50 ms': results.vtpass_pay_server_c1_p50_ms },
    [`no-op request, ${PURCHASE_CONCURRENCY} in flight`]: { 'p50 ms': results.http_noop_latency_c20_p50_ms, 'p95 ms': ms(percentile(noopC20, 95)) },
    [`GET /api/v1/me, ${PURCHASE_CONCURRENCY} in flight`]: { 'p50 ms': results.http_me_latency_c20_p50_ms, 'p95 ms': ms(percentile(meC20, 95)) },
    [`purchase, ${PURCHASE_CONCURRENCY} in flight`]: { 'p50 ms': results.purchase_latency_c20_p50_ms, 'p95 ms': results.purchase_latency_c20_p95_ms, 'per second': results.purchases_per_second_one_wallet },
    [`  of which in the app (its log) `]: { 'p50 ms': results.purchase_server_c20_p50_ms },
    [`  of which simulator pay (its log) `]: { 'p50 ms': results.vtpass_pay_server_c20_p50_ms },
  });
  if (Object.keys(profiles).length > 0) {
    console.log('Inside the Worker (mean ms per purchase; calls per purchase in brackets):');
    console.table(
      Object.fromEntries(
        Object.entries(profiles).map(([concurrency, p]) => [
          `${concurrency} in flight`,
          {
            total: p.meanMs.total,
            [`D1 [${p.callsPerPurchase.d1}]`]: p.meanMs.d1,
            [`ledger [${p.callsPerPurchase.ledger}]`]: p.meanMs.ledger,
            [`VTpass [${p.callsPerPurchase.vtpass}]`]: p.meanMs.vtpass,
            other: p.meanMs.other,
          },
        ]),
      ),
    );
    for (const [concurrency, p] of Object.entries(profiles)) {
      console.log(`Per statement, ${concurrency} in flight (mean ms per purchase):`);
      console.table(Object.fromEntries(Object.entries(p.detailMs).map(([label, d]) => [label, { ms: d.msPerPurchase, calls: d.callsPerPurchase }])));
    }
  }
  return results;
}

async function previousResults() {
  try {
    return JSON.parse(await readFile(join(root, 'bench', 'results.json'), 'utf8'));
  } catch {
    return {};
  }
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

    // A partial run keeps the other part's figures from the last full run.
    const results = settings.only ? await previousResults() : {};
    if (settings.only !== 'purchases') Object.assign(results, await measureLedger(base));
    if (settings.only !== 'ledger') Object.assign(results, await measurePurchases(base));
    await writeFile(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('Written to bench/results.json.');
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
