import { EVENT_OUTCOMES, EVENT_PROVIDERS, type EventDetail, type EventRow } from '../../services/console/events';
import type { StaffMember } from '../../services/staff';
import { ChoiceField, FilterForm, InputField } from './filters';
import { AdminBase } from './layout';
import { Facts, PagedTable, RawPayload, Status } from './parts';
import { When } from './record-parts';
import type { ConsoleZone } from '../../services/console/filters';

const PATH = '/admin/events';

export type EventFilterValues = { q?: string; provider?: string; outcome?: string; from?: string; to?: string; limit?: string };

/** M-Pesa calls are Kenyan; Monnify and VTpass are Nigerian: each event on its provider's clock. */
export function providerZone(provider: string | null): ConsoleZone {
  return provider === 'monnify' || provider === 'vtpass' ? 'Africa/Lagos' : 'Africa/Nairobi';
}

/** `/admin/events`: every provider call-in as stored before anything else happened. */
export function EventsPage(props: { staff: StaffMember; values: EventFilterValues; problem?: string; result?: { rows: EventRow[]; nextCursor: string | null } }) {
  const { values } = props;
  return (
    <AdminBase title="Webhook events" staff={props.staff} current={PATH}>
      <FilterForm action={PATH} problem={props.problem}>
        <InputField name="q" label="Search" type="search" value={values.q} hint="Event id, external id, deposit id or source IP" />
        <ChoiceField name="provider" label="Provider" options={EVENT_PROVIDERS} value={values.provider} />
        <ChoiceField name="outcome" label="Outcome" options={EVENT_OUTCOMES} value={values.outcome} />
        <InputField name="from" label="From" type="date" value={values.from} hint="Nairobi days" />
        <InputField name="to" label="To" type="date" value={values.to} />
      </FilterForm>
      <PagedTable
        path={PATH}
        query={values}
        result={props.result}
        empty="No events match these filters."
        columns={[
          { header: 'Received', cell: (row) => <When ms={row.receivedAt} zone={providerZone(row.provider)} /> },
          {
            header: 'Event',
            cell: (row) => (
              <a href={`${PATH}/${encodeURIComponent(row.id)}`}>
                <code>{row.id}</code>
              </a>
            ),
          },
          { header: 'Provider', cell: (row) => row.provider },
          { header: 'Outcome', cell: (row) => <Status value={row.outcome} /> },
          { header: 'External id', cell: (row) => row.externalId ?? '—' },
          { header: 'Deposit', cell: (row) => (row.depositId ? <a href={`/admin/deposits/${encodeURIComponent(row.depositId)}`}>{row.depositId}</a> : '—') },
          { header: 'Source IP', cell: (row) => row.sourceIp ?? '—' },
          { header: 'Note', class: 'wrap', cell: (row) => row.note ?? '' },
        ]}
      />
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
