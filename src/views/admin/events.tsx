import { EVENT_OUTCOMES, EVENT_PROVIDERS, type EventDetail, type EventRow } from '../../services/console/events';
import type { StaffMember } from '../../services/staff';
import { AdminBase } from './layout';
import { Facts, Pager, RawPayload, Status } from './parts';
import { ChoiceField, FilterProblem, InputField, When } from './record-parts';
import type { ConsoleZone } from '../../services/console/filters';

const PATH = '/admin/events';

export type EventFilterValues = { q?: string; provider?: string; outcome?: string; from?: string; to?: string; limit?: string };

/** M-Pesa calls are Kenyan; Monnify and VTpass are Nigerian: each event on its provider's clock. */
export function providerZone(provider: string | null): ConsoleZone {
  return provider === 'monnify' || provider === 'vtpass' ? 'Africa/Lagos' : 'Africa/Nairobi';
}

/** `/admin/events`: every provider call-in as stored before anything else happened. */
export function EventsPage(props: { staff: StaffMember; values: EventFilterValues; problem?: string; result?: { rows: EventRow[]; nextCursor: string | null } }) {
  const { values, result } = props;
  return (
    <AdminBase title="Webhook events" staff={props.staff} current={PATH}>
      <form class="filters" method="get" action={PATH} role="search">
        <InputField name="q" label="Search" type="search" value={values.q} hint="Event id, external id, deposit id or source IP" />
        <ChoiceField name="provider" label="Provider" options={EVENT_PROVIDERS} value={values.provider} />
        <ChoiceField name="outcome" label="Outcome" options={EVENT_OUTCOMES} value={values.outcome} />
        <InputField name="from" label="From" type="date" value={values.from} hint="Nairobi days" />
        <InputField name="to" label="To" type="date" value={values.to} />
        <button type="submit" class="button small">
          Apply
        </button>
      </form>
      <FilterProblem message={props.problem} />
      {result ? (
        <>
          {result.rows.length === 0 ? (
            <p>No events match these filters.</p>
          ) : (
            <div class="scroll-x">
              <table class="table console-list">
                <thead>
                  <tr>
                    <th scope="col">Received</th>
                    <th scope="col">Event</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">External id</th>
                    <th scope="col">Deposit</th>
                    <th scope="col">Source IP</th>
                    <th scope="col">Note</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((row) => (
                    <tr>
                      <td>
                        <When ms={row.receivedAt} zone={providerZone(row.provider)} />
                      </td>
                      <td>
                        <a href={`${PATH}/${encodeURIComponent(row.id)}`}>
                          <code>{row.id}</code>
                        </a>
                      </td>
                      <td>{row.provider}</td>
                      <td>
                        <Status value={row.outcome} />
                      </td>
                      <td>{row.externalId ?? '—'}</td>
                      <td>{row.depositId ? <a href={`/admin/deposits/${encodeURIComponent(row.depositId)}`}>{row.depositId}</a> : '—'}</td>
                      <td>{row.sourceIp ?? '—'}</td>
                      <td class="wrap">{row.note ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager path={PATH} query={values} nextCursor={result.nextCursor} />
        </>
      ) : null}
    </AdminBase>
  );
}

/** `/admin/events/:id`: the facts, what it is about, and the payload exactly as received (escaped). */
export function EventPage({ staff, detail }: { staff: StaffMember; detail: EventDetail }) {
  const { event, deposit, purchase } = detail;
  return (
    <AdminBase title={`Event ${event.id}`} staff={staff} current={PATH}>
      <Facts
        rows={[
          ['Id', <code>{event.id}</code>],
          ['Provider', event.provider],
          ['Outcome', <Status value={event.outcome} />],
          ['Note', event.note],
          ['Received', <When ms={event.receivedAt} zone={providerZone(event.provider)} />],
          ['Source IP', event.sourceIp],
          ['External id', event.externalId],
          ['Deposit', event.depositId ? <a href={`/admin/deposits/${encodeURIComponent(event.depositId)}`}>{event.depositId}</a> : null],
          ['Purchase', purchase ? <a href={`/admin/purchases/${encodeURIComponent(purchase.id)}`}>{purchase.id}</a> : null],
          [
            'Customer',
            (deposit ?? purchase) ? <a href={`/admin/customers/${encodeURIComponent((deposit ?? purchase)!.userId)}`}>{(deposit ?? purchase)!.userId}</a> : null,
          ],
          [
            'Anomalies raised',
            detail.anomalies.length === 0
              ? null
              : detail.anomalies.map((a) => (
                  <>
                    <a href={`/admin/anomalies/${encodeURIComponent(a.id)}`}>{a.kind.replace(/_/g, ' ')}</a> ({a.status}){' '}
                  </>
                )),
          ],
        ]}
      />
      <section aria-labelledby="payload-heading">
        <h2 id="payload-heading">Payload as received</h2>
        <RawPayload text={event.payload} />
      </section>
    </AdminBase>
  );
}
