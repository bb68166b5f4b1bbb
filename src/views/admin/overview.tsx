import { CHART_DAYS, type ChartDay, type FloatBalance, OVERVIEW_ZONE, type Overview, type PendingLine, type ProviderRate, type Rate, type VolumeChart } from '../../services/console/overview';
import type { StaffMember } from '../../services/staff';
import { formatMoney, Money } from '../components/money';
import { AdminBase } from './layout';
import { Status } from './parts';
import { formatAge, When } from './record-parts';

const PENDING: Record<PendingLine['what'], { label: string; href: string }> = {
  deposits: { label: 'Pending deposits', href: '/admin/deposits?status=pending' },
  purchases: { label: 'Pending purchases (still being requeried)', href: '/admin/purchases?status=pending&escalated=no' },
  escalated: { label: 'Escalated purchases (handed to staff, money held)', href: '/admin/purchases?status=pending&escalated=yes' },
};
const PROVIDERS: Record<ProviderRate['provider'], string> = { mpesa: 'M-Pesa deposits', monnify: 'Monnify deposits', vtpass: 'VTpass purchases (failed or reversed)' };

/** `/admin`: what happened today and this week, what waits and for how long, and what needs a look. */
export function OverviewPage({ staff, overview, float }: { staff: StaffMember; overview: Overview; float: FloatBalance }) {
  return (
    <AdminBase title="Overview" staff={staff} current="/admin">
      <p class="muted">
        Business day: {OVERVIEW_ZONE} (EAT, UTC+3). Today started <When ms={overview.todayStart} zone={OVERVIEW_ZONE} />; this week started Monday{' '}
        <When ms={overview.weekStart} zone={OVERVIEW_ZONE} />. Counts are by the time each deposit or purchase was created.
      </p>
      <div class="stats">
        <FloatCard float={float} />
        <PendingCard pending={overview.pending} now={overview.now} />
        <AnomaliesCard rows={overview.openAnomalies} />
      </div>
      <VolumeTable overview={overview} />
      <RatesTable rates={overview.rates} />
      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">Volume, last {CHART_DAYS} days</h2>
        {overview.charts.map((chart) => (
          <VolumeChartFigure chart={chart} />
        ))}
      </section>
    </AdminBase>
  );
}

function FloatCard({ float }: { float: FloatBalance }) {
  return (
    <section class="card" aria-labelledby="float-heading">
      <h2 id="float-heading">VTpass float</h2>
      {float.ok ? (
        <p class="amount">
          <Money amount={float.balanceKobo} currency="NGN" />
        </p>
      ) : (
        <p class="alert" role="status">
          Unavailable: VTpass did not give a balance ({float.reason}). Purchases may still work; check again shortly.
        </p>
      )}
    </section>
  );
}

