// The `fido-harness` executable's entry: the exit code of the command the arguments name (main.ts).
import process from 'node:process';
import { main } from './main.ts';

// Output piped into `head` and closed early is not an error of ours: stop quietly (EPIPE).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
