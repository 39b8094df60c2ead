import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listPcscReaders } from '../../harness/transport/index.ts';

// vsmartcard's virtual reader through pcscd, for the tests that go end to end over PC/SC. pcscd is started
// by .ci/run (or by hand: `pcscd -f &` as root); under CI these tests are required, elsewhere they are
// skipped with the reason. Each test file takes its own vpcd slot, so files running in parallel never
// share a reader: slot 0 (port 35963, "Virtual PCD 00 00") is pcscEndToEnd.test.ts's, slot 1 (35964,
// "Virtual PCD 00 01") the python-fido2 interop test's.

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const REQUIRED = Boolean(process.env.CI);
export const SLOTS = [
  { port: 35963, reader: 'Virtual PCD 00 00' },
  { port: 35964, reader: 'Virtual PCD 00 01' },
] as const;

/** undefined when pcscd runs with vpcd's readers and the slot is free; else why not. */
export async function virtualReaderProblem(slot: (typeof SLOTS)[number]): Promise<string | undefined> {
  let readers;
  try {
    readers = await listPcscReaders();
  } catch (err) {
    return `PC/SC is not usable (${(err as Error).message}); install pcscd vsmartcard-vpcd libpcsclite-dev and start pcscd`;
  }
  const r = readers.find((x) => x.name === slot.reader);
  if (!r) return `pcscd shows no reader "${slot.reader}" (readers: ${readers.map((x) => x.name).join(', ') || 'none'}); is vsmartcard-vpcd installed?`;
  if (r.cardPresent) return `a card already sits in "${slot.reader}" (another virtual card on port ${slot.port})`;
  return undefined;
}

/** `fido-harness sim --pcsc 127.0.0.1:PORT` as its own process; resolves once pcscd sees the card. */
export async function startCardSimulator(slot: (typeof SLOTS)[number], extra: string[] = []): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['bin/fido-harness.mjs', 'sim', '--pcsc', `127.0.0.1:${slot.port}`, ...extra], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fido-harness sim --pcsc exited ${child.exitCode}: ${out}`);
    if (out.includes('card in vpcd')) {
      const readers = await listPcscReaders();
      if (readers.find((r) => r.name === slot.reader)?.cardPresent) return { child, output: () => out, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pcscd did not see the card in "${slot.reader}" within 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the real CLI; resolves with its exit code and output. */
export function cli(args: string[], timeoutMs = 380_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/fido-harness.mjs', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
