import { Hono } from 'hono';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { parse } from '../../middleware/validate';
import { providerFetch } from '../../providers/http';
import { vtpassClientFromConfig } from '../../providers/vtpass';
import { allDifferences, differencesCsv, reconcile, reconciliationQuery } from '../../services/reconciliation';
import { ReconciliationPage } from '../../views/admin/reconciliation';

/** `/admin/reconciliation` (every staff role): read-only checks, bounded per page since each wallet is a Durable Object call. */
export const reconciliationAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const parsed = reconciliationQuery.safeParse(c.req.query());
    const query = parsed.success ? parsed.data : {};
    const vtpass = vtpassClientFromConfig(c.var.config, providerFetch(c.env), { timeoutMs: 5_000 });
    const result = await reconcile(c.env, database(c.env.DB), vtpass, query);
    const problem = parsed.success ? undefined : 'Some of the period or page was not valid; showing the last week from the first wallet.';
    return c.html(<ReconciliationPage staff={c.var.staff} {...result} after={query.after} problem={problem} />, parsed.success ? 200 : 400);
  });

/** `/admin/reconciliation.csv`: the differences of the same period and page of wallets. */
export const reconciliationCsvAdmin = new Hono<AppEnv>().get('/reconciliation.csv', async (c) => {
  const query = parse(reconciliationQuery, c.req.query());
  const vtpass = vtpassClientFromConfig(c.var.config, providerFetch(c.env), { timeoutMs: 5_000 });
  const result = await reconcile(c.env, database(c.env.DB), vtpass, query);
  const origin = new URL(c.req.url).origin;
  return csvDownload(`malipo-reconciliation-${result.period.from}-to-${result.period.to}.csv`, differencesCsv(allDifferences(result), origin));
});
