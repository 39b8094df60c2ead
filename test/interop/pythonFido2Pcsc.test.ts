import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectScriptPasses, findPython } from './findPython.ts';
import { REQUIRED, SLOTS, startCardSimulator, virtualReaderProblem } from '../nfc/virtualReader.ts';
import { CLIENT_SCRIPT, CLIENT_STEPS } from './clientSteps.ts';

// Interop over NFC: Yubico's python-fido2 (Debian's python3-fido2) finds `fido-harness sim --pcsc` in
// vsmartcard's virtual reader with fido2.pcsc.CtapPcscDevice, through pcscd and pyscard, and registers and
// asserts against it (fido2_pcsc.py). Required under CI (python3-fido2, python3-pyscard, pcscd and
// vsmartcard-vpcd are installed by .ci/run); elsewhere skipped with the reason in its title.

const SCRIPT = fileURLToPath(new URL('./fido2_pcsc.py', import.meta.url));
const SLOT = SLOTS[1];

const found = findPython('fido2.pcsc');
const problem = found.python
  ? await virtualReaderProblem(SLOT)
  : `python3-fido2 with fido2.pcsc (python3-pyscard) not importable from ${found.tried.join(', ')}`;

const STEPS = [
  'the card on Virtual PCD 00 01 selected',
  'getInfo',
  'setPIN, getPINRetries',
  'makeCredential rk + PIN protocol 2, packed attestation verified',
  'getAssertion (discoverable, UV) signature verified',
  'authenticatorSelection: status update',
  'U2F register (attestation verified) and authenticate (signature verified) as ISO 7816 APDUs',
];

describe('python-fido2 over PC/SC (CtapPcscDevice, vsmartcard reader)', () => {
  if (problem && REQUIRED) {
    it('python3-fido2, pyscard, pcscd and vsmartcard-vpcd are there (required under CI)', () => {
      expect.fail(problem);
    });
    return;
  }
  it.skipIf(problem !== undefined)(
    problem ? `skipped: ${problem}` : `registers and asserts against fido-harness sim --pcsc: ${STEPS.length} steps (fido2 ${found.version})`,
    async () => {
      const card = await startCardSimulator(SLOT);
      try {
        await expectScriptPasses(found.python!, SCRIPT, [SLOT.reader], STEPS, 90_000);
      } finally {
        expect(await card.stop()).toBe(0);
      }
    },
    150_000,
  );
  it.skipIf(problem !== undefined)(
    problem ? `skipped: ${problem}` : `python-fido2's high-level APIs against the card: ${CLIENT_STEPS.length} steps (fido2_client.py pcsc:READER)`,
    async () => {
      const card = await startCardSimulator(SLOT, ['--allow-reset-anytime']);
      try {
        await expectScriptPasses(found.python!, CLIENT_SCRIPT, [`pcsc:${SLOT.reader}`], CLIENT_STEPS, 170_000);
      } finally {
        expect(await card.stop()).toBe(0);
      }
    },
    240_000,
  );
});
