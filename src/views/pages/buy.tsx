import type { Child } from 'hono/jsx';
import type { SessionUser } from '../../services/sessions';
import { formatNaira } from '../components/purchase-format';
import { Base } from '../layouts/base';

export const BUY_TABS = ['airtime', 'data', 'electricity', 'tv'] as const;
export type BuyTab = (typeof BUY_TABS)[number];

const TAB_NAMES: Record<BuyTab, string> = { airtime: 'Airtime', data: 'Data', electricity: 'Electricity', tv: 'TV' };

/**
 * `/buy`: the tabs are plain links (they work without JS) and `#buy-panel` holds the current
 * step, which htmx replaces in place; without JS each step comes back as this whole page.
 */
export function BuyPage(props: { user: SessionUser; tab: BuyTab; available: number; children: Child }) {
  return (
    <Base title={`Buy ${TAB_NAMES[props.tab].toLowerCase()}`} user={props.user}>
      <h1>Buy airtime, data and bills</h1>
      <p class="muted">
        NGN wallet: <strong>{formatNaira(props.available)}</strong> available · <a href="/deposit">Top up</a>
      </p>
      <nav class="tabs" aria-label="What to buy">
        {BUY_TABS.map((tab) => (
          <a href={`/buy?tab=${tab}`} aria-current={tab === props.tab ? 'page' : undefined}>
            {TAB_NAMES[tab]}
          </a>
        ))}
      </nav>
      <section id="buy-panel" class="card" aria-label={TAB_NAMES[props.tab]}>
        {props.children}
      </section>
    </Base>
  );
}
