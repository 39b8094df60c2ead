// The `fido-harness` command (DESIGN.md "Commands"). Subcommands are registered as their lanes land.
import { argv, exit, stderr } from 'node:process';

const [command] = argv.slice(2);
stderr.write(`fido-harness: '${command ?? ''}' is not available yet\n`);
exit(2);
