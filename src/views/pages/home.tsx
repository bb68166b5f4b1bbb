import type { SessionUser } from '../../services/sessions';
import { Base } from '../layouts/base';

export function LandingPage({ user }: { user: SessionUser | null }) {
  return (
    <Base title="Pay, top up and save" user={user}>
      <section class="hero">
        <h1>Your money, on time, every time.</h1>
        <p>Fund your wallet with M-Pesa or a bank transfer, buy airtime, data, electricity and TV in seconds, and see exactly where every shilling and naira went.</p>
        <p>
          <a class="button" href="/signup">
            Create a free account
          </a>{' '}
          <a href="/login">Log in</a>
        </p>
      </section>
      <section class="features">
        <div class="card">
          <h2>Kenya: KES wallet</h2>
          <p>Top up with an M-Pesa prompt on your phone.</p>
        </div>
        <div class="card">
          <h2>Nigeria: NGN wallet</h2>
          <p>Your own bank account number for transfers; airtime, data, power and TV.</p>
        </div>
        <div class="card">
          <h2>Receipts you can trust</h2>
          <p>Every payment shows its true status, with a receipt you can print.</p>
        </div>
      </section>
    </Base>
  );
}
