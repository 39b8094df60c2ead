import { spawn } from 'node:child_process';
import type { PresenceWait, PresenceWaits } from '../ctaphid/index.ts';
import { terminalSafe } from '../../reports/terminalSafe.ts';

export interface TouchPromptOptions {
  /** the device as the person knows it: its path, and the product name a HID key reports */
  device: { spec: string; path?: string; product?: string };
  /** print "Touch your security key" (real keys; the simulator approves by itself) */
  prompt: boolean;
  /** more than one device runs: the prompt names which one waits */
  several: boolean;
  /** `--touch-command CMD`: run for every wait (a relay or robot presses the key) */
  command?: string;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface TouchPrompt {
  /** resolves when every touch command started so far has ended */
  settled(): Promise<void>;
  /** touch commands that exited with an error or could not start */
  failures: number;
  stop(): void;
}

/**
 * What happens each time the device waits for a touch (KEEPALIVE UPNEEDED, CTAP 2.1 §11.2.9.2.1): the
 * person is told (at most every 5 s, naming the device when several run), and `--touch-command` runs once,
 * with FIDO_HARNESS_DEVICE (the device's path or --device text), FIDO_HARNESS_PRODUCT and
 * FIDO_HARNESS_COMMAND (the CTAP command byte waiting, hex) in its environment. The command is not waited
 * for: the device keeps waiting for the touch it produces.
 */
export function touchPrompt(presence: PresenceWaits, options: TouchPromptOptions): TouchPrompt {
  const running = new Set<Promise<void>>();
  let shown = 0;
  const state = { failures: 0 };
  const name = [options.device.product, options.device.path ?? options.device.spec].filter(Boolean).map((s) => terminalSafe(s!)).join(' at ');
  const stop = presence.onWait((wait: PresenceWait) => {
    if (options.prompt && Date.now() - shown > 5_000) {
      shown = Date.now();
      options.stderr.write(options.several ? `Touch the security key ${name} (it is blinking)\n` : 'Touch your security key\n');
    }
    if (options.command) {
      const done = runTouchCommand(options.command, {
        ...options.env,
        FIDO_HARNESS_DEVICE: options.device.path ?? options.device.spec,
        FIDO_HARNESS_PRODUCT: options.device.product ?? '',
        FIDO_HARNESS_COMMAND: (wait.ctapCommand ?? wait.cmd).toString(16).padStart(2, '0'),
      }).then((failure) => {
        if (failure) {
          state.failures++;
          options.stderr.write(`--touch-command: ${failure}\n`);
        }
      });
      running.add(done);
      void done.finally(() => running.delete(done));
    }
  });
  return {
    settled: async () => {
      while (running.size) await Promise.all([...running]);
    },
    get failures() {
      return state.failures;
    },
    stop,
  };
}

/** Runs CMD through the shell; resolves with why it failed, or undefined. */
function runTouchCommand(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 500) err += d.toString();
    });
    child.on('error', (e) => resolve(`could not start: ${e.message}`));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(undefined);
      else resolve(`exited ${code ?? signal}${err.trim() ? `: ${terminalSafe(err.trim().split('\n')[0]!)}` : ''}`);
    });
  });
}
