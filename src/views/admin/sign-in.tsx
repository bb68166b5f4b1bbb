import { Document } from '../layouts/document';

/** Dev only (simulators on): a request without an Access token is sent to the Access simulator. */
export function AccessSignIn({ redirect }: { redirect: string }) {
  const href = `/__sim/access/login?redirect=${encodeURIComponent(redirect)}`;
  return (
    <Document>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Sign in · Malipo staff</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/app.css" />
      </head>
      <body>
        <main id="main">
          <h1>Staff sign-in needed</h1>
          <p>The staff console sits behind Cloudflare Access. In development the Access simulator plays its part.</p>
          <p>
            <a class="button" href={href}>
              Sign in with the Access simulator
            </a>
          </p>
        </main>
      </body>
    </Document>
  );
}
