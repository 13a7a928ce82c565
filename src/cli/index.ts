/** The `gatehouse` command for the process. Errors print their detail and exit 1; no stack traces. */
import { PROCESS_IO } from './io.ts';
import { runCli } from './program.ts';

const args = process.argv.slice(2);
const code = await runCli(args, PROCESS_IO);
// PGlite can leave an internal timer armed after close(); a finished command must not linger.
// (stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost.)
if (args[0] !== 'serve') process.exit(code);
process.exitCode = code;
