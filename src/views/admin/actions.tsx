import type { Child } from 'hono/jsx';
import type { Currency } from '../../durable/ledger-types';
import type { AdjustmentRow } from '../../services/adjustments';
import type { AuditEntry } from '../../services/audit';
import type { Anomaly } from '../../services/console/anomalies';
import type { Customer } from '../../services/console/customers';
import type { Deposit } from '../../services/deposits';
import type { Purchase } from '../../services/purchases';
import { hasRole, type StaffMember } from '../../services/staff';
import { SubmitButton } from '../components/field';
import { formatMoney } from '../components/money';
import { AdminBase } from './layout';
import { When } from './record-parts';
import { Status } from './parts';
import type { ConsoleZone } from '../../services/console/filters';


/** The "why" every action needs; ids are per form, since one page carries several forms. */
function ReasonField({ formId, label = 'Reason', hint }: { formId: string; label?: string; hint?: string }) {
  const id = `${formId}-reason`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      <textarea id={id} name="reason" required minlength={3} maxlength={500} rows={2} aria-describedby={hint ? `${id}-hint` : undefined}></textarea>
    </div>
  );
}

/**
 * One staff action as a plain POST form, boosted by htmx so the button shows its busy state and
 * the page it redirects to replaces this one; without JavaScript it posts the same way.
 */
export function ActionForm(props: { id: string; action: string; title: string; hint?: Child; button: string; busy: string; children?: Child }) {
  return (
    <form id={props.id} class="action-form" method="post" action={props.action} hx-boost="true" hx-disabled-elt="find button">
      <h3>{props.title}</h3>
      {props.hint && <p class="muted">{props.hint}</p>}
      {props.children}
      <ReasonField formId={props.id} />
      <SubmitButton label={props.button} busy={props.busy} />
    </form>
  );
}

function outcomeOf(after: string | null): string {
  try {
    const parsed = JSON.parse(after ?? 'null') as { outcome?: unknown; status?: unknown } | null;
    if (typeof parsed?.outcome === 'string') return parsed.outcome;
    if (typeof parsed?.status === 'string') return parsed.status.replace(/_/g, ' ');
  } catch {
    // An unreadable snapshot still says who did what and when.
  }
  return 'done';
}

/** The record's newest audit row, so the outcome of an action shows on the page it returns to. */
function LastAction({ targetType, entry, zone }: { targetType: string; entry: AuditEntry | null; zone: ConsoleZone }) {
  if (!entry) return <p class="last-action muted">No staff action on this {targetType} yet.</p>;
  return (
    <p class="last-action" role="status">
      Last action: <strong>{entry.action}</strong> by {entry.staffEmail} at <When ms={entry.createdAt} zone={zone} /> — {outcomeOf(entry.after)}.{' '}
      <span class="muted">Reason: {entry.reason}</span>
    </p>
  );
}

/** Every record's action panel: the last staff action, then what this staff member may do. */
type PanelProps = { lastAction: AuditEntry | null; zone: ConsoleZone };

function Panel({ targetType, lastAction, zone, children }: PanelProps & { targetType: string; children: Child }) {
  const headingId = `actions-${targetType}`;
  return (
    <section class="section action-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Staff actions</h2>
      <LastAction targetType={targetType} entry={lastAction} zone={zone} />
      <div class="actions">{children}</div>
    </section>
  );
}

const VIEW_ONLY = <p class="muted">Your role can view this; actions need the operator role.</p>;

/** Requery at VTpass (operators); a delivered purchase can still be asked, for a reversal; failed and reversed are final. */
export function PurchaseActions({ purchase, staff, ...panel }: PanelProps & { purchase: Purchase; staff: StaffMember }) {
  const hint =
    purchase.status === 'pending'
      ? purchase.escalatedAt
        ? 'Escalated: automatic requeries have stopped and the money is still held. Ask VTpass now.'
        : 'Asks VTpass for the status now; automatic requeries carry on as scheduled.'
      : 'Delivered is final: a requery only checks whether VTpass has reversed it since.';
  let body: Child = VIEW_ONLY;
  if (purchase.status === 'failed' || purchase.status === 'reversed') body = <p class="muted">This purchase is {purchase.status}: a final state never changes, so there is nothing to ask VTpass.</p>;
  else if (hasRole(staff, 'operator')) body = <ActionForm id="requery" action={`/admin/purchases/${purchase.id}/requery`} title="Requery VTpass" hint={hint} button="Requery now" busy="Asking VTpass…" />;
  return (
    <Panel targetType="purchase" {...panel}>
      {body}
    </Panel>
  );
}

/** Re-check a pending deposit with its provider (operators); a settled deposit is final and offers nothing. */
export function DepositActions({ deposit, staff, ...panel }: PanelProps & { deposit: Deposit; staff: StaffMember }) {
  const provider = deposit.method === 'mpesa' ? 'M-Pesa (STK query)' : 'Monnify (verify)';
  let body: Child = VIEW_ONLY;
  if (deposit.status !== 'pending') body = <p class="muted">This deposit {deposit.status}: a final state never changes, so there is nothing to re-check.</p>;
  else if (hasRole(staff, 'operator')) {
    body = (
      <ActionForm
        id="recheck"
        action={`/admin/deposits/${deposit.id}/recheck`}
        title={`Re-check with ${provider}`}
        hint={deposit.method === 'mpesa' ? 'Asks M-Pesa once now and settles the deposit if the answer is final; the scheduled checks carry on as before.' : 'Asks Monnify once now and settles the deposit if the answer is final; it counts as one of its scheduled checks.'}
        button="Re-check now"
        busy="Asking the provider…"
      />
    );
  }
  return (
    <Panel targetType="deposit" {...panel}>
      {body}
    </Panel>
  );
}

