import type { Child } from 'hono/jsx';
import type { SessionUser } from '../../services/sessions';
import { Document } from './document';

/** htmx settings: swap 422 form errors in place, never eval, only talk to our own origin. */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '429', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

export function Base(props: { title: string; user?: SessionUser | null; children: Child }) {
  return (
    <Document>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${props.title} · Malipo`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/app.css" />
        <script src="/vendor/htmx-2.0.11.min.js" defer></script>
        <script src="/app.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href={props.user ? '/dashboard' : '/'}>Malipo</a>
          <Nav user={props.user ?? null} />
        </header>
        <main id="main">{props.children}</main>
        <footer class="foot">Malipo · wallets, airtime and bills for Kenya and Nigeria</footer>
      </body>
    </Document>
  );
}

function Nav({ user }: { user: SessionUser | null }) {
  if (!user) {
    return (
      <nav aria-label="Main">
        <a href="/login">Log in</a>
        <a class="button small" href="/signup">Sign up</a>
      </nav>
    );
  }
  return (
    <nav aria-label="Main">
      <a href="/dashboard">Home</a>
      <a href="/wallet">Wallet</a>
      <a href="/deposit">Top up</a>
      <a href="/buy">Buy</a>
      <a href="/history">History</a>
      <form method="post" action="/logout" class="inline">
        <button type="submit" class="link">Log out</button>
      </form>
    </nav>
  );
}
