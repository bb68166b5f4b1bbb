/** Parts the console's customer, deposit and purchase pages share. */
import type { AuditEntry } from '../../services/audit';
import { type ConsoleZone, ZONES } from '../../services/console/filters';
import type { ledgerEntries } from '../../db/schema';
import { Money } from '../components/money';
import { Status } from './parts';

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

/** A labelled select for a GET filter form; the empty option means "any". */
export function ChoiceField({ name, label, options, value }: { name: string; label: string; options: readonly string[]; value?: string }) {
  const id = `filter-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        <option value="">Any</option>
        {options.map((option) => (
          <option value={option} selected={option === value}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text, search or date input for a GET filter form. */
export function InputField({ name, label, type = 'text', value, hint }: { name: string; label: string; type?: 'text' | 'search' | 'date'; value?: string; hint?: string }) {
  const id = `filter-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? <small id={`${id}-hint`}>{hint}</small> : null}
      <input id={id} name={name} type={type} value={value ?? ''} aria-describedby={hint ? `${id}-hint` : undefined} />
    </div>
  );
}

/** The D1 copy of the ledger entries a record made, both sides of each transfer. */
export function LedgerEntries({ entries, transferIds }: { entries: LedgerEntry[]; transferIds: string[] }) {
  return (
    <section aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Ledger entries</h2>
      <p class="muted">Transfer ids looked up: {transferIds.join(', ')}. The copy in D1 may lag the wallet's journal by a few seconds.</p>
      {entries.length === 0 ? (
        <p>No ledger entries recorded for these transfers.</p>
      ) : (
        <div class="scroll-x">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Transfer</th>
                <th scope="col">Kind</th>
                <th scope="col">Account</th>
                <th scope="col">Direction</th>
                <th scope="col" class="num">Amount</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">Balance after</th>
                <th scope="col" class="num">Held after</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr>
                  <td>
                    <When ms={e.createdAt} zone={zoneFor(e.currency)} />
                  </td>
                  <td>
                    <code>{e.transferId}</code>
                  </td>
                  <td>{e.kind}</td>
                  <td>{e.account}</td>
                  <td>{e.direction}</td>
                  <td class="num">
                    <Money amount={e.amount} currency={e.currency} />
                  </td>
                  <td>
                    <Status value={e.status} />
                  </td>
                  <td class="num">{e.balanceAfter === null ? '—' : <Money amount={e.balanceAfter} currency={e.currency} />}</td>
                  <td class="num">{e.heldAfter === null ? '—' : <Money amount={e.heldAfter} currency={e.currency} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Staff actions on this record, oldest first as they happened (Nairobi time). */
export function AuditTrail({ rows }: { rows: AuditEntry[] }) {
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      {rows.length === 0 ? (
        <p>No staff actions on this record yet.</p>
      ) : (
        <div class="scroll-x">
          <table class="table audit-trail">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Staff</th>
                <th scope="col">Action</th>
                <th scope="col">Reason</th>
                <th scope="col">Before → after</th>
              </tr>
            </thead>
            <tbody>
              {[...rows].reverse().map((row) => (
                <tr>
                  <td>
                    <When ms={row.createdAt} zone="Africa/Nairobi" />
                  </td>
                  <td>{row.staffEmail}</td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td class="wrap">{row.reason}</td>
                  <td class="wrap">
                    <code>{row.before ?? '—'}</code> → <code>{row.after ?? '—'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Why the filters were refused (400), announced, above the form that still holds what was typed. */
export function FilterProblem({ message }: { message?: string }) {
  return message ? (
    <p class="alert" role="alert">
      {message}
    </p>
  ) : null;
}
