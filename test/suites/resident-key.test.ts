import { describe, expect, it } from 'vitest';
import { residentKeyChecks } from '../../harness/suites/resident-key/residentKeyChecks.ts';
import { rkSupportChecks } from '../../harness/suites/resident-key/rkSupportChecks.ts';
import type { CborMap, CborValue } from '../../harness/protocol/index.ts';
import { runHidArea } from './runHidArea.ts';
import { expectEveryCheckPasses, rewriteResponse, rewriteStatus, runAgainst, type CheckOutcome, type Fault } from './faultyDevice.ts';

const [MAKE_CREDENTIAL, GET_ASSERTION, GET_INFO, GET_NEXT_ASSERTION] = [0x01, 0x02, 0x04, 0x08];
const [CTAP2_ERR_NO_CREDENTIALS, CTAP2_ERR_NOT_ALLOWED, CTAP1_ERR_OTHER] = [0x2e, 0x30, 0x7f];
const ALL = [...rkSupportChecks, ...residentKeyChecks].map((c) => c.id);

/** The outcome of every check that did not pass, as `ID status: message`. */
const notPassing = (results: Map<string, CheckOutcome>) => [...results].filter(([, r]) => r.status !== 'pass').map(([id, r]) => `${id} ${r.status}: ${r.message}`);

/** Changes the user entity (member 0x04) of getAssertion answers. */
const rewriteUser = (change: (user: Map<CborValue, CborValue>) => void): Fault =>
  rewriteResponse(GET_ASSERTION, (body) => {
    const user = body.get(0x04);
    if (!(user instanceof Map)) return;
    const copy = new Map(user);
    change(copy);
    body.set(0x04, copy);
  });

/** Sets numberOfCredentials (member 0x05) where the device reported it. */
const numberOfCredentials = (n: number) => rewriteResponse(GET_ASSERTION, (body) => void (body.has(0x05) && body.set(0x05, n)));

/** getNextAssertion past the last credential answers the last one again instead of CTAP2_ERR_NOT_ALLOWED. */
function nextAssertionRepeats(): Fault {
  let last: CborMap | undefined;
  return async (cmd, params, next) => {
    const a = await next(params);
    if (cmd !== GET_NEXT_ASSERTION) return a;
    if (a.status === 0) last = a.body;
    return a.status === CTAP2_ERR_NOT_ALLOWED && last ? { status: 0, body: last } : a;
  };
}

const withOption = (name: string, value: boolean | undefined) =>
  rewriteResponse(GET_INFO, (info) => {
    const o = new Map(info.get(0x04) as CborMap);
    if (value === undefined) o.delete(name);
    else o.set(name, value);
    info.set(0x04, o);
  });

