import { getConfig } from '../config';
import { log } from '../lib/log';
import { monnifyAccountDeps, sweepReservedAccounts } from '../services/monnify-accounts';
import { monnifyDepositDeps, sweepMonnifyCheckouts } from '../services/monnify-deposits';
import { mpesaDepositDeps, sweepMpesaDeposits } from '../services/mpesa-deposits';

export const EVERY_MINUTE = '* * * * *';

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
      return;
    }
    default:
      log('warn', 'unknown cron', { cron: controller.cron });
  }
}
