import { HISTORY_ZONES, type HistoryFilters, type HistoryItem, type HistoryStatus } from '../../services/history';
import type { SessionUser } from '../../services/sessions';
import { FormAlert } from '../components/field';
import { formatMoney } from '../components/money';
import { Base } from '../layouts/base';

/** What the filter form shows: the parsed filters, or what was typed when they did not parse. */
export type FilterValues = { type?: string; status?: string; from?: string; to?: string };
type Errors = Record<string, string[]>;

const TYPE_OPTIONS: [string, string][] = [
  ['all', 'Everything'],
  ['airtime', 'Airtime'],
  ['data', 'Data bundles'],
  ['electricity', 'Electricity'],
  ['tv', 'TV subscriptions'],
  ['deposit', 'Top-ups'],
];

const STATUS_OPTIONS: [string, string][] = [
  ['all', 'Any status'],
  ['pending', 'Pending'],
  ['completed', 'Completed (delivered or received)'],
  ['failed', 'Failed'],
  ['reversed', 'Reversed and refunded'],
];

const STATUS_WORDS: Record<HistoryItem['kind'], Record<HistoryStatus, string>> = {
  purchase: { pending: 'Pending', completed: 'Delivered', failed: 'Failed', reversed: 'Reversed, refunded' },
  deposit: { pending: 'Pending', completed: 'Received', failed: 'Failed', reversed: 'Reversed' },
};

/** A `/history` or `/history.csv` URL for these filters; defaults are left out so URLs stay short. */
export function historyUrl(path: '/history' | '/history.csv', filters: FilterValues, cursor?: string | null): string {
  const params = new URLSearchParams();
  if (filters.type && filters.type !== 'all') params.set('type', filters.type);
  if (filters.status && filters.status !== 'all') params.set('status', filters.status);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** The deposit's own page where one exists: Monnify's status page; M-Pesa top-ups have none yet. */
function itemHref(item: HistoryItem): string | null {
  if (item.kind === 'purchase') return `/purchases/${encodeURIComponent(item.id)}`;
  return item.method === 'monnify' ? `/deposit/monnify/return?paymentReference=${encodeURIComponent(item.id)}` : null;
}

function formatWhen(item: HistoryItem): string {
  const zone = HISTORY_ZONES[item.currency];
  const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone.timeZone }).format(new Date(item.createdAt));
  return `${when} ${zone.label}`;
}

export function HistoryPage(props: { user: SessionUser; values: FilterValues; errors?: Errors; message?: string; results?: { filters: HistoryFilters; items: HistoryItem[]; nextCursor: string | null } }) {
  return (
    <Base title="History" user={props.user}>
      <h1>History</h1>
      <HistoryFilterForm values={props.values} errors={props.errors ?? {}} />
      {props.results ? <HistoryResults {...props.results} /> : <HistoryError message={props.message ?? 'Some filters are not valid.'} />}
    </Base>
  );
}

function Select(props: { name: string; label: string; options: [string, string][]; value?: string; errors?: string[] }) {
  const id = `field-${props.name}`;
  return (
    <div class={props.errors?.length ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} aria-invalid={props.errors?.length ? 'true' : undefined} aria-describedby={props.errors?.length ? `${id}-error` : undefined}>
        {props.options.map(([value, label]) => (
          <option value={value} selected={(props.value || 'all') === value}>
            {label}
          </option>
        ))}
      </select>
      {props.errors?.length ? <p class="error" id={`${id}-error`}>{props.errors.join(' ')}</p> : null}
    </div>
  );
}

