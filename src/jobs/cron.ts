import { getConfig } from '../config';
import { log } from '../lib/log';
import { mpesaDepositDeps, sweepMpesaDeposits } from '../services/mpesa-deposits';

export const EVERY_MINUTE = '* * * * *';

/** Cron Triggers: each sweep is idempotent and bounded, so overlapping or repeated runs are harmless. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  switch (controller.cron) {
    case EVERY_MINUTE: {
      const requeued = await sweepMpesaDeposits(mpesaDepositDeps(env, getConfig(env)));
      if (requeued > 0) log('info', 'requeued stale deposit checks', { requeued });
      return;
    }
    default:
      log('warn', 'unknown cron', { cron: controller.cron });
  }
}
