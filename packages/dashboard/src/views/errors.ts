import type { ErrorLogView } from '../data/errorLog.js';
import { html } from './html.js';
import { type PageOptions, page } from './layout.js';

const TYPES = ['failure', 'transition', 'lease_expired'];
const CATEGORIES = ['network', 'timeout', 'auth', 'blocked', 'rate_limit', 'server', 'unknown'];

export function errorsPage(pool: string, view: ErrorLogView, options: PageOptions = {}): string {
  const { entries, filters, note } = view;
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
<select name="type"><option value="">any type</option>${opt(TYPES, filters.type)}</select>
<select name="category"><option value="">any category</option>${opt(CATEGORIES, filters.category)}</select>
<button type="submit">Filter</button></form>
<div class="scroll"><table><thead><tr><th>Time (UTC)</th><th>Type</th><th>Proxy</th><th>Session</th><th>Category</th><th class="num">Status</th><th>Detail</th><th>From</th></tr></thead>
<tbody>${rows}</tbody></table></div>`,
    {
      ...options,
      crumbs: html`<span class="crumb">/ <a href="/pools/${encodeURIComponent(pool)}">${pool}</a> / errors</span>`,
    },
  );
}
