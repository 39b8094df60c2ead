import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../harness/suites/index.ts';
import { QUIRK_CATCHES } from '../../harness/suites/quirkCatches.ts';
import { notPassing, outcomes as outcomesOf, runAgainst } from './faultyDevice.ts';
import { runHidArea } from './runHidArea.ts';

const AREAS = ['make-credential', 'get-assertion', 'attestation'];
const suiteOf = new Map(ALL_CHECKS.map((c) => [c.id, c.suite]));
const idsOf = (suite: string) => ALL_CHECKS.filter((c) => c.suite === suite).map((c) => c.id);

/** checks that count the device's waits for a touch, which only CTAPHID (or NFC) shows */
const PRESENCE_COUNTED = ['MC-UP-001', 'GA-UP-002'];
const NO_PRESENCE_COUNT = 'the transport does not show the device waiting for a touch';

/** Outcomes as `status: message`, by id. */
async function outcomes(ids: string[], quirks: string[], overHid: boolean): Promise<Record<string, string>> {
  if (!overHid) {
    return outcomesOf(await runAgainst({ checks: ids, quirks }));
  }
  const out: Record<string, string> = {};
  for (const suite of new Set(ids.map((id) => suiteOf.get(id)!))) {
    const run = await runHidArea(suite, { checks: ids.filter((id) => suiteOf.get(id) === suite), quirks });
    for (const [id, status] of run.status) out[id] = `${status}: ${run.messages.get(id)}`;
  }
  return out;
}

/**
 * The quirks of the quirk matrix (harness/suites/quirkCatches.ts) that the make-credential, get-assertion and
 * attestation checks catch, each with the message the check gives: the matrix runs them end to end through
 * the CLI, this runs the checks alone, so the area's own tests show each check failing for its reason.
 */
const MESSAGES: Record<string, Record<string, string | RegExp>> = {
  'counter-stuck': { 'MC-COUNTER-001': 'signCount went from 1 to 1', 'GA-COUNTER-001': 'signCount did not increase: 1 then 1' },
  'bad-assertion-signature': { 'GA-SIGNATURE-001': 'assertion signature does not verify with the credential public key' },
  'bad-attestation-signature': { 'ATT-PACKED-001': 'attestation signature does not verify: packed signature (ES256) does not verify with the x5c leaf' },
  'wrong-rpid-hash': { 'MC-RPID-001': 'rpIdHash is not SHA-256(rp.id)', 'GA-RPID-001': 'rpIdHash is not SHA-256(rpId)' },
  'uv-without-pin': { 'MC-FLAGS-002': 'UV flag set although no PIN, token or built-in verification was used', 'GA-FLAGS-002': 'UV flag set although no verification was performed' },
  'self-attestation': { 'ATT-PACKED-001': 'packed self attestation (no x5c): no certificate chain to a vendor root' },
  'noncanonical-cbor': {
    'MC-CBOR-001': /^response is not canonical: CBOR_MAP_KEY_ORDER at byte \d+(; CBOR_MAP_KEY_ORDER at byte \d+)+$/,
    'GA-CBOR-001': /^response is not canonical: CBOR_MAP_KEY_ORDER at byte \d+(; CBOR_MAP_KEY_ORDER at byte \d+)+$/,
  },
  'exclude-list-ignored': { 'MC-EXCLUDE-001': 'excludeList with an existing credential: expected 0x19 CTAP2_ERR_CREDENTIAL_EXCLUDED, got 0x00 CTAP2_OK' },
  'lax-cbor-requests': {
    'MC-CBOR-004': 'makeCredential with its keys in descending order: expected 0x12 CTAP2_ERR_INVALID_CBOR, got 0x00 CTAP2_OK',
    'GA-CBOR-002': 'getAssertion with its keys in descending order: expected 0x12 CTAP2_ERR_INVALID_CBOR, got 0x2e CTAP2_ERR_NO_CREDENTIALS',
  },
  'pin-token-presence': { 'MC-UP-001': 'makeCredential with a PIN token asked for 0 touches, not 1', 'GA-UP-002': 'getAssertion with a PIN token asked for 0 touches, not 1' },
  'up-without-touch': { 'GA-UP-001': 'UP set although up=false was requested and no touch was asked for' },
  'touch-when-up-false': { 'GA-UP-001': 'getAssertion with up=false asked for 1 touches' },
  'assertion-without-touch': { 'GA-FLAGS-001': 'getAssertion asked for 0 touches, not 1', 'GA-UP-002': 'getAssertion with a PIN token asked for 0 touches, not 1' },
};
/** quirks only a transport that shows the waits for a touch (CTAPHID) reveals */
const OVER_HID = new Set(['pin-token-presence', 'touch-when-up-false', 'assertion-without-touch']);

