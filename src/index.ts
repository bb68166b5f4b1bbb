import { app } from './app';
import { runScheduled } from './jobs/cron';
import { consumeJobs } from './jobs/queue';

export { WalletLedger } from './durable/wallet-ledger';

export default {
  fetch: app.fetch,
  queue: consumeJobs,
  scheduled: runScheduled,
} satisfies ExportedHandler<Env>;
