import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { AppError } from '../../lib/errors';
import { requireStaff } from '../../middleware/access';
import { AccessSignIn } from '../../views/admin/sign-in';
import { actionsAdmin } from './actions';
import { adjustmentsAdmin } from './adjustments';
import { anomaliesAdmin } from './anomalies';
import { auditAdmin } from './audit';
import { catalogAdmin } from './catalog';
import { customersAdmin } from './customers';
import { depositsAdmin } from './deposits';
import { eventsAdmin } from './events';
import { ledgerAdmin } from './ledger';
import { overviewAdmin } from './overview';
import { purchasesAdmin } from './purchases';
import { reconciliationAdmin } from './reconciliation';
import { staffAdmin } from './staff';

/**
 * The staff console. Every request is verified here (providers.md §4) even though Access sits in
 * front in production: viewers read, operators act on deposits, purchases, customers and the
 * catalogue, admins move money and manage staff (each sub-app narrows with `requireStaff(role)`).
 * Form posts are covered by the app-wide Origin check (`csrf()` runs before this router).
 */
export const admin = new Hono<AppEnv>()
  .use(async (c, next) => {
    await next();
    // In dev there is no Access in front: point at the simulator's sign-in page instead of a bare 401.
    const browser = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    if (c.error instanceof AppError && c.error.code === 'UNAUTHENTICATED' && c.var.config.SIMULATORS === 'on' && browser) {
      c.res = await c.html(<AccessSignIn redirect={c.req.path} />, 401);
    }
  })
  .use(requireStaff('viewer'))
  .route('/', overviewAdmin)
  .route('/', actionsAdmin)
  .route('/customers', customersAdmin)
  .route('/deposits', depositsAdmin)
  .route('/purchases', purchasesAdmin)
  .route('/ledger', ledgerAdmin)
  .route('/events', eventsAdmin)
  .route('/anomalies', anomaliesAdmin)
  .route('/adjustments', adjustmentsAdmin)
  .route('/catalog', catalogAdmin)
  .route('/reconciliation', reconciliationAdmin)
  .route('/audit', auditAdmin)
  .route('/staff', staffAdmin);
