/** The `gatehouse` command line as a function: argv in, exit code out (index.ts runs it for the process). */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { registerDatabaseCommands } from './commands/database.ts';
import { registerEligibleCommands } from './commands/eligible.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMembershipCommands } from './commands/memberships.ts';
import { registerInvitationCommands } from './commands/invitations.ts';
import { registerEligibilityRuleCommands } from './commands/eligibility-rules.ts';
import { registerWebhookCommands } from './commands/webhooks.ts';
import { registerOrganizerCommands } from './commands/organizers.ts';
import { registerRoleCommands } from './commands/roles.ts';
import { registerUserCommands } from './commands/users.ts';
import { err, out, withIo, type CliIo } from './io.ts';

function describeError(error: unknown): string {
  if (error instanceof AppError) {
    const detail = typeof error.detail === 'string' ? error.detail : error.detail.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; ');
    return `${detail} (${error.code})`;
  }
  if (error instanceof ConfigError) return `configuration: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse: authentication and membership service')
    .showHelpAfterError()
    // Commander's own exits (help, usage errors) become exit codes, not process.exit.
    .exitOverride()
    .configureOutput({ writeOut: (text) => out(text.replace(/\n$/, '')), writeErr: (text) => err(text.replace(/\n$/, '')) });
  registerDatabaseCommands(program);
  registerUserCommands(program);
  registerRoleCommands(program);
  registerMembershipCommands(program);
  registerInvitationCommands(program);
  registerEligibilityRuleCommands(program);
  registerWebhookCommands(program);
  registerEligibleCommands(program);
  registerOrganizerCommands(program);
  registerKeyCommands(program);
  return program;
}

/** Runs one command line (`args` without node and the script) and answers its exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  return withIo(io, async () => {
    const program = buildProgram();
    try {
      await program.parseAsync([...args], { from: 'user' });
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode;
      err(`error: ${describeError(error)}`);
      return 1;
    } finally {
      process.exitCode = undefined;
    }
  });
}