describe('make-credential, get-assertion and attestation checks on the simulator', () => {
  for (const suite of AREAS) {
    it(`should pass every ${suite} check on the clean simulator, skipping only with the reason`, async () => {
      const results = await runAgainst({ suites: [suite] });
      const skipped = notPassing(results, true);
      const expected: Record<string, string> = {};
      for (const id of PRESENCE_COUNTED.filter((id) => suiteOf.get(id) === suite)) expected[id] = `skip: ${NO_PRESENCE_COUNT}`;
      if (suite === 'make-credential') expected['MC-OPTION-004'] = 'skip: device offers discoverable credentials';
      expect(skipped).toEqual(expected);
      expect([...results.keys()].sort()).toEqual(idsOf(suite).sort());
    });
  }

  it('should pass MC-OPTION-004 (rk refused) on a key without discoverable credentials', async () => {
    expect(await outcomes(['MC-OPTION-004'], ['no-resident-keys'], false)).toEqual({ 'MC-OPTION-004': 'pass: as specified' });
  });

  it('should pass the presence-counting checks over CTAPHID on the clean simulator', async () => {
    expect(await outcomes([...PRESENCE_COUNTED, 'GA-FLAGS-001', 'GA-UP-001'], [], true)).toEqual({
      'MC-UP-001': 'pass: as specified',
      'GA-UP-002': 'pass: as specified',
      'GA-FLAGS-001': 'pass: as specified',
      'GA-UP-001': 'pass: as specified',
    });
  });

  it('should fail GA-UP-001 and GA-FLAGS-001 when the key never shows it waits for a touch (no CTAPHID KEEPALIVE)', async () => {
    const KEEPALIVE = 0x80 | 0x3b; // CTAP 2.1 §11.2.9.2.1
    const run = await runHidArea('get-assertion', { checks: ['GA-UP-001', 'GA-FLAGS-001'], faults: { toHost: (r) => (r[4] === KEEPALIVE ? [] : [r]) } });
    expect(Object.fromEntries([...run.status].map(([id, s]) => [id, `${s}: ${run.messages.get(id)}`]))).toEqual({
      'GA-UP-001': 'fail: makeCredential asked for 0 touches, not 1',
      'GA-FLAGS-001': 'fail: getAssertion asked for 0 touches, not 1',
    });
  });

  for (const [quirk, messages] of Object.entries(MESSAGES)) {
    it(`should fail ${Object.keys(messages).join(', ')} under ${quirk}, each with its reason`, async () => {
      const got = await outcomes(Object.keys(messages), [quirk], OVER_HID.has(quirk));
      for (const [id, message] of Object.entries(messages)) {
        if (typeof message === 'string') expect.soft(got[id], id).toBe(`fail: ${message}`);
        else expect.soft(got[id], id).toMatch(new RegExp(`^fail: ${message.source.replace(/^\^/, '')}`));
      }
    });
  }

  it('should name, for every quirk the matrix gives these areas, the message of each check it fails', () => {
    const table = Object.entries(QUIRK_CATCHES).flatMap(([q, c]) => c.checks.filter((id) => AREAS.includes(suiteOf.get(id)!)).map((id) => `${q} ${id}`));
    const named = Object.entries(MESSAGES).flatMap(([q, m]) => Object.keys(m).map((id) => `${q} ${id}`));
    expect(named.sort()).toEqual(table.sort());
  });
});
