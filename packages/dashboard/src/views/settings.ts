import { type PoolSettings, redactCredentials } from '@leasehold/client';
import { type Html, html } from './html.js';

const seconds = (v: number | null | undefined) => (v ? `${v} s` : 'off');

/** The pool's settings, folded away: what decides who gets leased, when, and for how long. */
export function settingsPanel(settings: PoolSettings | null): Html | string {
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
