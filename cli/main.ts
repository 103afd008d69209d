/**
 * The `factrecall` CLI: a thin shell over the parts. Each subcommand lives in its own file
 * under cli/commands and registers itself on the program here.
 */
import { Command, CommanderError } from 'commander';
import { isFactRecallError } from '../lib/errors.ts';
import { COMMANDS } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('factrecall')
    .description('FactRecall-v0: an RL environment for closed-book factual recall')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

function isCodedError(e: unknown): e is Error & { code: string } {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('FR_ERR_');
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    // Our own errors, and the protocol client's (which carry a server's FR_ERR_* code).
    if (isFactRecallError(e) || isCodedError(e)) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
