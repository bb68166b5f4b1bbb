import { getConfig } from '../config';
import { log } from '../lib/log';
import { monnifyAccountDeps, sweepReservedAccounts } from '../services/monnify-accounts';
import { monnifyDepositDeps, sweepMonnifyCheckouts } from '../services/monnify-deposits';
import { mpesaDepositDeps, sweepMpesaDeposits } from '../services/mpesa-deposits';
import { database } from '../db/client';
import { providerFetch } from '../providers/http';
import { vtpassClientFromConfig } from '../providers/vtpass';
import { syncCatalog } from '../services/catalog';
import { purchaseDeps, sweepPurchases } from '../services/purchases';

export const EVERY_MINUTE = '* * * * *';
/** 03:00 UTC: VTpass plans and prices into the catalogue. */
export const DAILY_CATALOG_SYNC = '0 3 * * *';

/** Cron Triggers: each sweep is idempotent and bounded, so overlapping or repeated runs are harmless. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  switch (controller.cron) {
    case EVERY_MINUTE: {
      const config = getConfig(env);
      const requeued = await sweepMpesaDeposits(mpesaDepositDeps(env, config));
      if (requeued > 0) log('info', 'requeued stale deposit checks', { requeued });
      const checked = await sweepMonnifyCheckouts(monnifyDepositDeps(env, config));
      if (checked > 0) log('info', 'verified pending monnify checkouts', { checked });
      const reserved = await sweepReservedAccounts(monnifyAccountDeps(env, config));
      if (reserved > 0) log('info', 'queued missing reserved accounts', { reserved });
      const requeried = await sweepPurchases(purchaseDeps(env, config));
      if (requeried > 0) log('info', 'requeued stale purchase requeries', { requeried });
      return;
    }
    case DAILY_CATALOG_SYNC: {
      const config = getConfig(env);
      await syncCatalog(database(env.DB), vtpassClientFromConfig(config, providerFetch(env)));
      return;
    }
    default:
      log('warn', 'unknown cron', { cron: controller.cron });
  }
}
