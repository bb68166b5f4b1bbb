import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import type { AppEnv } from './env';
import { AppError } from './lib/errors';
import { loadUser } from './middleware/auth';
import { handleError, handleNotFound } from './middleware/errors';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { authApi, authPages, meApi } from './routes/auth';
import { depositPages, depositsApi } from './routes/deposits';
import { billsApi, catalogApi, purchasePages, purchasesApi } from './routes/purchases';
import { buyPages } from './routes/buy';
import { walletPages, walletsApi } from './routes/wallets';
import { webhooks } from './routes/webhooks';
import { admin } from './routes/admin';
import { homePages } from './routes/home';
import { historyPages } from './routes/history';
import { seedDemoData } from './services/dev-seed';
import { simulators } from './sim';

/**
 * The whole HTTP surface. Order matters: request id and config first, then headers, then the
 * user; webhooks sit before the CSRF check because providers post from other origins.
 */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use(requestContext, securityHeaders);
  app.use(async (c, next) => {
    if (c.var.config.SEED_DEMO_DATA === 'on') await seedDemoData(c.env, c.var.config);
    await next();
  });

  app.get('/healthz', (c) => c.json({ data: { status: 'ok' } }));

  // Provider simulators exist only when configured on; production refuses that configuration.
  app.use('/__sim/*', async (c, next) => (c.var.config.SIMULATORS === 'on' ? next() : handleNotFound(c)));
  app.route('/__sim', simulators);
  app.route('/webhooks', webhooks);

  // Every state-changing API call must be JSON; a browser cannot send that cross-site without CORS.
  app.use('/api/*', async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD' && (c.req.header('content-length') ?? '0') !== '0';
    if (hasBody && !/^application\/json\b/i.test(type)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body (Content-Type: application/json)');
    }
    await next();
  });
  app.use('/api/*', loadUser);
  app.route('/api/v1/auth', authApi);
  app.route('/api/v1/me', meApi);
  app.route('/api/v1/deposits', depositsApi);
  app.route('/api/v1/purchases', purchasesApi);
  app.route('/api/v1/catalog', catalogApi);
  app.route('/api/v1/bills', billsApi);
  app.route('/api/v1/wallets', walletsApi);

  // Pages: form posts must come from our own origin (Origin and Sec-Fetch-Site checked).
  app.use('*', csrf(), loadUser);
  app.route('/', homePages);
  app.route('/', authPages);
  app.route('/deposit', depositPages);
  app.route('/', walletPages);
  app.route('/buy', buyPages);
  app.route('/purchases', purchasePages);
  app.route('/', historyPages);
  app.route('/admin', admin);
  return app;
}

export const app = createApp();
