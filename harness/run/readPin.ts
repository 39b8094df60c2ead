import { open } from 'node:fs/promises';
import { RunInputError } from './RunOptions.ts';

/** the environment variable the README recommends for the PIN: it stays out of `ps` and shell history */
export const PIN_ENV = 'FIDO_HARNESS_PIN';

/** a PIN file larger than this is not a PIN file */
const MAX_PIN_FILE_BYTES = 1024;

/**
 * Why `pin` cannot be a PIN, or undefined. CTAP 2.1 §6.5.5.5 (setPIN) step 6: at least 4 Unicode code
 * points (a key may ask more: minPINLength) and at most 63 bytes of UTF-8. The PIN itself is never quoted.
 */
export function pinProblem(pin: string): string | undefined {
  if ([...pin].length < 4) return 'a PIN has at least 4 characters (CTAP 2.1 §6.5.5.5)';
  if (Buffer.byteLength(pin, 'utf8') > 63) return 'a PIN has at most 63 bytes of UTF-8 (CTAP 2.1 §6.5.5.5)';
  return undefined;
}

/** `--pin-file FILE`: its first line (without the line end), checked as a PIN; the PIN is never in a message. */
export async function readPinFile(file: string): Promise<string> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new RunInputError(`--pin-file ${file}: not a regular file`);
      if (stat.size > MAX_PIN_FILE_BYTES) throw new RunInputError(`--pin-file ${file}: larger than ${MAX_PIN_FILE_BYTES} bytes, not a PIN file`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof RunInputError) throw err;
    throw new RunInputError(`--pin-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const pin = text.split(/\r?\n/, 1)[0] ?? '';
  const problem = pinProblem(pin);
  if (problem) throw new RunInputError(`--pin-file ${file}: ${problem}`);
  return pin;
}
