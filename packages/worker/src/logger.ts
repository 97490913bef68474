import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { CENSOR, redactLogLine } from './redaction.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout, written synchronously so nothing is lost on exit. */
  destination?: DestinationStream;
}

// Fields that hold a secret outright, wherever they appear (a lease's proxy, a config
// object, a driver's connection options).
const SECRET_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'proxy.url',
  '*.proxy.url',
  'proxyUrl',
  '*.proxyUrl',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * A pino logger whose every line is scrubbed of credentials: known secret fields are
 * censored, and as a last line of defence every string in the serialised line (error
 * messages, outcome messages, stack traces) goes through core's `redactCredentials`.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'leasehold-worker', pid: process.pid },
    redact: { paths: SECRET_PATHS, censor: CENSOR },
    hooks: { streamWrite: redactLogLine },
  };
  return pino(config, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

/** A logger that drops everything: the default when startWorker gets none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
