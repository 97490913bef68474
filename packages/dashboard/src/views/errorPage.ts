import { html } from './html.js';
import { type PageOptions, page } from './layout.js';

export function errorPage(
  status: number,
  message: string,
  hint: string | undefined,
  options: PageOptions = {},
): string {
  return page(
    'Error',
    html`<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1>
<p class="notice">${message}${hint ? html`<br>${hint}` : ''}</p><p><a href="/">Back to pools</a></p>`,
    options,
  );
}
