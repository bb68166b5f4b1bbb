import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { AppError } from '../../lib/errors';
import { idempotencyKey } from '../../lib/idempotency';
import { requireStaff } from '../../middleware/access';
import { handleError } from '../../middleware/errors';
import { formBody, parse } from '../../middleware/validate';
import { adjustmentInput, requestAdjustment } from '../../services/adjustments';
import { recordId } from '../../services/console/filters';
import { resolveAnomaly, setCustomerStatus, staffRecheckDeposit, staffRequeryPurchase } from '../../services/operations';
import { purchaseDeps } from '../../services/purchases';
import { ActionRefused } from '../../views/admin/actions';
import { reason } from './shared';

/** Every action form carries its reason, the audit row's "why". */
export const reasonForm = z.object({ reason });
const adjustmentForm = adjustmentInput.extend({ reason, requestKey: idempotencyKey });

/** The page a refused action links back to: the detail page its form was on, or the adjustments list. */
function backTo(path: string): string {
  if (path.startsWith('/admin/adjustments')) return '/admin/adjustments';
  return path.replace(/\/[a-z]+$/, '');
}

/**
 * A refused or invalid action, shown in the console with what was wrong; nothing changed and no
 * audit row exists. The layout's htmx config swaps only 2xx and 422, so a boosted form gets 422
 * (and no history entry for the POST URL); a plain form post gets the real status.
 */
function actionRefused(c: Context<AppEnv>, status: number, message: string, errors?: Record<string, string[]>) {
  const htmx = c.req.header('hx-request') === 'true';
  return c.html(<ActionRefused staff={c.var.staff} message={message} errors={errors} back={backTo(c.req.path)} />, (htmx ? 422 : status) as 400);
}

/** A bad form: 400 with each field's message. */
export function invalidForm(c: Context<AppEnv>, errors: Record<string, string[]>) {
  return actionRefused(c, 400, 'Some fields need fixing; nothing was changed.', errors);
}

/** Console actions' error handler: an AppError becomes the refusal page; the rest (and JSON clients) go to the app's. */
export function onActionError(error: Error, c: Context<AppEnv>) {
  const accept = c.req.header('accept') ?? '';
  const wantsJson = accept.includes('application/json') && !accept.includes('text/html');
  if (!(error instanceof AppError) || !c.var.staff || wantsJson) return handleError(error, c);
  return actionRefused(c, error.status, error.message, error.details);
}

/**
 * The console's POST actions (mounted at `/admin`), each through the customers' own services and
 * each with one audit row; then 303 back to the detail page, whose panel shows the outcome.
 */
export const actionsAdmin = new Hono<AppEnv>()
  .post('/purchases/:id/requery', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, reasonForm);
    if (!form.ok) return invalidForm(c, form.errors);
    await staffRequeryPurchase(purchaseDeps(c.env, c.var.config), c.var.staff, id, form.data.reason);
    return c.redirect(`/admin/purchases/${id}`, 303);
  })
  .post('/deposits/:id/recheck', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, reasonForm);
    if (!form.ok) return invalidForm(c, form.errors);
    await staffRecheckDeposit(c.env, c.var.config, c.var.staff, id, form.data.reason);
    return c.redirect(`/admin/deposits/${id}`, 303);
  })
  .post('/anomalies/:id/resolve', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, reasonForm);
    if (!form.ok) return invalidForm(c, form.errors);
    await resolveAnomaly(database(c.env.DB), c.var.staff, id, form.data.reason);
    return c.redirect(`/admin/anomalies/${id}`, 303);
  })
  .post('/customers/:id/:change{suspend|reactivate}', requireStaff('operator'), async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, reasonForm);
    if (!form.ok) return invalidForm(c, form.errors);
    const status = c.req.param('change') === 'suspend' ? 'suspended' : 'active';
    await setCustomerStatus(database(c.env.DB), c.var.staff, id, status, form.data.reason);
    return c.redirect(`/admin/customers/${id}`, 303);
  })
  .post('/customers/:id/adjustments', requireStaff('admin'), async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const form = await formBody(c, adjustmentForm);
    if (!form.ok) return invalidForm(c, form.errors);
    await requestAdjustment(c.env, c.var.config, c.var.staff, id, form.data);
    return c.redirect(`/admin/customers/${id}`, 303);
  })
  .onError(onActionError);
