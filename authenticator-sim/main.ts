// Runs the simulator on its own: `node --import tsx authenticator-sim/main.ts [--udp HOST:PORT] ...`
// (the same as `fido-harness sim`, for use without the harness).
import { runSimCommand } from './cli.ts';

process.exitCode = await runSimCommand(process.argv.slice(2));
