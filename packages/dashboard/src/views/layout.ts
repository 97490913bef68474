import { type Html, html } from './html.js';

export interface PageOptions {
  crumbs?: Html;
  /** The login page loads no script. */
  script?: boolean;
  /** Signed in with a session cookie: the header offers a sign-out button. */
  signedIn?: boolean;
}

/** The frame of every page: stylesheet and script from /assets, nothing inline (see csp.ts). */
export function page(title: string, body: Html, options: PageOptions = {}): string {
  const { crumbs = html``, script = true, signedIn = false } = options;
  const logout = signedIn
    ? html`<form class="logout" method="post" action="/logout"><button type="submit">Sign out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Leasehold</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><header><a class="brand" href="/">Leasehold</a>${crumbs}<nav><a href="/">Pools</a><a href="/queues">Queues</a><a href="/metrics">Metrics</a>${logout}</nav></header>
<main>${body}</main>${script ? html`<script src="/assets/app.js"></script>` : ''}</body></html>`
    .value;
}
