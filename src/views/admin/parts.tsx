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