/** Each device bug with the checks it must fail (and only those), and their messages. */
const CASES: Record<string, { quirks?: string[]; fault?: () => Fault; expect: string[] }> = {
  'discoverable credentials returned oldest first (rk-oldest-first)': {
    quirks: ['rk-oldest-first'],
    expect: [
      'RK-DISCOVER-001 fail: a different credential was found',
      'RK-MULTI-001 fail: the first assertion is not for the most recent credential',
      'RK-OVERWRITE-001 fail: the newer credential was not the one found',
    ],
  },
  'an assertion naming a credential the key never made': {
    fault: () => rewriteResponse(GET_ASSERTION, (b) => b.set(0x01, new Map<CborValue, CborValue>([['id', new Uint8Array(16).fill(9)], ['type', 'public-key']]))),
    expect: ['RK-DISCOVER-001 fail: a different credential was found', 'RK-MULTI-003 fail: assertion for an unknown credential', 'RK-OVERWRITE-001 fail: the newer credential was not the one found'],
  },
  'no user entity in the assertions': {
    fault: () => rewriteResponse(GET_ASSERTION, (b) => b.delete(0x04)),
    expect: ['RK-DISCOVER-001 fail: user.id missing or different', 'RK-MULTI-001 fail: the two assertions are not for the two accounts', 'RK-USER-001 fail: no user returned for a discoverable credential'],
  },
  'another user.id in the assertions': {
    fault: () => rewriteUser((u) => u.set('id', new Uint8Array(8))),
    expect: ['RK-DISCOVER-001 fail: user.id missing or different', 'RK-MULTI-001 fail: the two assertions are not for the two accounts'],
  },
  'user name and displayName returned without user verification': {
    fault: () =>
      rewriteUser((u) => {
        u.set('name', 'alice@example.com');
        u.set('displayName', 'Alice');
      }),
    expect: ['RK-USER-001 fail: user names returned without verification: {"name":"alice@example.com","displayName":"Alice"}'],
  },
  'only displayName returned without user verification': {
    fault: () => rewriteUser((u) => u.set('displayName', 'Alice')),
    expect: ['RK-USER-001 fail: user names returned without verification: {"displayName":"Alice"}'],
  },
  'only the user name returned without user verification': {
    fault: () => rewriteUser((u) => u.set('name', 'alice@example.com')),
    expect: ['RK-USER-001 fail: user names returned without verification: {"name":"alice@example.com"}'],
  },
  'getNextAssertion without the user entity': {
    fault: () => rewriteResponse(GET_NEXT_ASSERTION, (b) => b.delete(0x04)),
    expect: ['RK-MULTI-001 fail: the two assertions are not for the two accounts'],
  },
  'a key that says clientPin after reset, without a PIN (the pair is made with a PIN token)': {
    fault: () => withOption('clientPin', true),
    expect: [
      'RK-DISCOVER-001 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
      'RK-MULTI-001 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
      'RK-MULTI-002 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
      'RK-MULTI-003 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
      'RK-OVERWRITE-001 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
      'RK-USER-001 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
      'RK-REMAINING-001 fail: making the pool credential "rkPair": getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x35 CTAP2_ERR_PIN_NOT_SET',
    ],
  },
  'getInfo without options (rk absent, the default)': {
    fault: () => rewriteResponse(GET_INFO, (info) => info.delete(0x04)),
    expect: [
      'RK-SUPPORT-001 fail: getInfo options.rk is absent (false); discoverable credentials are required',
      ...residentKeyChecks.map((c) => `${c.id} skip: discoverable credentials not offered (rk)`),
    ],
  },
  'numberOfCredentials 3 (the replaced credential kept)': {
    fault: () => numberOfCredentials(3),
    expect: ['RK-MULTI-001 fail: numberOfCredentials is 3, expected 2', 'RK-OVERWRITE-001 fail: numberOfCredentials 3 for two accounts: the old credential was kept'],
  },
  'numberOfCredentials 1 (an account lost)': {
    fault: () => numberOfCredentials(1),
    expect: ['RK-MULTI-001 fail: numberOfCredentials is 1, expected 2', 'RK-OVERWRITE-001 fail: numberOfCredentials 1 for two accounts: an account is missing'],
  },
  'getNextAssertion refused': {
    fault: () => async (cmd, p, next) => (cmd === GET_NEXT_ASSERTION ? { status: CTAP2_ERR_NOT_ALLOWED } : next(p)),
    expect: [
      'RK-MULTI-001 fail: getNextAssertion: expected 0x00 CTAP2_OK, got 0x30 CTAP2_ERR_NOT_ALLOWED',
      'RK-MULTI-002 fail: second: expected 0x00 CTAP2_OK, got 0x30 CTAP2_ERR_NOT_ALLOWED',
      'RK-MULTI-003 fail: getAssertion answered 0x30 CTAP2_ERR_NOT_ALLOWED',
    ],
  },
  'getNextAssertion answering past the last credential': {
    fault: nextAssertionRepeats,
    expect: ['RK-MULTI-002 fail: third of two: expected 0x30 CTAP2_ERR_NOT_ALLOWED, got 0x00 CTAP2_OK'],
  },
  'assertion signatures that do not verify (bad-assertion-signature)': {
    quirks: ['bad-assertion-signature'],
    expect: ['RK-MULTI-003 fail: a signature does not verify'],
  },
  'remainingDiscoverableCredentials that never goes down': {
    fault: () => rewriteResponse(GET_INFO, (info) => info.set(0x14, 50)),
    expect: ['RK-REMAINING-001 fail: remainingDiscoverableCredentials went from 50 to 50 over two new credentials'],
  },
  'remainingDiscoverableCredentials not reported': {
    fault: () => rewriteResponse(GET_INFO, (info) => info.delete(0x14)),
    expect: ['RK-REMAINING-001 skip: remainingDiscoverableCredentials not reported'],
  },
  'a non-discoverable credential not refused with CTAP2_ERR_NO_CREDENTIALS': {
    fault: () => rewriteStatus(GET_ASSERTION, CTAP2_ERR_NO_CREDENTIALS, CTAP1_ERR_OTHER),
    expect: ['RK-NONRK-001 fail: getAssertion without allowList for a non-discoverable credential: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x7f CTAP1_ERR_OTHER'],
  },
  'no discoverable credentials (no-resident-keys)': {
    quirks: ['no-resident-keys'],
    expect: [
      'RK-SUPPORT-001 fail: getInfo options.rk is false; discoverable credentials are required',
      ...residentKeyChecks.map((c) => `${c.id} skip: discoverable credentials not offered (rk)`),
    ],
  },
  'option rk absent': {
    fault: () => withOption('rk', undefined),
    expect: [
      'RK-SUPPORT-001 fail: getInfo options.rk is absent (false); discoverable credentials are required',
      ...residentKeyChecks.map((c) => `${c.id} skip: discoverable credentials not offered (rk)`),
    ],
  },
};

