import { Hono } from 'hono';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { requireStaff } from '../../middleware/access';
import { formBody, parse } from '../../middleware/validate';
import { adjustmentFilterInput, adjustmentsCsv, approvalThresholds, approveAdjustment, listAdjustments, pendingAdjustments, rejectAdjustment } from '../../services/adjustments';
import { recordId } from '../../services/console/filters';
import { AdjustmentsPage } from '../../views/admin/adjustments';
import { invalidForm, onActionError, reasonForm } from './actions';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const historyQuery = listQuery.extend(adjustmentFilterInput.shape);

/**
 * `/admin/adjustments`: what waits for a second admin, then the history (viewers read; only admins
 * decide, never on their own request). The CSV export
 * is `adjustmentsCsvAdmin` below.
 */
export const adjustmentsAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = parse(historyQuery, c.req.query());
    const db = database(c.env.DB);
    const [pending, history] = await Promise.all([pendingAdjustments(db), listAdjustments(db, query)]);
    return c.html(<AdjustmentsPage staff={c.var.staff} pending={pending} history={history.rows} nextCursor={history.nextCursor} query={c.req.query()} thresholds={approvalThresholds(c.var.config)} />);
  })
  .post('/:id/:decision{approve|reject}', requireStaff('admin'), async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, reasonForm);
    if (!form.ok) return invalidForm(c, form.errors);
    const decide = c.req.param('decision') === 'approve' ? approveAdjustment : rejectAdjustment;
    await decide(c.env, c.var.staff, id, form.data.reason);
    return c.redirect('/admin/adjustments', 303);
  })
  .onError(onActionError);

/** `/admin/adjustments.csv`: the history's filters, no paging, at most CSV_ROW_LIMIT rows. */
export const adjustmentsCsvAdmin = new Hono<AppEnv>().get('/adjustments.csv', async (c) => {
  const query = parse(historyQuery.omit({ cursor: true, limit: true }), c.req.query());
  const { rows } = await listAdjustments(database(c.env.DB), { ...query, limit: CSV_ROW_LIMIT });
  return csvDownload(`malipo-adjustments-${new Date().toISOString().slice(0, 10)}.csv`, adjustmentsCsv(rows));
});