function DateField(props: { name: string; label: string; value?: string; errors?: string[] }) {
  const id = `field-${props.name}`;
  const describedBy = ['history-dates-hint', props.errors?.length ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div class={props.errors?.length ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <input id={id} name={props.name} type="date" value={props.value ?? ''} aria-invalid={props.errors?.length ? 'true' : undefined} aria-describedby={describedBy} />
      {props.errors?.length ? <p class="error" id={`${id}-error`}>{props.errors.join(' ')}</p> : null}
    </div>
  );
}

/** A plain GET form (works without JS); with htmx each change reloads only the list and updates the URL. */
function HistoryFilterForm({ values, errors }: { values: FilterValues; errors: Errors }) {
  return (
    <form
      id="history-filters"
      class="card history-filters"
      method="get"
      action="/history"
      role="search"
      aria-label="Filter history"
      hx-get="/history"
      hx-trigger="submit, change"
      hx-target="#history-results"
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-indicator="#history-loading"
      hx-sync="this:replace"
    >
      <div class="history-filter-fields">
        <Select name="type" label="Type" options={TYPE_OPTIONS} value={values.type} errors={errors.type} />
        <Select name="status" label="Status" options={STATUS_OPTIONS} value={values.status} errors={errors.status} />
        <DateField name="from" label="From date" value={values.from} errors={errors.from} />
        <DateField name="to" label="To date" value={values.to} errors={errors.to} />
      </div>
      <p id="history-dates-hint" class="muted small">
        Dates are in Lagos time (WAT) for naira items and Nairobi time (EAT) for shilling items.
      </p>
      <button type="submit" class="button secondary small">
        Show
      </button>{' '}
      <span id="history-loading" class="busy" role="status">
        Loading…
      </span>
    </form>
  );
}

/** The list as htmx swaps it in when the filters change or "Older" is followed. */
export function HistoryResults({ filters, items, nextCursor }: { filters: HistoryFilters; items: HistoryItem[]; nextCursor: string | null }) {
  const filtered = filters.type !== 'all' || filters.status !== 'all' || Boolean(filters.from || filters.to);
  const nav = (href: string, label: string) => (
    <a class="button secondary small" href={href} hx-get={href} hx-target="#history-results" hx-swap="outerHTML" hx-push-url="true" hx-indicator="#history-loading">
      {label}
    </a>
  );
  return (
    <section id="history-results" class="section" aria-label="Purchases and top-ups">
      <p class="history-actions">
        <a href={historyUrl('/history.csv', filters)} download>
          Download CSV
        </a>
        {filters.cursor && <> · {nav(historyUrl('/history', filters), 'Back to the newest')}</>}
      </p>
      {items.length === 0 ? (
        <EmptyHistory filtered={filtered} older={Boolean(filters.cursor)} />
      ) : (
        <div class="scroll-x" tabindex={0} role="region" aria-label="History table">
          <table class="table history">
            <caption class="muted">Purchases and top-ups, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">What</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <HistoryRow item={item} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && <p class="history-more">{nav(historyUrl('/history', filters, nextCursor), 'Older')}</p>}
    </section>
  );
}

function HistoryRow({ item }: { item: HistoryItem }) {
  const href = itemHref(item);
  return (
    <tr id={`history-${item.id}`}>
      <td>
        <time datetime={new Date(item.createdAt).toISOString()}>{formatWhen(item)}</time>
      </td>
      <td>{href ? <a href={href}>{item.description}</a> : item.description}</td>
      <td>
        <span class={`status ${item.status}`}>{STATUS_WORDS[item.kind][item.status]}</span>
      </td>
      <td class="num">{formatMoney(item.amount, item.currency)}</td>
    </tr>
  );
}

function EmptyHistory({ filtered, older }: { filtered: boolean; older: boolean }) {
  if (older) return <p class="card muted">There is nothing older than this.</p>;
  if (filtered) {
    return (
      <div class="card">
        <p>Nothing matches these filters.</p>
        <p>
          Try another type or status, or a wider date range. <a href="/history">Show everything</a>
        </p>
      </div>
    );
  }
  return (
    <div class="card">
      <p>No purchases or top-ups yet. They appear here as soon as you make one.</p>
      <p>
        <a href="/deposit">Top up your wallet</a> · <a href="/buy">Buy airtime, data or pay a bill</a>
      </p>
    </div>
  );
}

/** Where the list would be when the filters did not parse; htmx swaps it in place of the list (422). */
export function HistoryError({ message }: { message: string }) {
  return (
    <section id="history-results" class="section" aria-label="Purchases and top-ups">
      <FormAlert message={message} />
      <p>
        <a href="/history">Show everything</a>
      </p>
    </section>
  );
}
