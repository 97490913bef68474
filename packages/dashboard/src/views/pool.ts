import type { PoolSettings } from '@leasehold/client';
import type { PoolCounts } from '../data/overview.js';
import { DEFAULT_PAGE_SIZE, type ProxyFilter, type ProxyPage } from '../data/proxyPage.js';
import type { ProxyRow } from '../data/proxyRow.js';
import type { SampleInterval } from '../data/samples.js';
import { poolCharts } from './charts.js';
import { clock, count, pct } from './format.js';
import { type Html, html } from './html.js';
import { type PageOptions, page } from './layout.js';
import { settingsPanel } from './settings.js';

export interface PoolView {
  pool: string;
  counts: PoolCounts;
  proxies: ProxyPage;
  /** Where this page started (the cursor it was asked for), to offer a way back. */
  after: number | undefined;
  csrf: string;
  samples: readonly SampleInterval[];
  notice: string | undefined;
  settings: PoolSettings | null;
}

function actionForm(pool: string, id: string, action: string, csrf: string, danger = false): Html {
  return html`<form method="post" action="/pools/${encodeURIComponent(pool)}/proxies/${id}/${action}" data-confirm="${action} proxy ${id}?">
<input type="hidden" name="csrf" value="${csrf}"><button class="${danger ? 'danger' : ''}" type="submit">${action}</button></form>`;
}

function row(pool: string, r: ProxyRow, csrf: string): Html {
  const labels = Object.entries(r.labels).map(
    ([k, v]) => html`<span class="tag">${k}=${v ?? ''}</span>`,
  );
  if (r.location)
    labels.push(
      html`<span class="tag location">at ${r.location.latitude},${r.location.longitude}</span>`,
    );
  return html`<tr data-proxy="${r.id}" data-state="${r.state}"><td class="mono">${r.id}</td><td class="mono">${r.url}</td><td class="labels">${labels}</td>
<td><span class="pill ${r.status}">${r.status}</span></td><td><span class="pill c-${r.circuit}">${r.circuit}</span>${r.state === 'resting' ? html` <span class="pill resting">resting</span>` : ''}${r.benchReason === null ? '' : html` <span class="pill benched" title="${r.benchReason}">benched</span>`}${r.backAt === null ? '' : html`<div class="until">until ${clock(r.backAt)} UTC</div>`}</td>
<td class="num">${r.score.toFixed(2)}</td><td class="num">${pct(r.successRate)}</td><td class="num">${r.p50Ms === null ? '—' : `${r.p50Ms} ms`}</td>
<td class="num">${r.activeLeases}/${r.maxConcurrency ?? '∞'}</td><td class="err">${r.lastError ?? ''}</td>
<td class="actions">${r.status === 'active' ? actionForm(pool, r.id, 'disable', csrf, true) : actionForm(pool, r.id, 'enable', csrf)}${actionForm(pool, r.id, 'reset', csrf)}</td></tr>`;
}

/** A link to this pool's page with a filter, page size and cursor (defaults left out). */
function pageLink(pool: string, status: ProxyFilter, limit: number, after?: number): string {
  const q = new URLSearchParams();
  if (status !== 'all') q.set('status', status);
  if (limit !== DEFAULT_PAGE_SIZE) q.set('limit', String(limit));
  if (after !== undefined) q.set('after', String(after));
  const query = q.toString();
  return `/pools/${encodeURIComponent(pool)}${query ? `?${query}` : ''}`;
}

function tabs(view: PoolView): Html {
  const { pool, counts, proxies } = view;
  const tab = (status: ProxyFilter, title: string, n: number) =>
    html`<a class="${proxies.status === status ? 'on' : ''}" data-filter="${status}" href="${pageLink(pool, status, proxies.limit)}">${title} ${count(n)}</a>`;
  return html`<nav class="tabs">${tab('all', 'All', counts.totalProxies)}${tab('disabled', 'Disabled', counts.disabled)}${tab('open', 'Open circuits', counts.openCircuits)}</nav>`;
}

function pager(view: PoolView): Html {
  const { pool, proxies } = view;
  const first =
    view.after === undefined
      ? ''
      : html`<a href="${pageLink(pool, proxies.status, proxies.limit)}">← First page</a>`;
  const next =
    proxies.next === null
      ? html`<span class="empty">End of the list</span>`
      : html`<a rel="next" href="${pageLink(pool, proxies.status, proxies.limit, proxies.next)}">Next ${proxies.limit} →</a>`;
  return html`<p class="pager">${first}<span>${proxies.proxies.length} shown</span>${next}</p>`;
}

export function poolPage(view: PoolView, options: PageOptions = {}): string {
  const { pool, counts, proxies, csrf } = view;
  const body = proxies.proxies.map((r) => row(pool, r, csrf));
  return page(
    pool,
    html`<h1>${pool} <small>${count(counts.totalProxies)} proxies · ${count(counts.active)} active · ${count(counts.disabled)} disabled · ${count(counts.openCircuits)} open · ${count(counts.availableProxies)} available now</small></h1>${view.notice ? html`<p class="notice">${view.notice}</p>` : ''}
<div id="pool-charts">${poolCharts(view.samples)}</div>${settingsPanel(view.settings)}
<p class="links"><a href="/pools/${encodeURIComponent(pool)}/errors">Error log →</a> <input id="filter" type="search" placeholder="Filter this page"></p>
${tabs(view)}<div class="scroll"><table class="sortable"><thead><tr><th>Id</th><th>URL</th><th>Labels</th><th>Status</th><th>Circuit</th><th class="num">Score</th>
<th class="num">Success</th><th class="num">p50</th><th class="num">Leases/cap</th><th>Last error</th><th></th></tr></thead>
<tbody>${body}</tbody></table></div>${pager(view)}`,
    { ...options, crumbs: html`<span class="crumb">/ ${pool}</span>` },
  );
}
