// The `fido-harness` command (DESIGN.md "Commands").
import process from 'node:process';
import { runRunCommand } from './run.ts';

const USAGE = `usage: fido-harness <command> [options]

  run          conformance run against a device (default: the built-in simulator)
  devices      list FIDO HID devices (--info for getInfo)
  sim          the software authenticator over UDP
  serve        relying-party server and web page
  mds          fetch | verify FILE | lookup AAGUID
  attestation  verify RESPONSE.json
  report       RUN.json [--format …] | diff A.json B.json
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  switch (command) {
    case 'run': {
      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('\ninterrupted: finishing the current check and writing the report (Ctrl-C again to quit now)\n');
        controller.abort('interrupted (Ctrl-C)');
      };
      process.on('SIGINT', onSigint);
      try {
        return await runRunCommand(rest, { ...io, interrupt: controller.signal });
      } finally {
        process.off('SIGINT', onSigint);
      }
    }
    case 'devices': {
      const { runDevicesCommand } = await import('./devices.ts');
      return runDevicesCommand(rest);
    }
    case 'sim': {
      const { runSimCommand } = await import('./sim.ts');
      return runSimCommand(rest);
    }
    case 'serve': {
      const { runServeCommand } = await import('./serve.ts');
      return runServeCommand(rest);
    }
    case 'mds': {
      const { runMdsCommand } = await import('./mds.ts');
      return runMdsCommand(rest);
    }
    case 'attestation': {
      const { runAttestationCommand } = await import('./attestation.ts');
      return runAttestationCommand(rest);
    }
    case 'report': {
      const { runReportCommand } = await import('./report.ts');
      return runReportCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`fido-harness: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

// Output piped into `head` and closed early is not an error of ours: stop quietly (EPIPE).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
