import type { Command } from 'commander';

/**
 * The subcommand group `name` (e.g. `data`), created on first use, so that several files can
 * add commands to one group (`data fetch` and `data prepare` live in different files).
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}
