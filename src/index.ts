import { app } from './app';

export { WalletLedger } from './durable/wallet-ledger';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
