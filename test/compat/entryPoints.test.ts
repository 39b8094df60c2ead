import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { evaluateMicrosoft } from '../../harness/compat/index.ts';
import { compatInputForRun } from '../../harness/run/buildRunReport.ts';
import { decodeRegistration } from '../../harness/rp/ceremony/decodeRegistration.ts';
import { parseAttestationObject } from '../../harness/protocol/index.ts';
import { ORIGIN, RP_ID, simRegistration, TEST_TIME } from './compatFixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** `fido-harness attestation verify … --json` as a user runs it: its MS-* statuses. */
async function viaCli(reg: Awaited<ReturnType<typeof simRegistration>>): Promise<Record<string, string>> {
  const args = ['bin/fido-harness.mjs', 'attestation', 'verify', reg.responseFile, '--mds', reg.mds.blobFile, '--root', reg.mds.rootFile, '--origin', ORIGIN, '--rp-id', RP_ID, '--at', TEST_TIME.toISOString(), '--json'];
  const out = await run(process.execPath, args, { cwd: ROOT }).catch((e: { stdout: string; code: number }) => e);
  const doc = JSON.parse(out.stdout) as { microsoft: { requirements: { id: string; status: string }[] } };
  return Object.fromEntries(doc.microsoft.requirements.map((r) => [r.id, r.status]));
}

/** the RP page's decoded registration: its MS-* statuses */
async function viaRp(reg: Awaited<ReturnType<typeof simRegistration>>): Promise<Record<string, string>> {
  const summary = await decodeRegistration({
    attestation: parseAttestationObject(Buffer.from(reg.response.response.attestationObject, 'base64url'), { canonical: 'report' }),
    response: reg.response as { response: { attestationObject: string; clientDataJSON: string } },
    origin: ORIGIN,
    rpId: RP_ID,
    clientExtensionResults: undefined,
    residentKeyRequested: undefined,
    mds: reg.mds.store,
    mdsProblem: undefined,
    at: TEST_TIME,
  });
  return Object.fromEntries(summary.checks.filter((c) => c.id.startsWith('MS-')).map((c) => [c.id, c.status]));
}

/** `run`'s input builder with the same registration and MDS (no getInfo, no checks) */
function viaRun(reg: Awaited<ReturnType<typeof simRegistration>>): Record<string, string> {
  const ev = evaluateMicrosoft(compatInputForRun({ attestation: reg.attestation }, { store: reg.mds.store, source: 'file', file: reg.mds.blobFile }, TEST_TIME));
  return Object.fromEntries(ev.requirements.map((r) => [r.id, r.status]));
}

describe('one Microsoft evaluator for run, attestation verify and the RP page', () => {
  it.each([[[] as string[]], [['self-attestation']], [['wrong-rpid-hash']], [['bad-attestation-signature']]])(
    'should give the same MS-* statuses through all three for the simulator with %j',
    async (quirks) => {
      const reg = await simRegistration(quirks);
      const [cli, rp] = await Promise.all([viaCli(reg), viaRp(reg)]);
      const lib = viaRun(reg);
      expect(Object.keys(lib)).toHaveLength(9);
      expect(cli).toEqual(lib);
      expect(rp).toEqual(lib);
      if (quirks.length) expect(lib['MS-ATTESTATION']).toBe('fail');
      else expect(lib['MS-ATTESTATION']).toBe('pass');
    },
    120_000,
  );
});
