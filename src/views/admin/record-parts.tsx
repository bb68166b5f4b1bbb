/** Parts the console's record pages (customer, deposit, purchase, transfer) share. */
import type { AuditEntry } from '../../services/audit';
import type { ProviderEvent } from '../../services/console/events';
import { type ConsoleZone, DETAIL_EVENT_LIMIT, ZONES } from '../../services/console/filters';
import type { ledgerEntries } from '../../db/schema';
import { Money } from '../components/money';
import { type Column, DataTable, Status } from './parts';

type LedgerEntry = typeof ledgerEntries.$inferSelect;

/** KES money happens on Nairobi time, NGN money on Lagos time. */
export function zoneFor(currency: string): ConsoleZone {
  return currency === 'NGN' ? 'Africa/Lagos' : 'Africa/Nairobi';
}

/** A moment in the given zone, always with the zone's abbreviation so mixed lists stay unambiguous. */
export function When({ ms, zone }: { ms: number | null | undefined; zone: ConsoleZone }) {
  if (ms === null || ms === undefined) return <span class="muted">—</span>;
  const text = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(ms));
  return <time datetime={new Date(ms).toISOString()}>{`${text} ${ZONES[zone].abbreviation}`}</time>;
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": how long something has waited. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The status badge, and for pending work how long it has been pending (the part staff act on). */
export function StatusWithAge({ status, since, now }: { status: string; since: number; now: number }) {
  return (
    <>
      <Status value={status} />
      {status === 'pending' ? <span class="pending-age">{` for ${formatAge(now - since)}`}</span> : null}
    </>
  );
}

/** A ledger entry's amount, its status when written, and the wallet's balance and held amount after it. */
export const ENTRY_MONEY_COLUMNS: Column<LedgerEntry>[] = [
  { header: 'Amount', num: true, cell: (e) => <Money amount={e.amount} currency={e.currency} /> },
  { header: 'Status', cell: (e) => <Status value={e.status} /> },
  { header: 'Balance after', num: true, cell: (e) => (e.balanceAfter === null ? '—' : <Money amount={e.balanceAfter} currency={e.currency} />) },
  { header: 'Held after', num: true, cell: (e) => (e.heldAfter === null ? '—' : <Money amount={e.heldAfter} currency={e.currency} />) },
];

/** The D1 copy of the ledger entries a record made, both sides of each transfer. */
export function LedgerEntries({ entries, transferIds }: { entries: LedgerEntry[]; transferIds: string[] }) {
  return (
    <section aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Ledger entries</h2>
      <p class="muted">Transfer ids looked up: {transferIds.join(', ')}. The copy in D1 may lag the wallet's journal by a few seconds.</p>
      <DataTable
        rows={entries}
        empty="No ledger entries recorded for these transfers."
        columns={[
          { header: 'When', cell: (e) => <When ms={e.createdAt} zone={zoneFor(e.currency)} /> },
          { header: 'Transfer', cell: (e) => <code>{e.transferId}</code> },
          { header: 'Kind', cell: (e) => e.kind },
          { header: 'Account', cell: (e) => e.account },
          { header: 'Direction', cell: (e) => e.direction },
          ...ENTRY_MONEY_COLUMNS,
        ]}
      />
    </section>
  );
}

/** Staff actions on this record, oldest first as they happened (Nairobi time). */
export function AuditTrail({ rows }: { rows: AuditEntry[] }) {
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <DataTable
        class="audit-trail"
        rows={[...rows].reverse()}
        empty="No staff actions on this record yet."
        columns={[
          { header: 'When', cell: (row) => <When ms={row.createdAt} zone="Africa/Nairobi" /> },
          { header: 'Staff', cell: (row) => row.staffEmail },
          { header: 'Action', cell: (row) => <code>{row.action}</code> },
          { header: 'Reason', class: 'wrap', cell: (row) => row.reason },
          {
            header: 'Before → after',
            class: 'wrap',
            cell: (row) => (
              <>
                <code>{row.before ?? '—'}</code> → <code>{row.after ?? '—'}</code>
              </>
            ),
          },
        ]}
      />
    </section>
  );
}

/**
 * The provider call-ins that name a record, each linking to its stored payload. `provider` adds
 * the provider column where a record can hear from more than one.
 */
export function ProviderEvents(props: { heading: string; empty: string; events: ProviderEvent[]; zone: ConsoleZone; provider?: boolean; search: string }) {
  const { zone } = props;
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">{props.heading}</h2>
      <DataTable
        rows={props.events}
        empty={props.empty}
        columns={[
          { header: 'Received', cell: (e) => <When ms={e.receivedAt} zone={zone} /> },
          { header: 'Event', cell: (e) => <a href={`/admin/events/${encodeURIComponent(e.id)}`}>{e.id}</a> },
          ...(props.provider ? [{ header: 'Provider', cell: (e: ProviderEvent) => e.provider }] : []),
          { header: 'Outcome', cell: (e) => e.outcome },
          { header: 'Note', class: 'wrap', cell: (e) => e.note ?? '—' },
        ]}
      />
      {props.events.length >= DETAIL_EVENT_LIMIT && (
        <p class="muted">
          The first {DETAIL_EVENT_LIMIT} are shown. <a href={`/admin/events?q=${encodeURIComponent(props.search)}`}>All of them in the events list</a>
        </p>
      )}
    </section>
  );
}
