import type { Child } from 'hono/jsx';
import { hasRole, type StaffMember, type StaffRole } from '../../services/staff';
import { Document } from '../layouts/document';

const SECTIONS = [
  ['/admin', 'Overview'],
  ['/admin/customers', 'Customers'],
  ['/admin/deposits', 'Deposits'],
  ['/admin/purchases', 'Purchases'],
  ['/admin/ledger', 'Ledger'],
  ['/admin/events', 'Webhooks'],
  ['/admin/anomalies', 'Anomalies'],
  ['/admin/adjustments', 'Adjustments'],
  ['/admin/catalog', 'Catalogue'],
  ['/admin/reconciliation', 'Reconciliation'],
  ['/admin/audit', 'Audit log'],
  // Only admins may open it, so only admins see it.
  ['/admin/staff', 'Staff', 'admin'],
] as const satisfies readonly (readonly [string, string, StaffRole?])[];

/** htmx for the console: same rules as the customer pages (no eval, own origin only). */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

/**
 * The staff console's page shell. `current` marks the section in the nav; the signed-in staff
 * member and their role are always visible, so nobody acts under the wrong identity.
 */
export function AdminBase(props: { title: string; staff: StaffMember; current?: string; children: Child }) {
  return (
    <Document>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Malipo staff`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/app.css" />
        <link rel="stylesheet" href="/console.css" />
        <script src="/vendor/htmx-2.0.11.min.js" defer></script>
        <script src="/app.js" defer></script>
      </head>
      <body class="console">
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/admin">
            Malipo <span class="tag">staff</span>
          </a>
          <p class="who">
            {props.staff.email} · <span class="role">{props.staff.role}</span>
          </p>
        </header>
        <nav class="console-nav" aria-label="Console">
          {SECTIONS.filter(([, , role]) => !role || hasRole(props.staff, role)).map(([href, label]) => (
            <a href={href} aria-current={props.current === href ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </Document>
  );
}
