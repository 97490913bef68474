import { type ErrorLogEntry, type PoolSettings, redactCredentials } from '@leasehold/client';
import { CSS } from './assets.js';
import { poolCharts, sparkline } from './charts.js';
import type { PoolOverview, ProxyRow } from './data.js';
import type { SampleInterval } from './samples.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every id, label and message goes through this: they come from scrapers and operators. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** A template tag that escapes every interpolation unless it is already Html. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}
type Part = Html | string | number | null | undefined | readonly Html[];
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    if (Array.isArray(part)) out += part.map((p) => p.value).join('');
    else out += part instanceof Html ? part.value : escapeHtml(part);
    out += strings[i + 1] ?? '';
  });
  return new Html(out);
}

export function page(title: string, body: Html, crumbs: Html = html``, script = true): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Leasehold</title><style>${new Html(CSS)}</style></head>
<body><header><a class="brand" href="/">Leasehold</a>${crumbs}<nav><a href="/">Pools</a><a href="/queues">Queues</a><a href="/metrics">Metrics</a></nav></header>
<main>${body}</main>${script ? html`<script src="/assets/app.js"></script>` : ''}</body></html>`
    .value;
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(11, 19));

/** The overview's numeric columns; the page's script refreshes them from /api/pools by key. */
const OVERVIEW_COLUMNS: { key: string; value: (p: PoolOverview) => number; warn?: boolean }[] = [
  { key: 'totalProxies', value: (p) => p.stats.totalProxies },
  { key: 'active', value: (p) => p.states.active },
  { key: 'disabled', value: (p) => p.states.disabled },
  { key: 'open', value: (p) => p.states.open, warn: true },
  { key: 'half-open', value: (p) => p.states['half-open'] },
  { key: 'resting', value: (p) => p.states.resting },
  { key: 'availableProxies', value: (p) => p.stats.availableProxies },
  { key: 'totalLeases', value: (p) => p.stats.totalLeases },
  { key: 'openCircuits', value: (p) => p.stats.openCircuits, warn: true },
];

export function overviewPage(pools: PoolOverview[]): string {
  const rows = pools.map(
    (
      p,
    ) => html`<tr data-pool="${p.pool}"><td><a href="/pools/${encodeURIComponent(p.pool)}">${p.pool}</a></td>
${OVERVIEW_COLUMNS.map((c) => {
  const v = c.value(p);
  return html`<td class="num${c.warn && v > 0 ? ' warn' : ''}" data-k="${c.key}">${v}</td>`;
})}<td class="num${p.errorRate !== null && p.errorRate > 0.2 ? ' warn' : ''}">${pct(p.errorRate)}</td><td>${sparkline(p.spark)}</td></tr>`,
  );
  return page(
    'Pools',
    html`<h1>Pools</h1>${
      pools.length === 0
        ? html`<p class="empty">No pools yet. Create one with <code>leasehold pool create &lt;name&gt;</code>.</p>`
        : html`<div class="scroll"><table id="pools"><thead><tr><th>Pool</th><th class="num">Proxies</th><th class="num">Active</th><th class="num">Disabled</th>
<th class="num">Open</th><th class="num">Half-open</th><th class="num">Resting</th><th class="num">Available now</th>
<th class="num">Live leases</th><th class="num">Open circuits</th><th class="num">Errors 5 min</th><th>Acquires 5 min</th></tr></thead><tbody>${rows}</tbody></table></div>`
    }`,
  );
}

function actionForm(pool: string, id: string, action: string, csrf: string, danger = false): Html {
  return html`<form method="post" action="/pools/${encodeURIComponent(pool)}/proxies/${id}/${action}" data-confirm="${action} proxy ${id}?">
<input type="hidden" name="csrf" value="${csrf}"><button class="${danger ? 'danger' : ''}" type="submit">${action}</button></form>`;
}

const seconds = (v: number | null | undefined) => (v ? `${v} s` : 'off');

/** The pool's settings, folded away: what decides who gets leased, when, and for how long. */
function settingsPanel(settings: PoolSettings | null): Html | string {
  if (settings === null) return '';
  const check = settings.healthCheck;
  const rows: [string, string][] = [
    ['selector', settings.selector],
    ['lease', `${settings.leaseSeconds} s`],
    ['circuit', `opens after ${settings.failureThreshold} failures in a row`],
    [
      'cooldown',
      `${settings.cooldown.baseSeconds}–${settings.cooldown.maxSeconds} s${settings.cooldown.jitter ? ', jitter' : ''}`,
    ],
    [
      'disable after openings',
      settings.disableAfterOpens ? String(settings.disableAfterOpens) : 'off',
    ],
    [
      'default cap',
      settings.defaultMaxConcurrency ? String(settings.defaultMaxConcurrency) : 'none',
    ],
    ['scope cap', settings.scopeMaxConcurrency ? String(settings.scopeMaxConcurrency) : 'none'],
    ['reuse delay', seconds(settings.reuseDelaySeconds)],
    ['scope reuse delay', seconds(settings.scopeReuseDelaySeconds)],
    ['minimum health', settings.minHealthScore > 0 ? settings.minHealthScore.toFixed(2) : 'off'],
    [
      'health check',
      check
        ? `${redactCredentials(check.url)} every ${check.intervalSeconds} s, timeout ${check.timeoutSeconds} s`
        : 'off',
    ],
    [
      'sessions',
      `at most ${settings.maxSessions}; ${settings.session.maxUsageCount} uses, ${settings.session.maxAgeSeconds} s each`,
    ],
  ];
  return html`<details class="settings"><summary>Settings</summary><dl>${rows.map(
    ([k, v]) => html`<dt>${k}</dt><dd data-setting="${k}">${v}</dd>`,
  )}</dl></details>`;
}

export function poolPage(
  pool: string,
  rows: ProxyRow[],
  csrf: string,
  samples: readonly SampleInterval[],
  notice?: string,
  settings: PoolSettings | null = null,
): string {
  const body = rows.map((r) => {
    const labels = Object.entries(r.labels).map(
      ([k, v]) => html`<span class="tag">${k}=${v ?? ''}</span>`,
    );
    if (r.location)
      labels.push(
        html`<span class="tag location">at ${r.location.latitude},${r.location.longitude}</span>`,
      );
    return html`<tr data-proxy="${r.id}" data-state="${r.state}"><td class="mono">${r.id}</td><td class="mono">${r.url}</td><td class="labels">${labels}</td>
