// Content-Security-Policy of every response. Our pages load their script and stylesheet from
// /assets and write no inline script or style, so an injected <script> or style= never runs.
const common = [
  "default-src 'self'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
];

export const PAGE_CSP = [...common, "style-src 'self'", "base-uri 'none'"].join('; ');

/**
 * bull-board's UI: its scripts are files too, but its markup and React components set inline
 * styles, and its page uses <base href>. Scripts stay 'self' only.
 */
export const QUEUES_CSP = [
  ...common,
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "base-uri 'self'",
].join('; ');
