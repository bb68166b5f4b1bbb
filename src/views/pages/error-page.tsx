import { Base } from '../layouts/base';

export function ErrorPage(props: { status: number; message: string; requestId: string }) {
  const title = props.status === 404 ? 'Page not found' : props.status >= 500 ? 'Something went wrong' : 'That did not work';
  return (
    <Base title={title}>
      <section class="card">
        <h1>{title}</h1>
        <p>{props.message}</p>
        <p class="muted">
          Reference: <code>{props.requestId}</code>
        </p>
        <p>
          <a href="/">Back to the start</a>
        </p>
      </section>
    </Base>
  );
}
