import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectScriptPasses, findPython, withUdpSimulator } from './findPython.ts';

// Interop: Yubico's python-fido2 (Debian's python3-fido2) drives `fido-harness sim` over UDP
// through its own CtapHidDevice and a CtapHidConnection of ours (fido2_udp.py). Required under CI (the test
// fails when python3-fido2 is missing there); elsewhere it is skipped with the reason in its title.

const SCRIPT = fileURLToPath(new URL('./fido2_udp.py', import.meta.url));

const found = findPython();
const required = Boolean(process.env.CI);
const reason = `python3-fido2 not importable from ${found.tried.join(', ')} (apt-get install python3-fido2)`;

const STEPS = [
  'CTAPHID INIT and PING',
  'getInfo',
  'reset (fresh state)',
  'setPIN, getPINRetries, wrong PIN',
  'makeCredential rk + hmac-secret + PIN protocol 2, packed attestation verified',
  'getAssertion (discoverable, UV) signature verified',
  'hmac-secret: stable per salt',
  'credential management: metadata, enumerate RPs and credentials, delete',
  'getAssertion after delete',
  'bio enrollment (FPBioEnrollment): enroll in',
  'user fields: one account -> id only; two accounts -> id, name, displayName',
  'power cycle, then the same channel',
  'reset 10 s after power-up -> CTAP2_ERR_NOT_ALLOWED',
  'U2F register (attestation verified) and authenticate',
  'reset after a power cycle: PIN and credentials gone',
];

describe('python-fido2 over UDP', () => {
  if (!found.python && required) {
    it('python3-fido2 is installed (required under CI)', () => {
      expect.fail(reason);
    });
    return;
  }
  it.skipIf(!found.python)(
    found.python ? `drives the simulator: ${STEPS.length} steps (fido2 ${found.version})` : `skipped: ${reason}`,
    async () => {
      await withUdpSimulator([], (port) => expectScriptPasses(found.python!, SCRIPT, [`127.0.0.1:${port}`], STEPS, 80_000));
    },
    90_000,
  );
});
