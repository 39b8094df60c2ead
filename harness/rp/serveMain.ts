// Runs `fido-harness serve` directly (node --import tsx harness/rp/serveMain.ts [options]) until
// harness/cli.ts wires the subcommand; the browser end-to-end test starts the server this way.
import { runServeCommand } from './cli.ts';

process.exitCode = await runServeCommand(process.argv.slice(2));