function PendingCard({ pending, now }: { pending: PendingLine[]; now: number }) {
  return (
    <section class="card" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Waiting</h2>
      <ul class="plain">
        {pending.map((line) => (
          <li>
            <a href={PENDING[line.what].href}>{PENDING[line.what].label}</a>: <strong>{String(line.count)}</strong>
            {line.oldestAt === null ? null : <span class="muted">{`, oldest waiting ${formatAge(now - line.oldestAt)}`}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function AnomaliesCard({ rows }: { rows: Overview['openAnomalies'] }) {
  return (
    <section class="card" aria-labelledby="anomalies-heading">
      <h2 id="anomalies-heading">Open anomalies</h2>
      {rows.length === 0 ? (
        <p>None open.</p>
      ) : (
        <ul class="plain">
          {rows.map((row) => (
            <li>
              <a href={`/admin/anomalies?kind=${encodeURIComponent(row.kind)}`}>{row.kind.replace(/_/g, ' ')}</a>: <strong>{String(row.count)}</strong>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function VolumeTable({ overview }: { overview: Overview }) {
  return (
    <section aria-labelledby="volume-heading">
      <h2 id="volume-heading">Deposits and purchases</h2>
      <div class="scroll-x">
        <table class="table overview-volume">
          <thead>
            <tr>
              <th scope="col">Flow</th>
              <th scope="col">Currency</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Today</th>
              <th scope="col" class="num">Today's volume</th>
              <th scope="col" class="num">This week</th>
              <th scope="col" class="num">Week's volume</th>
            </tr>
          </thead>
          <tbody>
            {overview.lines.map((line) => (
              <tr>
                <th scope="row">{line.flow === 'deposits' ? 'Deposits' : 'Purchases'}</th>
                <td>{line.currency}</td>
                <td>
                  <Status value={line.status} />
                </td>
                <td class="num">{String(line.today.count)}</td>
                <td class="num">
                  <Money amount={line.today.volume} currency={line.currency} />
                </td>
                <td class="num">{String(line.week.count)}</td>
                <td class="num">
                  <Money amount={line.week.volume} currency={line.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** "2 / 10 (20.0%)", or "0 / 0" when nothing settled: a rate of nothing is not 0%. */
function formatRate(rate: Rate): string {
  return rate.settled === 0 ? '0 / 0' : `${rate.failed} / ${rate.settled} (${((rate.failed * 100) / rate.settled).toFixed(1)}%)`;
}

function RatesTable({ rates }: { rates: ProviderRate[] }) {
  return (
    <section aria-labelledby="rates-heading">
      <h2 id="rates-heading">Failure rates by provider</h2>
      <p class="muted">Failed out of settled (pending work is not counted). M-Pesa failures include customers who cancelled or mistyped the PIN.</p>
      <div class="scroll-x">
        <table class="table overview-rates">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col" class="num">Today: failed / settled</th>
              <th scope="col" class="num">This week: failed / settled</th>
            </tr>
          </thead>
          <tbody>
            {rates.map((rate) => (
              <tr>
                <th scope="row">{PROVIDERS[rate.provider]}</th>
                <td class="num">{formatRate(rate.today)}</td>
                <td class="num">{formatRate(rate.week)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const SERIES_LABEL = { deposits: 'Succeeded deposits', purchases: 'Delivered purchases' } as const;
const PLOT_HEIGHT = 150;
const SLOT = 40;

/**
 * A bar per day and series, drawn on the server as SVG (no script, no inline style). The SVG has a
 * short summary as its accessible name; every figure is in the visually hidden table after it.
 */
function VolumeChartFigure({ chart }: { chart: VolumeChart }) {
  const id = `chart-${chart.currency.toLowerCase()}`;
  const max = Math.max(0, ...chart.days.flatMap((day) => chart.series.map((s) => day[s])));
  const scale = max === 0 ? 0 : PLOT_HEIGHT / max;
  const barWidth = Math.floor((SLOT - 8) / chart.series.length);
  const width = SLOT * chart.days.length;
  const totals = chart.series.map((s) => `${SERIES_LABEL[s]} ${formatMoney(sum(chart.days, s), chart.currency)}`).join('; ');
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        {chart.currency}: {chart.series.map((s) => SERIES_LABEL[s].toLowerCase()).join(' and ')} per day ({OVERVIEW_ZONE} days), {chart.days[0]?.day} to {chart.days.at(-1)?.day}.
        <span class="legend">
          {chart.series.map((s) => (
            <span class={`key ${s}`}>{SERIES_LABEL[s]}</span>
          ))}
        </span>
      </figcaption>
      <svg role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${width} ${PLOT_HEIGHT + 24}`} width={width} height={PLOT_HEIGHT + 24} class="bars">
        <title id={`${id}-title`}>{`${chart.currency} volume over ${CHART_DAYS} days. Totals: ${totals}. Highest day: ${formatMoney(max, chart.currency)}. Each day's figures are in the table that follows.`}</title>
        <line x1="0" y1={PLOT_HEIGHT} x2={width} y2={PLOT_HEIGHT} class="axis" />
        {chart.days.map((day, i) => (
          <g>
            {chart.series.map((s, j) => {
              const height = Math.round(day[s] * scale);
              return (
                <rect x={i * SLOT + 4 + j * barWidth} y={PLOT_HEIGHT - height} width={barWidth - 1} height={height} class={`bar ${s}`}>
                  <title>{`${day.day}: ${SERIES_LABEL[s]} ${formatMoney(day[s], chart.currency)}`}</title>
                </rect>
              );
            })}
            <text x={i * SLOT + SLOT / 2} y={PLOT_HEIGHT + 16} text-anchor="middle" class="tick">
              {day.day.slice(8)}
            </text>
          </g>
        ))}
      </svg>
      {/* A table ignores the 1px width, so the hiding box wraps it: it must not widen the page on a phone. */}
      <div class="visually-hidden">
        <table>
          <caption>{`${chart.currency} volume per day`}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {chart.series.map((s) => (
                <th scope="col">{SERIES_LABEL[s]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {chart.days.map((day) => (
              <tr>
                <th scope="row">{day.day}</th>
                {chart.series.map((s) => (
                  <td>{formatMoney(day[s], chart.currency)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function sum(days: ChartDay[], series: 'deposits' | 'purchases'): number {
  return days.reduce((total, day) => total + day[series], 0);
}
