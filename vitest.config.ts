import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            ENVIRONMENT: 'test',
            APP_URL: 'http://malipo.test',
            SEED_DEMO_DATA: 'off',
            PASSWORD_ITERATIONS: '10000',
            // Simulator callbacks arrive only when a test flushes them, so outcomes are deterministic.
            SIM_MPESA_AUTO_CALLBACK: 'off',
            ACCESS_TEAM_DOMAIN: 'http://malipo.test/__sim/access',
            SIM_VTPASS_TIMEOUT_MS: '1500',
            // Above the 50 concurrent purchases one test makes for a single customer.
            PURCHASE_MAX_PER_MINUTE: '100',
            SIM_MPESA_CALLBACK_DELAY_MS: '3600000',
            TEST_MIGRATIONS: migrations,
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 30_000,
      // Request log lines are for production; keep test output readable (warnings and errors still show).
      onConsoleLog: (log: string) => !log.startsWith('{"level":"info"'),
    },
  };
});
