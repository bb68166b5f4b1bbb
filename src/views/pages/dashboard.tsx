import type { Child } from 'hono/jsx';
import type { SessionUser } from '../../services/sessions';
import { Base } from '../layouts/base';

/** The signed-in home. Sections are filled by each feature (wallets, recent activity). */
export function DashboardPage(props: { user: SessionUser; wallets?: Child; activity?: Child }) {
  return (
    <Base title="Dashboard" user={props.user}>
      <h1>Hello, {props.user.name}</h1>
      <section aria-labelledby="wallets-heading" class="section">
        <h2 id="wallets-heading">Your wallets</h2>
        {props.wallets ?? <p class="muted">Your KES and NGN wallets will appear here.</p>}
      </section>
      <section aria-labelledby="activity-heading" class="section">
        <h2 id="activity-heading">Recent activity</h2>
        {props.activity ?? <p class="muted">No activity yet. Top up your wallet to get started.</p>}
      </section>
      <section class="section card">
        <h2>Invite friends</h2>
        <p>
          Your referral code: <strong class="code">{props.user.referralCode}</strong>
        </p>
      </section>
    </Base>
  );
}
