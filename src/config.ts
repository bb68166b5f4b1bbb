import { z } from 'zod';

/**
 * The whole configuration, parsed once per isolate from `env`. In production every secret must
 * be set, must not be a dev default (dev values start with `dev-` or are the providers' public
 * sandbox values) and the simulators must be off; anything else is a ConfigError naming the keys.
 */
const flag = z.enum(['on', 'off']);
const secret = z.string().trim().min(1, 'is missing or empty');
const url = z.url();

/** Workers cap PBKDF2 at 100,000 iterations; the count is stored with each hash, so it can move. */
const MAX_PBKDF2_ITERATIONS = 100_000;

const schema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']),
  APP_URL: url,
  SIMULATORS: flag,
  SEED_DEMO_DATA: flag.default('off'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  PASSWORD_ITERATIONS: z.coerce.number().int().min(10_000).max(MAX_PBKDF2_ITERATIONS),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  DEPOSIT_MAX_PER_USER: z.coerce.number().int().min(1).default(10),
  DEPOSIT_MAX_PER_PHONE: z.coerce.number().int().min(1).default(5),
  /** Purchases one customer may start per minute (replays of an Idempotency-Key are not counted). */
  PURCHASE_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Meter and smartcard look-ups one customer may make per minute: each is a VTpass call. */
  BILLS_VERIFY_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** Manual adjustments above these amounts (minor units) need a second admin's approval. */
  ADJUSTMENT_APPROVAL_ABOVE_KES: z.coerce.number().int().min(0).default(1_000_000),
  ADJUSTMENT_APPROVAL_ABOVE_NGN: z.coerce.number().int().min(0).default(5_000_000),
  MPESA_BASE_URL: url.optional(),
  MPESA_CONSUMER_KEY: secret,
  MPESA_CONSUMER_SECRET: secret,
  MPESA_PASSKEY: secret,
  MPESA_SHORTCODE: z.string().regex(/^\d{5,7}$/, 'must be a 5–7 digit shortcode'),
  MPESA_TILL_NUMBER: z.string().regex(/^\d{5,8}$/).optional(),
  MPESA_CALLBACK_IPS: z.string().default(''),
  MPESA_CALLBACK_IP_MODE: z.enum(['off', 'log', 'enforce']).default('log'),
  /** When the M-Pesa simulator's outcome becomes known to STK query and its callback is due. */
  SIM_MPESA_CALLBACK_DELAY_MS: z.coerce.number().int().min(0).default(2_000),
  /** `on`: the simulator posts due callbacks itself (waitUntil); `off`: only `POST /__sim/mpesa/flush` does. */
  SIM_MPESA_AUTO_CALLBACK: flag.default('on'),
  MONNIFY_BASE_URL: url.optional(),
  MONNIFY_API_KEY: secret,
  MONNIFY_SECRET_KEY: secret,
  MONNIFY_CONTRACT_CODE: secret,
  /** Where the Monnify simulator posts its signed webhooks; default `${APP_URL}/webhooks/monnify`. */
  SIM_MONNIFY_WEBHOOK_URL: url.optional(),
  /** Comma-separated source addresses Monnify's webhooks come from. @see providers.md §3.7 */
  MONNIFY_WEBHOOK_IPS: z.string().default('35.242.133.146'),
  /** `log` records an anomaly for any other source; `enforce` also refuses it (403). */
  MONNIFY_WEBHOOK_IP_MODE: z.enum(['off', 'log', 'enforce']).default('log'),
  VTPASS_BASE_URL: url.optional(),
  VTPASS_API_KEY: secret,
  VTPASS_PUBLIC_KEY: secret,
  VTPASS_SECRET_KEY: secret,
  /** How long the VTpass simulator holds a `pay` for `300000000000`: past the client's 15 s timeout. */
  SIM_VTPASS_TIMEOUT_MS: z.coerce.number().int().min(0).default(20_000),
  /** Requeries a pending simulated transaction answers `pending` to before it settles. */
  SIM_VTPASS_PENDING_REQUERIES: z.coerce.number().int().min(0).default(1),
  /** Where the simulator posts `transaction-update`; default `${APP_URL}/webhooks/vtpass`. */
  SIM_VTPASS_CALLBACK_URL: url.optional(),
  /** Legacy Basic-auth login the simulator accepts (VTpass account email and password). */
  SIM_VTPASS_EMAIL: z.string().default('dev-vtpass@malipo.test'),
  SIM_VTPASS_PASSWORD: z.string().default('dev-vtpass-password'),
  ACCESS_TEAM_DOMAIN: url,
  ACCESS_AUD: secret,
});

/** Keys whose value is a credential; production refuses empty or dev values for each. */
export const SECRET_KEYS = [
  'MPESA_CONSUMER_KEY',
  'MPESA_CONSUMER_SECRET',
  'MPESA_PASSKEY',
  'MONNIFY_API_KEY',
  'MONNIFY_SECRET_KEY',
  'MONNIFY_CONTRACT_CODE',
  'VTPASS_API_KEY',
  'VTPASS_PUBLIC_KEY',
  'VTPASS_SECRET_KEY',
  'ACCESS_AUD',
] as const satisfies readonly (keyof z.input<typeof schema>)[];

/** Values published in provider sandboxes or used by our dev config: never valid in production. */
const DEV_VALUE = /^dev-|^test-|^sandbox|^bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919$/i;

export type Config = z.output<typeof schema> & { isProduction: boolean; secureCookies: boolean };

export class ConfigError extends Error {
  constructor(readonly keys: string[], readonly problems: string[]) {
    super(`service misconfigured: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, unknown>): Config {
  const result = schema.safeParse(env);
  const problems: string[] = [];
  const keys = new Set<string>();
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '?');
      keys.add(key);
      problems.push(`${key} ${issue.message}`);
    }
  }
  if (env.ENVIRONMENT === 'production') {
    if (env.SIMULATORS !== 'off') {
      keys.add('SIMULATORS');
      problems.push('SIMULATORS must be "off" in production');
    }
    if (env.SEED_DEMO_DATA === 'on') {
      keys.add('SEED_DEMO_DATA');
      problems.push('SEED_DEMO_DATA must be "off" in production');
    }
    if (typeof env.APP_URL === 'string' && !env.APP_URL.startsWith('https://')) {
      keys.add('APP_URL');
      problems.push('APP_URL must be https in production');
    }
    for (const key of SECRET_KEYS) {
      const value = env[key];
      if (typeof value !== 'string' || value.trim() === '') {
        keys.add(key);
        problems.push(`${key} is missing or empty`);
      } else if (DEV_VALUE.test(value)) {
        keys.add(key);
        problems.push(`${key} still holds a development value`);
      }
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError([...keys], problems);
  const config = result.data;
  const isProduction = config.ENVIRONMENT === 'production';
  return { ...config, isProduction, secureCookies: isProduction || config.APP_URL.startsWith('https://') };
}

const cache = new WeakMap<object, Config | ConfigError>();

/** Parses `env` once per isolate (per env object) and throws the same ConfigError every time. */
export function getConfig(env: object): Config {
  let entry = cache.get(env);
  if (!entry) {
    try {
      entry = parseConfig(env as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      entry = error;
    }
    cache.set(env, entry);
  }
  if (entry instanceof ConfigError) throw entry;
  return entry;
}
