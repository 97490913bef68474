import { type ProxyInput, parseProxyUrl, ValidationError } from '@leasehold/core';

/**
 * Proxy lists as people have them: one proxy per line (or comma-separated in PROXY_LIST),
 * either a URL (`socks5://user:pass@host:port`, scheme optional) or the common
 * `host:port:user:pass` form. Blank lines and `#` comments are skipped, and so is a
 * trailing comment (`host:port:user:pass # note`): a `#` after whitespace starts one, so a
 * `#` inside a password still belongs to it. Every line is checked before anything is
 * written; errors name the line, never the password.
 */

export interface ParsedLine {
  line: number;
  url: string;
}

const HOST_PORT_USER_PASS = /^([^:@/\s]+):(\d{1,5}):([^:@/\s]+):(.+)$/;

/** The line without a trailing ` # comment` (found by a linear scan for whitespace + '#'). */
function withoutComment(raw: string): string {
  const at = raw.search(/\s#/);
  return (at === -1 ? raw : raw.slice(0, at)).trim();
}

export function parseProxyList(text: string, separator: RegExp = /\r?\n/): ParsedLine[] {
  const out: ParsedLine[] = [];
  const errors: { field: string; message: string }[] = [];
  text.split(separator).forEach((raw, index) => {
    const line = withoutComment(raw);
    if (line === '' || line.startsWith('#')) return;
    const colonForm = HOST_PORT_USER_PASS.exec(line);
    const url = colonForm
      ? `http://${encodeURIComponent(colonForm[3] as string)}:${encodeURIComponent(colonForm[4] as string)}@${colonForm[1]}:${colonForm[2]}`
      : line;
    try {
      parseProxyUrl(url, `line ${index + 1}`);
      out.push({ line: index + 1, url });
    } catch (error) {
      if (error instanceof ValidationError) errors.push(...error.issues);
      else throw error;
    }
  });
  if (errors.length > 0)
    throw new ValidationError(errors, 'Fix the listed lines; nothing was imported');
  return out;
}

export function toProxyInputs(lines: ParsedLine[], extra: Omit<ProxyInput, 'url'>): ProxyInput[] {
  return lines.map((l) => ({ ...extra, url: l.url }));
}
