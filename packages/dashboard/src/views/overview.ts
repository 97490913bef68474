import type { PoolCounts, PoolOverview } from '../data/overview.js';
import { sparkline } from './charts.js';
import { pct } from './format.js';
import { html } from './html.js';
import { type PageOptions, page } from './layout.js';

/** The overview's numeric columns; the page's script refreshes them from /api/pools by key. */
const COLUMNS: { key: keyof PoolCounts; title: string; warn?: boolean }[] = [
  { key: 'totalProxies', title: 'Proxies' },
  { key: 'active', title: 'Active' },
  { key: 'disabled', title: 'Disabled' },
  { key: 'openCircuits', title: 'Open circuits', warn: true },
  { key: 'availableProxies', title: 'Available now' },
  { key: 'leasedProxies', title: 'Leased' },
  { key: 'totalLeases', title: 'Live leases' },
];

export function overviewPage(pools: PoolOverview[], options: PageOptions = {}): string {
  const rows = pools.map(
    (
      p,
    ) => html`<tr data-pool="${p.pool}"><td><a href="/pools/${encodeURIComponent(p.pool)}">${p.pool}</a></td>
${COLUMNS.map((c) => {
  const v = p.counts[c.key];
  return html`<td class="num${c.warn && v > 0 ? ' warn' : ''}" data-k="${c.key}">${v}</td>`;
})}<td class="num${p.errorRate !== null && p.errorRate > 0.2 ? ' warn' : ''}">${pct(p.errorRate)}</td><td>${sparkline(p.spark)}</td></tr>`,
  );
  const head = COLUMNS.map((c) => html`<th class="num">${c.title}</th>`);
  return page(
    'Pools',
    html`<h1>Pools</h1>${
      pools.length === 0
        ? html`<p class="empty">No pools yet. Create one with <code>leasehold pool create &lt;name&gt;</code>.</p>`
        : html`<div class="scroll"><table id="pools"><thead><tr><th>Pool</th>${head}<th class="num">Errors 5 min</th><th>Acquires 5 min</th></tr></thead><tbody>${rows}</tbody></table></div>`
    }`,
    options,
  );
}
