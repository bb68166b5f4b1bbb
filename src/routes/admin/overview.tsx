import { Hono } from 'hono';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { providerFetch } from '../../providers/http';
import { vtpassClientFromConfig } from '../../providers/vtpass';
import { askFloat, consoleOverview } from '../../services/console/overview';
import { OverviewPage } from '../../views/admin/overview';

/** The overview waits this long for VTpass's balance before saying it is unavailable. */
const FLOAT_TIMEOUT_MS = 3_000;

/**
 * `/admin`: the overview, for every role.
 */
export const overviewAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const vtpass = vtpassClientFromConfig(c.var.config, providerFetch(c.env), { timeoutMs: FLOAT_TIMEOUT_MS });
    const [overview, float] = await Promise.all([consoleOverview(database(c.env.DB)), askFloat(() => vtpass.balance())]);
    return c.html(<OverviewPage staff={c.var.staff} overview={overview} float={float} />);
  });
