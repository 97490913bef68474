import { LeaseholdError, redactCredentials } from '@leasehold/client';
import { CommanderError } from 'commander';
import type { TextSink } from '../output/output.js';
import { visible } from '../output/visible.js';
import { CliError, UsageError } from './cli.js';

/**
 * How a failed command ends: one line saying why (credentials masked, terminal escapes made
 * visible), then the exit code a script can trust: 2 for a usage mistake, 1 for the rest.
 */
/** Issues listed one a line at most (a million bad import lines are not a million lines). */
const LISTED_ISSUES = 20;

export function reportFailure(error: unknown, stderr: TextSink): number {
  const say = (text: string) => stderr.write(`${visible(redactCredentials(text))}\n`);
  if (error instanceof CommanderError) {
    // --help and --version end with exit 0; a bare `leasehold` printed its help as an error.
    if (error.exitCode === 0) return 0;
    if (error.code === 'commander.help') return 2;
    say(`leasehold: ${error.message.replace(/^error: /, '')}`);
    say('Usage: leasehold <command> [options] (leasehold <command> --help)');
    return 2;
  }
  if (error instanceof UsageError) {
    say(`leasehold: ${error.message}`);
    return 2;
  }
  if (error instanceof LeaseholdError || error instanceof CliError) {
    const issues = 'issues' in error ? (error.issues as { field: string; message: string }[]) : [];
    const field = error.field === undefined ? '' : `, ${error.field}`;
    say(`leasehold: ${error.message} [${error.code}${field}]`);
    for (const issue of issues.slice(1, LISTED_ISSUES)) say(`  ${issue.field}: ${issue.message}`);
    if (issues.length > LISTED_ISSUES)
      say(`  … and ${(issues.length - LISTED_ISSUES).toLocaleString('en-US')} more`);
    if (error.hint) say(`hint: ${error.hint}`);
    return 1;
  }
  say(`leasehold: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}
