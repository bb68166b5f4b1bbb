import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { AppError } from '../../lib/errors';
import { requireStaff } from '../../middleware/access';
import { ActionRefused } from '../../views/admin/actions';
import { AccessSignIn } from '../../views/admin/sign-in';
import { actionsAdmin } from './actions';
import { adjustmentsAdmin, adjustmentsCsvAdmin } from './adjustments';
import { anomaliesAdmin, anomaliesCsvAdmin } from './anomalies';
import { auditAdmin, auditCsvAdmin } from './audit';
import { catalogAdmin, catalogCsvAdmin } from './catalog';
import { customersAdmin, customersCsvAdmin } from './customers';
import { depositsAdmin, depositsCsvAdmin } from './deposits';
import { eventsAdmin, eventsCsvAdmin } from './events';
import { ledgerAdmin, ledgerCsvAdmin } from './ledger';
import { overviewAdmin } from './overview';
import { purchasesAdmin, purchasesCsvAdmin } from './purchases';
import { reconciliationAdmin, reconciliationCsvAdmin } from './reconciliation';
import { staffAdmin, staffCsvAdmin } from './staff';

const PAGE_PROBLEMS: Partial<Record<string, string>> = {
  FORBIDDEN: 'Not open to your role',
  NOT_FOUND: 'Not found',
  VALIDATION_FAILED: 'Those filters are not valid',
};

/**
 * The staff console. Every request is verified here (providers.md §4) even though Access sits in
 * front in production: viewers read, operators act on deposits, purchases, customers and the
 * catalogue, admins move money and manage staff (each sub-app narrows with `requireStaff(role)`).
 * Form posts are covered by the app-wide Origin check (`csrf()` runs before this router).
 */
export const admin = new Hono<AppEnv>()
  .use(async (c, next) => {
    await next();
    // A refused htmx form (422 and the like) must not put its POST URL in the address bar.
    if (c.req.header('hx-request') === 'true' && c.res.status >= 400) c.header('hx-push-url', 'false');
    const browser = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    if (!(c.error instanceof AppError) || !browser) return;
    if (c.error.code === 'UNAUTHENTICATED' && c.var.config.SIMULATORS === 'on') {
      // In dev there is no Access in front: point at the simulator's sign-in page instead of a bare 401.
      c.res = await c.html(<AccessSignIn redirect={c.req.path} />, 401);
    } else if (c.var.staff && c.error.status < 500) {
      // A page staff cannot see (role, unknown record, bad filters) stays inside the console.
      const back = c.req.path.replace(/\/[^/]+$/, '') || '/admin';
      const title = PAGE_PROBLEMS[c.error.code] ?? 'That page cannot be shown';
      c.res = await c.html(<ActionRefused staff={c.var.staff} title={title} message={c.error.message} errors={c.error.details} back={back} />, c.error.status as 400);
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
  .route('/staff', staffAdmin)
  // `/admin/<section>.csv` sits beside each section's mount point (`route('/ledger', …)` serves only
  // `/ledger` and `/ledger/…`), so the exports are mounted at the console's root.
  .route('/', customersCsvAdmin)
  .route('/', depositsCsvAdmin)
  .route('/', purchasesCsvAdmin)
  .route('/', ledgerCsvAdmin)
  .route('/', eventsCsvAdmin)
  .route('/', anomaliesCsvAdmin)
  .route('/', adjustmentsCsvAdmin)
  .route('/', catalogCsvAdmin)
  .route('/', reconciliationCsvAdmin)
  .route('/', auditCsvAdmin)
  .route('/', staffCsvAdmin)
  .all('*', () => {
    throw new AppError('NOT_FOUND', 'There is no such page in the console');
  });
