import { Argument, type Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

/** `functions`: the Leasehold script libraries on the server; `functions prune`: drop old ones. */
export function functionsCommand(program: Command, cli: Cli): Command {
  const command = program
    .command('functions')
    .description("Leasehold's Redis Functions libraries; prune drops other versions'")
    .addArgument(new Argument('[action]', 'prune: delete the other versions').choices(['prune']));
  return withJson(command).action(async (action: 'prune' | undefined, options: JsonOption) => {
    const manager = cli.manager();
    if (action === 'prune') {
      const deleted = await manager.deleteOtherScriptLibraries();
      if (options.json) return cli.out.json({ deleted });
      cli.out.line(
        deleted.length === 0
          ? 'no libraries of other Leasehold versions'
          : `deleted ${deleted.join(', ')}`,
      );
      return;
    }
    const libraries = await manager.scriptLibraries();
    if (options.json) return cli.out.json(libraries);
    cli.out.table(
      libraries.map((l) => ({
        library: l.name,
        version: l.current ? 'this one' : 'other',
        masters: l.nodes,
      })),
      ['library', 'version', 'masters'],
    );
  });
}
