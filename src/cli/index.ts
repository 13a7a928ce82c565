/** The `gatehouse` command line. Errors print their detail and exit 1; no stack traces. */
import { Command } from 'commander';
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { registerDatabaseCommands } from './commands/database.ts';
import { registerEligibleCommands } from './commands/eligible.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerRoleCommands } from './commands/roles.ts';
import { registerUserCommands } from './commands/users.ts';

function describeError(error: unknown): string {
  if (error instanceof AppError) {
    const detail = typeof error.detail === 'string' ? error.detail : error.detail.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; ');
    return `${detail} (${error.code})`;
  }
  if (error instanceof ConfigError) return `configuration: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

const program = new Command('gatehouse').description('Gatehouse: authentication and membership service').showHelpAfterError();
registerDatabaseCommands(program);
registerUserCommands(program);
registerRoleCommands(program);
registerEligibleCommands(program);
registerKeyCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`error: ${describeError(error)}`);
  process.exitCode = 1;
}
// PGlite can leave an internal timer armed after close(); a finished command must not linger.
// (stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost.)
if (program.args[0] !== 'serve') process.exit(process.exitCode ?? 0);
