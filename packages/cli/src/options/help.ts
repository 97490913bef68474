import type { Command } from 'commander';

/** The `Examples:` block of a command's --help. */
export function withExamples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

/** Every read takes --json. */
export const withJson = (command: Command): Command => command.option('--json', 'print JSON');

export interface JsonOption {
  json?: boolean;
}
