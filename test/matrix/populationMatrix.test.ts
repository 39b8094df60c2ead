import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBundledMdsRoots, loadMdsStore } from '../../mds/index.ts';
import { loadSimProfile, profilableEntries } from '../../harness/run/loadSimProfile.ts';
import type { DeviceProfile } from '../../authenticator-sim/profile/profileFromGetInfo.ts';
import { runHarness } from '../runner/runHarness.ts';
import { capabilityKey, combinationKey, stratifiedSample } from './capabilities.ts';

/**
 * The population matrix: for every FIDO2 model with an authenticatorGetInfo in a real MDS3 BLOB, a run
 * against the simulator shaped by that getInfo (`run --sim-profile AAGUID --mds BLOB`) has no failed and
 * no errored check, and every check that does not apply is skipped with its reason. `npm test` runs one
 * model per capability combination present; `npm run matrix` (MATRIX_FULL=1) runs every model.
 */
const BLOB = fileURLToPath(new URL('../fixtures/mds/blob-2023-no23.jwt', import.meta.url));
const AT = '2023-01-15';
const FULL = process.env.MATRIX_FULL === '1';

const store = await loadMdsStore(readFileSync(BLOB, 'utf8').trim(), { roots: loadBundledMdsRoots(), at: new Date(AT) });
const models = profilableEntries(store).map((e) => {
  const profile = loadSimProfile(store, e.aaguid, BLOB);
  return { ...e, profile, capabilities: capabilityKey(profile), combination: combinationKey(profile) };
});
const chosen = FULL ? models : stratifiedSample(models);

/**
 * The checks that judge Microsoft's requirements for a key (discoverable credentials, hmac-secret: Microsoft
 * S1/S2) fail a model whose own getInfo says it lacks the feature: that is their right verdict, not a false
 * failure, and the matrix expects it (and only it).
 */
function requirementFailures(p: DeviceProfile): Set<string> {
  const ids = new Set<string>();
  if (!p.features.rk) ids.add('RK-SUPPORT-001');
  if (!p.features.extensions.includes('hmac-secret')) ids.add('HMAC-SUPPORT-001');
  return ids;
}

describe(`population matrix (${FULL ? 'full' : 'CI sample'}): ${chosen.length} of ${models.length} models`, () => {
  it('covers every capability combination of the BLOB', () => {
    const combos = new Set(models.map((m) => m.combination));
    expect(new Set(chosen.map((m) => m.combination))).toEqual(combos);
    const lines = [...new Set(chosen.map((m) => (FULL ? m.capabilities : m.combination)))].sort();
    console.log(`[matrix] ${chosen.length} models of ${models.length}, ${lines.length} ${FULL ? 'capability sets' : 'combinations'}:\n  ${lines.join('\n  ')}`);
  });

  it.each(chosen.map((m) => [`${m.description} (${m.aaguid})`, m] as const))('%s: no check fails or errors; skips say why', async (_name, m) => {
    const run = await runHarness(['--sim-profile', m.aaguid, '--mds', BLOB, '--at', AT]);
    const expected = requirementFailures(m.profile);
    const bad = run.report.checks.filter((c) => (c.status === 'fail' || c.status === 'error') && !expected.has(c.id)).map((c) => `${c.status} ${c.id}: ${c.message}`);
    expect(bad, `${m.capabilities}\nfindings: ${m.profile.findings.join('; ')}`).toEqual([]);
    // and the requirement checks do fail a model that lacks what they require
    for (const id of expected) expect(run.report.checks.find((c) => c.id === id)?.status, id).toBe('fail');
    expect(run.report.checks.filter((c) => c.status === 'skip' && !c.message.trim()).map((c) => c.id)).toEqual([]);
    expect(run.report.incomplete).toBeUndefined();
    expect(run.report.device.aaguid).toBe(m.aaguid);
    expect((run.report.device.simulatorProfile as { findings: string[] }).findings).toEqual(m.profile.findings);
    // exit 1 exactly when a requirement check rightly fails
    expect(run.code).toBe(expected.size > 0 ? 1 : 0);
  }, 180_000);
});
