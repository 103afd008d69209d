import type { Command } from 'commander';

/** Every subcommand group; each file adds its commands to the program. */
export const COMMANDS: Array<(program: Command) => void> = [];
