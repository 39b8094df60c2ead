// The `fido-harness` commands: the first word chooses one, whose file is loaded only then, so `--help`,
// `--version` and usage errors answer without loading the harness.
import process from 'node:process';
import { TOOL } from '../run/RunOptions.ts';

/** The commands, in the order `fido-harness --help` lists them. */
export const COMMANDS: ReadonlyArray<{ name: string; summary: string; main: () => Promise<(args: string[]) => Promise<number>> }> = [
  { name: 'run', summary: 'conformance run against a device (default: the built-in simulator)', main: async () => runMain },
  { name: 'devices', summary: 'list FIDO HID devices and FIDO cards on PC/SC readers (--info for getInfo)', main: async () => (await import('./devices.ts')).runDevicesCommand },
  { name: 'sim', summary: 'the software authenticator as a CTAPHID device over UDP, or a card in a virtual reader', main: async () => (await import('./sim.ts')).runSimCommand },
  { name: 'serve', summary: 'relying-party server, conformance API and web page', main: async () => (await import('./serve.ts')).runServeCommand },
  { name: 'mds', summary: 'MDS3 BLOB: fetch | verify FILE | lookup AAGUID', main: async () => (await import('./mds.ts')).runMdsCommand },
  { name: 'attestation', summary: 'verify RESPONSE.json: a registration\'s attestation against MDS', main: async () => (await import('./attestation.ts')).runAttestationCommand },
  { name: 'report', summary: 'RUN.json into html/junit/md again | diff A.json B.json', main: async () => (await import('./report.ts')).runReportCommand },
];

export function cliUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: fido-harness <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'fido-harness <command> --help shows its options; fido-harness --version its version.',
    '',
  ].join('\n');
}

async function runMain(args: string[]): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupted: finishing the current check and writing the report (Ctrl-C again to quit now)\n');
    controller.abort('interrupted (Ctrl-C)');
  };
  process.on('SIGINT', onSigint);
  try {
    const { runRunCommand } = await import('./run.ts');
    return await runRunCommand(args, { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupt: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [word, ...rest] = argv;
  if (word === '--version' || word === '-V') {
    process.stdout.write(`${TOOL.name} ${TOOL.version}\n`);
    return 0;
  }
  if (word === 'help' || word === '--help' || word === '-h') {
    process.stdout.write(cliUsage());
    return 0;
  }
  if (word === undefined) {
    // no command is a usage error: the list goes where errors go
    process.stderr.write(cliUsage());
    return 2;
  }
  const command = COMMANDS.find((c) => c.name === word);
  if (!command) {
    const { terminalSafe } = await import('../../reports/terminalSafe.ts');
    process.stderr.write(`fido-harness: unknown command "${terminalSafe(word)}" (${COMMANDS.map((c) => c.name).join(', ')}; fido-harness --help)\n`);
    return 2;
  }
  return (await command.main())(rest);
}
