import { html } from './html.js';
import { page } from './layout.js';

/** Fixed texts only: the query names a notice, it never supplies the words. */
const NOTICES = new Map<string, string>([
  ['failed', 'Wrong token.'],
  ['throttled', 'Too many wrong tokens from this address: wait a minute, then try again.'],
  ['signedOut', 'Signed out.'],
]);

export function loginPage(notice: string | undefined, next: string): string {
  const text = notice === undefined ? undefined : NOTICES.get(notice);
  return page(
    'Sign in',
    html`<form class="login" method="post" action="/login"><h1>Leasehold dashboard</h1>
${text ? html`<p class="notice">${text}</p>` : ''}<label>Token <input type="password" name="token" autofocus></label>
<input type="hidden" name="next" value="${next}"><button type="submit">Sign in</button><p class="hint">The value of LEASEHOLD_DASHBOARD_TOKEN.</p></form>`,
    { script: false },
  );
}
