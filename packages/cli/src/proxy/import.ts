import type { ProxyLocation } from '@leasehold/core';
import type { Command } from 'commander';
import { type JsonOption, withExamples } from '../options/help.js';
import { collect, integer, location } from '../options/parsers.js';
import type { Cli } from '../runner/cli.js';
import { labelsOf } from './labels.js';
import { toProxyInputs } from './proxyList.js';
import { proxyLines } from './sources.js';

interface ImportOptions extends JsonOption {
  file?: string;
  maxConcurrency?: number;
  label?: string[];
  location?: ProxyLocation;
  tag?: string[];
}

function withImportOptions(command: Command): Command {
  return command
    .option('--file <path>', 'one proxy per line (URL or host:port:user:pass)')
    .option('--max-concurrency <n>', 'leases per proxy at once', integer(1, 1_000_000))
    .option('--label <name=value>', 'a label on every proxy (repeatable; any name)', collect)
    .option('--location <lat,lon>', 'where every proxy exits, for near filters', location)
    .option('--tag <tag>', 'a tag on every proxy (repeatable)', collect)
    .option('--json', 'print JSON');
}

const IMPORT_BATCH = 5000;

/**
 * Every line is validated before anything is written (or anything connects); batches of
 * 5,000; a progress line on a terminal; a summary of new and updated proxies at the end.
 */
async function importProxies(cli: Cli, pool: string, options: ImportOptions, urls?: string[]) {
  const lines = proxyLines(cli.io.env, {
    ...(urls === undefined ? {} : { urls }),
    ...(options.file === undefined ? {} : { file: options.file }),
  });
  const inputs = toProxyInputs(lines, {
    labels: labelsOf(options.label),
    tags: options.tag ?? [],
    ...(options.location === undefined ? {} : { location: options.location }),
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
  });
  const manager = cli.manager();
  const before = (await manager.getPoolStats(pool)).totalProxies;
  const { stderr } = cli.io;
  const progress = stderr.isTTY === true && inputs.length > IMPORT_BATCH;
  for (let i = 0; i < inputs.length; i += IMPORT_BATCH) {
    await manager.addProxies(pool, inputs.slice(i, i + IMPORT_BATCH));
    const done = Math.min(i + IMPORT_BATCH, inputs.length);
    if (progress)
      stderr.write(
        `\rimporting ${done}/${inputs.length} (${Math.round((done / inputs.length) * 100)}%)`,
      );
  }
  if (progress) stderr.write('\n');
  const added = (await manager.getPoolStats(pool)).totalProxies - before;
  // Re-importing a proxy (the same URL) updates it in place: it is not added twice.
  const updated = inputs.length - added;
  if (options.json) return cli.out.json({ pool, imported: inputs.length, added, updated });
  cli.out.line(`imported ${inputs.length} proxies into ${pool} (${updated} updated)`);
}

export function proxyAdd(parent: Command, cli: Cli): Command {
  const command = withImportOptions(
    parent.command('add <pool> <urls...>').description('add proxies given as URLs'),
  );
  return withExamples(command, ['leasehold proxy add latam http://user:pass@10.0.0.1:8080']).action(
    (pool: string, urls: string[], options: ImportOptions) =>
      importProxies(cli, pool, options, urls),
  );
}

/** `proxy import <pool>` (and its short form `import`). */
export function proxyImport(parent: Command, cli: Cli, name = 'import'): Command {
  const command = withImportOptions(
    parent
      .command(`${name} <pool>`)
      .description(
        'import from --file, PROXY_LIST or PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD',
      ),
  );
  return withExamples(command, [
    'leasehold proxy import latam --file proxies.txt --label country=AR --tag residential',
    "PROXY_LIST='http://u:p@10.0.0.1:8080,10.0.0.2:3128:user:pass' leasehold proxy import latam",
  ]).action((pool: string, options: ImportOptions) => importProxies(cli, pool, options));
}