/** Resolve an open anomaly with a reason, which becomes its resolution (operators). */
export function AnomalyActions({ anomaly, staff, ...panel }: PanelProps & { anomaly: Anomaly; staff: StaffMember }) {
  let body: Child = VIEW_ONLY;
  if (anomaly.status === 'resolved') {
    body = (
      <p>
        <Status value="resolved" /> by {anomaly.resolvedBy ?? '—'}
        {anomaly.resolvedAt ? (
          <>
            {' at '}
            <When ms={anomaly.resolvedAt} zone={panel.zone} />
          </>
        ) : null}
        : {anomaly.resolution ?? ''}
      </p>
    );
  } else if (hasRole(staff, 'operator')) {
    body = <ActionForm id="resolve" action={`/admin/anomalies/${anomaly.id}/resolve`} title="Resolve" hint="Say what was found and done; it is kept as the resolution." button="Mark resolved" busy="Saving…" />;
  }
  return (
    <Panel targetType="anomaly" {...panel}>
      {body}
    </Panel>
  );
}

type CustomerActionProps = PanelProps & { customer: Customer; staff: StaffMember; latestAdjustment: AdjustmentRow | null; thresholds: Record<Currency, number> };

/** Suspend or reactivate (operators); manual credit/debit (admins), with the approval threshold stated. */
export function CustomerActions({ customer, staff, latestAdjustment, thresholds, ...panel }: CustomerActionProps) {
  const suspended = customer.status === 'suspended';
  return (
    <Panel targetType="customer" {...panel}>
      {!hasRole(staff, 'operator') && VIEW_ONLY}
      {hasRole(staff, 'operator') &&
        (suspended ? (
          <ActionForm id="reactivate" action={`/admin/customers/${customer.id}/reactivate`} title="Reactivate" hint="The customer can log in and use the API again." button="Reactivate" busy="Reactivating…" />
        ) : (
          <ActionForm id="suspend" action={`/admin/customers/${customer.id}/suspend`} title="Suspend" hint="Ends every session at once; logins and API calls are refused until reactivated." button="Suspend" busy="Suspending…" />
        ))}
      {hasRole(staff, 'admin') && <AdjustmentForm customerId={customer.id} thresholds={thresholds} />}
      {latestAdjustment && <LatestAdjustment latest={latestAdjustment} />}
    </Panel>
  );
}

function AdjustmentForm({ customerId, thresholds }: { customerId: string; thresholds: Record<Currency, number> }) {
  const threshold = `${formatMoney(thresholds.KES, 'KES')} or ${formatMoney(thresholds.NGN, 'NGN')}`;
  return (
    <ActionForm
      id="adjust"
      action={`/admin/customers/${customerId}/adjustments`}
      title="Manual credit or debit"
      hint={`Moves money against the adjustments account. Up to ${threshold} is applied at once; more waits for a second admin's approval.`}
      button="Request adjustment"
      busy="Applying…"
    >
      {/* One key per form shown: sending it again (back button, double tap, retry) is the same adjustment. */}
      <input type="hidden" name="requestKey" value={crypto.randomUUID()} />
      <div class="field">
        <label for="adjust-currency">Currency</label>
        <select id="adjust-currency" name="currency" required>
          <option value="KES">KES</option>
          <option value="NGN">NGN</option>
        </select>
      </div>
      <div class="field">
        <label for="adjust-direction">Direction</label>
        <select id="adjust-direction" name="direction" required>
          <option value="credit">Credit (add to the wallet)</option>
          <option value="debit">Debit (take from the wallet)</option>
        </select>
      </div>
      <div class="field">
        <label for="adjust-amount">Amount</label>
        <small id="adjust-amount-hint">In shillings or naira as you would write it, e.g. 1,500.50</small>
        <input id="adjust-amount" name="amount" type="text" inputmode="decimal" required autocomplete="off" aria-describedby="adjust-amount-hint" />
      </div>
    </ActionForm>
  );
}

function LatestAdjustment({ latest }: { latest: AdjustmentRow }) {
  return (
    <p class="last-action">
      Latest adjustment: {latest.direction} {formatMoney(latest.amount, latest.currency)} by {latest.requestedByEmail} — <Status value={latest.status} />
      {latest.note ? ` ${latest.note}` : ''} <a href="/admin/adjustments">All adjustments</a>
    </p>
  );
}

const FIELD_LABELS: Record<string, string> = { reason: 'Reason', amount: 'Amount', currency: 'Currency', direction: 'Direction' };

/**
 * A refused or invalid action (or a console page that cannot be shown): what was wrong, field by
 * field, and the way back. Nothing was changed.
 */
export function ActionRefused(props: { staff: StaffMember; message: string; errors?: Record<string, string[]>; back: string; title?: string }) {
  return (
    <AdminBase title={props.title ?? 'That action was not done'} staff={props.staff}>
      <p class="alert" role="alert">
        {props.message}
      </p>
      {props.errors && (
        <ul class="action-errors">
          {Object.entries(props.errors).map(([field, messages]) => (
            <li>
              <strong>{FIELD_LABELS[field] ?? field}:</strong> {messages.join(' ')}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a class="button secondary" href={props.back}>
          Back
        </a>
      </p>
    </AdminBase>
  );
}
