import { type PoolSettings, type PoolSettingsInput, ValidationError } from '@leasehold/client';
import { SELECTOR_STRATEGIES, type SelectorStrategy } from '@leasehold/core';
import { type Command, Option } from 'commander';
import type { JsonOption } from '../options/help.js';
import { decimal } from '../options/parsers.js';

/** The settings flags `pool create` and `pool update` share (bounds are the client's). */
export interface PoolSettingsOptions extends JsonOption {
  selector?: SelectorStrategy;
  leaseSeconds?: number;
  failureThreshold?: number;
  reuseDelaySeconds?: number;
  scopeReuseDelaySeconds?: number;
  defaultMaxConcurrency?: number;
  minHealthScore?: number;
  healthCheckUrl?: string;
  healthCheckInterval?: number;
  healthCheckTimeout?: number;
}

export function withPoolSettings(command: Command): Command {
  return command
    .addOption(
      new Option('--selector <selector>', 'how a proxy is picked').choices(SELECTOR_STRATEGIES),
    )
    .option('--lease-seconds <n>', 'default lease duration', decimal)
    .option('--failure-threshold <n>', 'consecutive failures that open a circuit', decimal)
    .option(
      '--reuse-delay-seconds <s>',
      'no proxy leased again sooner after a lease (0 = off)',
      decimal,
    )
    .option('--scope-reuse-delay-seconds <s>', 'the same per scope (0 = off)', decimal)
    .option('--default-max-concurrency <n>', 'cap of proxies without their own (0 = none)', decimal)
    .option(
      '--min-health-score <x>',
      'bench proxies whose health score falls below (0..1, 0 = off)',
      decimal,
    )
    .option(
      '--health-check-url <url>',
      'probe open-circuit and benched proxies with it (off = none)',
    )
    .option('--health-check-interval <s>', 'probe each such proxy at most this often', decimal)
    .option('--health-check-timeout <s>', 'a probe slower than this fails', decimal)
    .option('--json', 'print JSON');
}

/** Only the settings given, as upsertPool takes them. */
export function poolSettingsInput(
  options: PoolSettingsOptions,
  current: PoolSettings | null,
): Omit<PoolSettingsInput, 'name'> {
  const given = {
    selector: options.selector,
    leaseSeconds: options.leaseSeconds,
    failureThreshold: options.failureThreshold,
    reuseDelaySeconds: options.reuseDelaySeconds,
    scopeReuseDelaySeconds: options.scopeReuseDelaySeconds,
    defaultMaxConcurrency: options.defaultMaxConcurrency,
    minHealthScore: options.minHealthScore,
  };
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...set, ...healthCheckInput(options, current) };
}

/**
 * `--health-check-url <url|off>`, `--health-check-interval`, `--health-check-timeout`: an
 * interval or timeout alone changes the pool's current check; without one it needs a URL.
 */
function healthCheckInput(options: PoolSettingsOptions, current: PoolSettings | null) {
  const { healthCheckUrl: url, healthCheckInterval, healthCheckTimeout } = options;
  if (url === 'off') return { healthCheck: null };
  if (url === undefined && healthCheckInterval === undefined && healthCheckTimeout === undefined)
    return {};
  const base = url === undefined ? current?.healthCheck : { url };
  if (!base)
    throw new ValidationError([
      { field: '--health-check-url', message: 'the pool has no health check: give its URL' },
    ]);
  return {
    healthCheck: {
      ...base,
      ...(healthCheckInterval === undefined ? {} : { intervalSeconds: healthCheckInterval }),
      ...(healthCheckTimeout === undefined ? {} : { timeoutSeconds: healthCheckTimeout }),
    },
  };
}
