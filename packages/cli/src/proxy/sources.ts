import { readFileSync } from 'node:fs';
import { ValidationError } from '@leasehold/client';
import { CliError } from '../runner/cli.js';
import { type ParsedLine, parseProxyList } from './proxyList.js';

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The file's text, or a typed error naming it (never a bare ENOENT). */
function readList(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new CliError(
      'FILE_UNREADABLE',
      `cannot read ${path}: ${READ_FAILURES[code] ?? code ?? 'unreadable'}`,
      '--file',
      'give --file the path of a text file with one proxy per line',
    );
  }
}

/** PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD: one gateway URL. */
function gatewayUrl(env: Record<string, string | undefined>, server: string): string {
  let url: URL;
  try {
    url = new URL(server.includes('://') ? server : `http://${server}`);
  } catch {
    throw new ValidationError([{ field: 'PROXY_SERVER', message: 'is not a proxy address' }]);
  }
  if (env.PROXY_USERNAME) url.username = encodeURIComponent(env.PROXY_USERNAME);
  if (env.PROXY_PASSWORD) url.password = encodeURIComponent(env.PROXY_PASSWORD);
  return url.href.replace(/\/$/, '');
}

/**
 * The proxy list to import: URLs given on the command line (`proxy add`), else --file, else
 * PROXY_LIST, else PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD (one gateway).
 */
export function proxyLines(
  env: Record<string, string | undefined>,
  source: { urls?: string[]; file?: string },
): ParsedLine[] {
  if (source.urls !== undefined) return parseProxyList(source.urls.join('\n'));
  if (source.file !== undefined) return parseProxyList(readList(source.file));
  if (env.PROXY_LIST) return parseProxyList(env.PROXY_LIST, /[\r\n,]+/);
  if (env.PROXY_SERVER) return parseProxyList(gatewayUrl(env, env.PROXY_SERVER));
  throw new ValidationError([
    {
      field: '--file',
      message:
        'give --file <path>, or set PROXY_LIST, or PROXY_SERVER (+ PROXY_USERNAME, PROXY_PASSWORD)',
    },
  ]);
}
