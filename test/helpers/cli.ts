/**
 * The `gatehouse` command run in this process (src/cli/program.ts): the same commands and
 * exit codes as the real one, without a process, a PGlite boot and a migration check per call.
 * test/cli.test.ts keeps one real spawn (runCli in processes.ts) as the smoke test.
 */
import { runCli } from '../../src/cli/program.ts';
import type { RunResult } from './processes.ts';

export async function runCliInProcess(args: readonly string[], env: Record<string, string>, input = ''): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    readStdin: async () => input,
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
  });
  return { code, stdout, stderr };
}
