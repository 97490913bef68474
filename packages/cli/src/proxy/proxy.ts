import type { Command } from 'commander';
import type { Cli } from '../runner/cli.js';
import { proxyAdd, proxyImport } from './import.js';
import { proxyList } from './list.js';
import { proxyRemove } from './remove.js';
import { proxyReset } from './reset.js';
import { proxyShow } from './show.js';
import { proxyStatus } from './status.js';

/** `leasehold proxy …` */
export function proxyCommands(program: Command, cli: Cli): void {
  const proxy = program.command('proxy').description('add, list, inspect and change proxies');
  proxyAdd(proxy, cli);
  proxyImport(proxy, cli);
  proxyList(proxy, cli);
  proxyShow(proxy, cli);
  proxyShow(proxy, cli, 'health');
  proxyStatus(proxy, cli, 'enable');
  proxyStatus(proxy, cli, 'disable');
  proxyRemove(proxy, cli);
  proxyReset(proxy, cli);
}
