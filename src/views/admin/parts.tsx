import type { Child } from 'hono/jsx';

/**
 * "Next page" for a cursor-paginated list: keeps every filter in `query` and replaces the cursor.
 * Lists are newest first; the cursor is the last id shown.
 */
export function Pager({ path, query, nextCursor }: { path: string; query: Record<string, string | undefined>; nextCursor: string | null }) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v && k !== 'cursor') params.set(k, v);
  const csv = `${path}.csv${params.size ? `?${params}` : ''}`;
  if (nextCursor) params.set('cursor', nextCursor);
  return (
    <p class="pager">
      {nextCursor ? <a href={`${path}?${params}`}>Older →</a> : <span>End of list</span>}
      <a href={csv} download>
        Download CSV
      </a>
    </p>
  );
}

/**
 * One column of a console table: its header and what each row puts in the cell. `num` right-aligns
 * the header and the cells; `class` styles the cells only (`wrap` lets long text break).
 */
export type Column<T> = { header: string; cell: (row: T) => Child; num?: true; class?: string };

/**
 * A console table (scrolls sideways on narrow screens) with a header per column, or `empty` in its
 * place when there are no rows. `class` adds to `table`, e.g. `console-list` for the list pages.
 */
export function DataTable<T>(props: { columns: Column<T>[]; rows: T[]; empty?: string; class?: string; rowId?: (row: T) => string }) {
  if (props.empty !== undefined && props.rows.length === 0) return <p>{props.empty}</p>;
  return (
    <div class="scroll-x">
      <table class={props.class ? `table ${props.class}` : 'table'}>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" class={column.num ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr id={props.rowId?.(row)}>
              {props.columns.map((column) => (
                <td class={[column.num ? 'num' : null, column.class].filter(Boolean).join(' ') || undefined}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A page of a filtered list: its table and the pager; nothing until the filters are valid. */
export function PagedTable<T>(props: {
  path: string;
  query: Record<string, string | undefined>;
  result?: { rows: T[]; nextCursor: string | null };
  columns: Column<T>[];
  empty: string;
  class?: string;
}) {
  if (!props.result) return null;
  return (
    <>
      <DataTable class={props.class ? `console-list ${props.class}` : 'console-list'} columns={props.columns} rows={props.result.rows} empty={props.empty} />
      <Pager path={props.path} query={props.query} nextCursor={props.result.nextCursor} />
    </>
  );
}

/** A status as a labelled badge; the colour is decoration, the word carries the meaning. */
export function Status({ value }: { value: string }) {
  return <span class={`status ${value.replace(/[^a-z_]/g, '')}`}>{value.replace(/_/g, ' ')}</span>;
}

/** A definition list of label → value for detail pages. */
export function Facts({ rows }: { rows: [string, Child][] }) {
  return (
    <dl class="facts">
      {rows.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value ?? '—'}</dd>
        </>
      ))}
    </dl>
  );
}

/** Raw provider JSON, pretty-printed when it parses; always escaped by JSX, never interpreted. */
export function RawPayload({ text }: { text: string }) {
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: show it exactly as received.
  }
  return <pre class="raw">{shown}</pre>;
}

/** The outcome of a staff action, shown at the top of the page it returns to. */
export function Notice({ message, tone = 'ok' }: { message?: string; tone?: 'ok' | 'error' }) {
  if (!message) return null;
  return (
    <p class={tone === 'ok' ? 'notice' : 'alert'} role={tone === 'ok' ? 'status' : 'alert'}>
      {message}
    </p>
  );
}