<td><span class="pill ${r.status}">${r.status}</span></td><td><span class="pill c-${r.circuit}">${r.circuit}</span>${r.state === 'resting' ? html` <span class="pill resting">resting</span>` : ''}${r.benchReason === null ? '' : html` <span class="pill benched" title="${r.benchReason}">benched</span>`}${r.backAt === null ? '' : html`<div class="until">until ${time(r.backAt)} UTC</div>`}</td>
<td class="num">${r.score.toFixed(2)}</td><td class="num">${pct(r.successRate)}</td><td class="num">${r.p50Ms === null ? '—' : `${r.p50Ms} ms`}</td>
<td class="num">${r.activeLeases}/${r.maxConcurrency ?? '∞'}</td><td class="err">${r.lastError ?? ''}</td>
<td class="actions">${r.status === 'active' ? actionForm(pool, r.id, 'disable', csrf, true) : actionForm(pool, r.id, 'enable', csrf)}${actionForm(pool, r.id, 'reset', csrf)}</td></tr>`;
  });
  return page(
    pool,
    html`<h1>${pool} <small>${rows.length} proxies</small></h1>${notice ? html`<p class="notice">${notice}</p>` : ''}
<div id="pool-charts">${poolCharts(samples)}</div>${settingsPanel(settings)}
<p class="links"><a href="/pools/${encodeURIComponent(pool)}/errors">Error log →</a> <input id="filter" type="search" placeholder="Filter rows"></p>
<div class="scroll"><table class="sortable"><thead><tr><th>Id</th><th>URL</th><th>Labels</th><th>Status</th><th>Circuit</th><th class="num">Score</th>
<th class="num">Success</th><th class="num">p50</th><th class="num">Leases/cap</th><th>Last error</th><th></th></tr></thead>
<tbody>${body}</tbody></table></div>`,
    html`<span class="crumb">/ ${pool}</span>`,
  );
}

export interface ErrorFilters {
  proxyId?: string | undefined;
  sessionId?: string | undefined;
  type?: string | undefined;
  category?: string | undefined;
}

export function errorsPage(
  pool: string,
  entries: (ErrorLogEntry & { source: 'redis' | 'postgres' })[],
  filters: ErrorFilters,
  note?: string,
): string {
  const rows = entries.map(
    (
      e,
    ) => html`<tr><td class="mono">${new Date(e.at).toISOString().replace('T', ' ').slice(0, 19)}</td><td>${e.type}</td>
<td class="mono">${e.proxyId ?? ''}</td><td class="mono">${e.sessionId ?? ''}</td><td>${e.category ?? ''}</td><td class="num">${e.statusCode ?? ''}</td>
<td>${e.type === 'transition' ? `${e.subject ?? ''} ${e.from ?? ''} → ${e.to ?? ''} (${e.reason ?? ''})` : e.type === 'lease_expired' ? `lease of ${e.consumer ?? '?'} expired` : (e.message ?? '')}</td><td>${e.source}</td></tr>`,
  );
  const opt = (values: readonly string[], current: string | undefined) =>
    values.map((v) => html`<option${v === current ? html` selected` : ''}>${v}</option>`);
  return page(
    `${pool} errors`,
    html`<h1>${pool} <small>error log</small></h1>${note ? html`<p class="notice">${note}</p>` : ''}
<form class="filters" method="get"><input name="proxy" placeholder="proxy id" value="${filters.proxyId ?? ''}">
<input name="session" placeholder="session id" value="${filters.sessionId ?? ''}">
<select name="type"><option value="">any type</option>${opt(['failure', 'transition', 'lease_expired'], filters.type)}</select>
<select name="category"><option value="">any category</option>${opt(['network', 'timeout', 'auth', 'blocked', 'rate_limit', 'server', 'unknown'], filters.category)}</select>
<button type="submit">Filter</button></form>
<div class="scroll"><table><thead><tr><th>Time (UTC)</th><th>Type</th><th>Proxy</th><th>Session</th><th>Category</th><th class="num">Status</th><th>Detail</th><th>From</th></tr></thead>
<tbody>${rows}</tbody></table></div>`,
    html`<span class="crumb">/ <a href="/pools/${encodeURIComponent(pool)}">${pool}</a> / errors</span>`,
  );
}

export function loginPage(failed: boolean): string {
  return page(
    'Sign in',
    html`<form class="login" method="post" action="/login"><h1>Leasehold dashboard</h1>
${failed ? html`<p class="notice">Wrong token.</p>` : ''}<label>Token <input type="password" name="token" autofocus></label>
<button type="submit">Sign in</button><p class="hint">The value of LEASEHOLD_DASHBOARD_TOKEN.</p></form>`,
    html``,
    false,
  );
}

export function errorPage(status: number, message: string, hint?: string): string {
  return page(
    'Error',
    html`<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1>
<p class="notice">${message}${hint ? html`<br>${hint}` : ''}</p><p><a href="/">Back to pools</a></p>`,
  );
}