describe('resident-key suite (CTAP 2.1 §6.1.2 step 17, §6.2.2, §6.3)', () => {
  it('should pass every check on the clean simulator', async () => {
    expectEveryCheckPasses(await runAgainst({ suites: ['resident-key'] }), ALL);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`should fail exactly ${c.expect.filter((e) => / fail: /.test(e)).map((e) => e.split(' ')[0]).join(', ')} on ${name}`, async () => {
      const results = await runAgainst({ suites: ['resident-key'], ...(c.quirks ? { quirks: c.quirks } : {}), ...(c.fault ? { fault: c.fault() } : {}) });
      expect(notPassing(results)).toEqual(c.expect);
    });
  }

  it('should ask for a touch only to make credentials: every assertion is silent (up false, CTAP 2.1 §6.2.2 step 9)', async () => {
    const run = await runHidArea('resident-key');
    expect(run.notPassing).toEqual([]);
    // the pair (2 touches) where first used, its replacement (1), and the plain pool credential (1)
    expect(Object.fromEntries(run.touches)).toEqual({
      'RK-SUPPORT-001': 0,
      'RK-DISCOVER-001': 2,
      'RK-MULTI-001': 0,
      'RK-MULTI-002': 0,
      'RK-MULTI-003': 0,
      'RK-OVERWRITE-001': 1,
      'RK-USER-001': 0,
      'RK-REMAINING-001': 0,
      'RK-NONRK-001': 1,
    });
  });

  it('should send every getAssertion silent (up false) and make the discoverable pair at its own RP ID', async () => {
    const sent: [number, CborMap][] = [];
    const record: Fault = async (cmd, p, next) => {
      if (p) sent.push([cmd, p]);
      return next(p);
    };
    expectEveryCheckPasses(await runAgainst({ suites: ['resident-key'], fault: record }), ALL);
    const assertions = sent.filter(([cmd]) => cmd === GET_ASSERTION).map(([, p]) => p);
    // RK-DISCOVER/MULTI/OVERWRITE/USER without an allowList, and RK-NONRK-001 for the plain credential's RP
    expect(assertions.length).toBeGreaterThanOrEqual(6);
    for (const p of assertions) expect([...(p.get(0x05) as Map<string, boolean>)]).toEqual([['up', false]]);
    const rkMade = sent.filter(([cmd, p]) => cmd === MAKE_CREDENTIAL && (p.get(0x07) as Map<string, boolean> | undefined)?.get('rk') === true).map(([, p]) => p);
    // the pair, and RK-OVERWRITE-001's replacement of its second account
    expect(rkMade.map((p) => (p.get(0x02) as Map<string, string>).get('id'))).toEqual(['pool-rk.fido-harness.test', 'pool-rk.fido-harness.test', 'pool-rk.fido-harness.test']);
  });

  it('should show what it expected and found: the user.id, and the rk option', async () => {
    const noUser = await runAgainst({ checks: ['RK-DISCOVER-001'], fault: rewriteResponse(GET_ASSERTION, (b) => b.delete(0x04)), evidence: true });
    expect(noUser.get('RK-DISCOVER-001')).toEqual({ status: 'fail', message: 'user.id missing or different', expected: expect.stringMatching(/^[0-9a-f]{64}$/), actual: '(none)' });
    const rkFalse = await runAgainst({ checks: ['RK-SUPPORT-001'], quirks: ['no-resident-keys'], evidence: true });
    expect(rkFalse.get('RK-SUPPORT-001')).toMatchObject({ expected: 'true', actual: 'false' });
    const rkAbsent = await runAgainst({ checks: ['RK-SUPPORT-001'], fault: withOption('rk', undefined), evidence: true });
    expect(rkAbsent.get('RK-SUPPORT-001')).toMatchObject({ expected: 'true', actual: 'undefined' });
  });

  it('should skip RK-USER-001 (names without verification) when alwaysUv is on', async () => {
    const results = await runAgainst({ checks: ['RK-USER-001'], fault: withOption('alwaysUv', true) });
    expect(notPassing(results)).toEqual([expect.stringMatching(/^RK-USER-001 skip: alwaysUv is on/)]);
  });

  it('should show every resident-key check failing on some device bug', () => {
    const failing = new Set(Object.values(CASES).flatMap((c) => c.expect.filter((e) => / fail: /.test(e)).map((e) => e.split(' ')[0])));
    expect(ALL.filter((id) => !failing.has(id))).toEqual([]);
  });
});
