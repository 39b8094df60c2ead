import { describe, expect, it } from 'vitest';
import { getInfoChecks } from '../../harness/suites/getinfo/getInfoChecks.ts';
import type { CborMap, CborValue } from '../../harness/protocol/index.ts';
import { expectEveryCheckPasses, outcomes, rewriteResponse, runAgainst, type CheckOutcome, type Fault } from './faultyDevice.ts';

const GET_INFO = 0x04;
const CTAP1_ERR_OTHER = 0x7f;

/** getInfo response members (CTAP 2.1 §6.4) */
const M = { versions: 0x01, extensions: 0x02, aaguid: 0x03, options: 0x04, maxMsgSize: 0x05, pinUvAuthProtocols: 0x06, maxCredentialCountInList: 0x07, maxCredentialIdLength: 0x08, transports: 0x09, algorithms: 0x0a, minPINLength: 0x0d, firmwareVersion: 0x0e } as const;

const alg = (a: CborValue, type: CborValue = 'public-key') => new Map<CborValue, CborValue>([['alg', a], ['type', type]]);

/** Changes the options map of every getInfo answer: `undefined` removes the option. */
const withOptions = (options: Record<string, CborValue | undefined>) => (info: CborMap) => {
  const o = new Map(info.get(M.options) as CborMap);
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) o.delete(k);
    else o.set(k, v);
  }
  info.set(M.options, o);
};

const set =
  (...members: [number, CborValue | undefined][]) =>
  (info: CborMap) => {
    for (const [k, v] of members) {
      if (v === undefined) info.delete(k);
      else info.set(k, v);
    }
  };

type Expected = Record<string, [status: string, message?: string | RegExp]>;

interface Case {
  /** a getInfo answer with the device bug (or the allowed oddity) */
  info?: (info: CborMap) => void;
  /** a fault of its own for each run (faults keep state) */
  fault?: () => Fault;
  quirks?: string[];
  kind?: string;
  checks?: string[];
  expect: Expected;
}

function expectOutcomes(results: Map<string, CheckOutcome>, expected: Expected): void {
  for (const [id, [status, message]] of Object.entries(expected)) {
    const got = results.get(id);
    expect.soft(got?.status, `${id}: ${got?.message}`).toBe(status);
    if (typeof message === 'string') expect.soft(got?.message, id).toBe(message);
    else if (message) expect.soft(got?.message, id).toMatch(message);
  }
}

const FIDO_2_1_ONLY = 'device does not claim FIDO_2_1';
const TOKEN_NOT_TRUE = 'FIDO_2_1 claimed but option pinUvAuthToken is not true';
const PROTOCOLS_MISSING = 'clientPin/pinUvAuthToken offered but pinUvAuthProtocols is missing or empty';
const ALGS_BAD = 'algorithms: elements are not {type: text, alg: int}';

/** A getInfo answer whose aaguid differs on every call (an authenticator that makes one up per call). */
function changingAaguid(): Fault {
  let calls = 0;
  return rewriteResponse(GET_INFO, (info) => {
    const a = Uint8Array.from(info.get(M.aaguid) as Uint8Array);
    a[0] = (a[0]! + ++calls) & 0xff;
    info.set(M.aaguid, a);
  });
}

/** After a getInfo with parameters (CTAP 2.1 §6.4 has none), every getInfo fails: the device is wedged. */
function wedgedByParameters(): Fault {
  let wedged = false;
  return async (cmd, params, next) => {
    if (cmd !== GET_INFO) return next(params);
    if (wedged) return { status: CTAP1_ERR_OTHER };
    if (params !== undefined) wedged = true;
    return next(params);
  };
}

/** The getInfo the run opens the device with is good; every later one fails. */
function getInfoFailsAfterOpen(): Fault {
  let calls = 0;
  return async (cmd, params, next) => (cmd === GET_INFO && ++calls > 1 ? { status: CTAP1_ERR_OTHER } : next(params));
}

/** Each getInfo rule of CTAP 2.1 §6.4 broken (or stretched) on its own, with the outcome the check must give. */
const CASES: Record<string, Case> = {
  'versions without FIDO_2_x (a U2F-only key; a FIDO_2_ string not at the start)': {
    info: set([M.versions, ['U2F_V2', 'NOT_FIDO_2_0']]),
    expect: {
      'INFO-VERSIONS-001': ['fail', 'versions ["U2F_V2","NOT_FIDO_2_0"] has no FIDO_2_x'],
      'INFO-VERSIONS-002': ['warn', 'unknown version strings: ["NOT_FIDO_2_0"]'],
      'INFO-PROTOCOLS-002': ['skip', FIDO_2_1_ONLY],
    },
  },
  'a version listed twice': {
    info: set([M.versions, ['FIDO_2_0', 'FIDO_2_1', 'FIDO_2_0']]),
    expect: { 'INFO-VERSIONS-001': ['pass'], 'INFO-VERSIONS-002': ['fail', 'versions has duplicates: ["FIDO_2_0","FIDO_2_1","FIDO_2_0"]'] },
  },
  'a version string the harness does not know': {
    info: set([M.versions, ['FIDO_2_0', 'FIDO_2_1', 'FIDO_2_9']]),
    expect: { 'INFO-VERSIONS-001': ['pass'], 'INFO-VERSIONS-002': ['warn', 'unknown version strings: ["FIDO_2_9"]'] },
  },
  'an aaguid of 15 bytes': {
    info: set([M.aaguid, new Uint8Array(15).fill(7)]),
    expect: { 'INFO-AAGUID-001': ['fail', 'aaguid is 15 bytes, expected 16'] },
  },
  'an aaguid with zero bytes, not all zero': {
    info: set([M.aaguid, Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0))]),
    expect: { 'INFO-AAGUID-001': ['pass'] },
  },
  'a different aaguid on every getInfo': {
    fault: changingAaguid,
    expect: { 'INFO-AAGUID-001': ['pass'], 'INFO-AAGUID-002': ['fail', /^aaguid changed between two getInfo calls: [0-9a-f]{32} then [0-9a-f]{32}$/] },
  },
  'a getInfo answer in non-canonical CBOR (noncanonical-cbor)': {
    quirks: ['noncanonical-cbor'],
    // every finding named, one after the other
    expect: { 'INFO-ENCODING-001': ['fail', /^getInfo response is not canonical: CBOR_MAP_KEY_ORDER at byte 5: map key 181b out of canonical order; CBOR_MAP_KEY_ORDER at byte 8: map key 181a out of canonical order; .+; CBOR_MAP_KEY_ORDER at byte \d+: map key 01 out of canonical order$/] },
  },
  'getInfo refused when the check asks for it': {
    fault: getInfoFailsAfterOpen,
    checks: ['INFO-ENCODING-001'],
    expect: { 'INFO-ENCODING-001': ['fail', 'getInfo answered status 127'] },
  },
  'every array and map member with an element of the wrong type': {
    info: (info) => {
      set(
        [M.versions, ['FIDO_2_1', 21]],
        [M.extensions, ['credProtect', 1]],
        [M.pinUvAuthProtocols, [2, 1.5]],
        [M.transports, ['usb', 1]],
        [M.algorithms, [alg(-7), alg('-8')]],
      )(info);
      withOptions({ up: 1 })(info);
    },
    expect: {
      'INFO-TYPES-001': [
        'fail',
        `versions: not all text; extensions: not all text; options: values not boolean; pinUvAuthProtocols: not unsigned integers; transports: not all text; ${ALGS_BAD}`,
      ],
    },
  },
  'pinUvAuthProtocols with 0': {
    info: set([M.pinUvAuthProtocols, [2, 0]]),
    expect: { 'INFO-TYPES-001': ['fail', 'pinUvAuthProtocols: not unsigned integers'], 'INFO-PROTOCOLS-001': ['fail', 'unknown PIN/UV auth protocol in [2,0]'] },
  },
  'an algorithms element that is not a map': {
    info: set([M.algorithms, [alg(-7), null]]),
    expect: { 'INFO-TYPES-001': ['fail', ALGS_BAD], 'INFO-ALGORITHMS-001': ['pass'] },
  },
  'an algorithms element whose type is not text': {
    info: set([M.algorithms, [alg(-7), alg(-8, 1)]]),
    expect: { 'INFO-TYPES-001': ['fail', ALGS_BAD] },
  },
  'option up false': {
    info: withOptions({ up: false }),
    expect: { 'INFO-OPTIONS-001': ['fail', 'option up is false: a roaming authenticator must test user presence'] },
  },
  'option IDs the harness does not know': {
    info: withOptions({ vendorA: true, vendorB: false }),
    expect: { 'INFO-OPTIONS-001': ['warn', 'unknown option IDs: vendorA, vendorB'], 'INFO-TYPES-001': ['pass'] },
  },
  'option plat true': {
    info: withOptions({ plat: true }),
    expect: { 'INFO-OPTIONS-002': ['warn', 'plat is true: this device says it is a platform authenticator'], 'INFO-OPTIONS-001': ['pass'] },
  },
  'an extension listed twice': {
    info: set([M.extensions, ['credProtect', 'hmac-secret', 'credProtect']]),
    expect: { 'INFO-EXTENSIONS-001': ['fail', 'extensions has duplicates: ["credProtect","hmac-secret","credProtect"]'] },
  },
  'extension identifiers the harness does not know': {
    info: set([M.extensions, ['credProtect', 'x-vendor', 'x-other']]),
    expect: { 'INFO-EXTENSIONS-001': ['warn', 'unknown extension identifiers: x-vendor, x-other'] },
  },
  'no PIN and no token offered, pinUvAuthProtocols empty': {
    info: (info) => {
      withOptions({ clientPin: undefined, pinUvAuthToken: undefined })(info);
      info.set(M.pinUvAuthProtocols, []);
    },
    expect: { 'INFO-PROTOCOLS-001': ['fail', 'pinUvAuthProtocols is empty'], 'INFO-PROTOCOLS-002': ['fail', TOKEN_NOT_TRUE] },
  },
  'no PIN and no token offered, pinUvAuthProtocols listed': {
    info: withOptions({ clientPin: undefined, pinUvAuthToken: false }),
    expect: { 'INFO-PROTOCOLS-001': ['pass'] },
  },
  'pinUvAuthToken offered, pinUvAuthProtocols absent': {
    info: (info) => {
      withOptions({ clientPin: undefined, pinUvAuthToken: true })(info);
      info.delete(M.pinUvAuthProtocols);
    },
    expect: { 'INFO-PROTOCOLS-001': ['fail', PROTOCOLS_MISSING], 'INFO-PROTOCOLS-002': ['fail', 'FIDO_2_1 claimed but pinUvAuthProtocols lacks 2'] },
  },
  'no PIN and no token offered, pinUvAuthProtocols absent': {
    info: (info) => {
      withOptions({ clientPin: undefined, pinUvAuthToken: false })(info);
      info.delete(M.pinUvAuthProtocols);
    },
    expect: { 'INFO-PROTOCOLS-001': ['pass'], 'INFO-PROTOCOLS-002': ['fail', TOKEN_NOT_TRUE] },
  },
  'clientPin offered (no token option), pinUvAuthProtocols absent': {
    info: (info) => {
      withOptions({ clientPin: false, pinUvAuthToken: undefined })(info);
      info.delete(M.pinUvAuthProtocols);
    },
    expect: { 'INFO-PROTOCOLS-001': ['fail', PROTOCOLS_MISSING] },
  },
  'pinUvAuthToken offered (no clientPin), pinUvAuthProtocols empty': {
    info: (info) => {
      withOptions({ clientPin: undefined, pinUvAuthToken: true })(info);
      info.set(M.pinUvAuthProtocols, []);
    },
    expect: { 'INFO-PROTOCOLS-001': ['fail', PROTOCOLS_MISSING], 'INFO-PROTOCOLS-002': ['fail', 'FIDO_2_1 claimed but pinUvAuthProtocols lacks 2'] },
  },
  'a PIN/UV auth protocol listed twice': {
    info: set([M.pinUvAuthProtocols, [2, 2]]),
    expect: { 'INFO-PROTOCOLS-001': ['fail', 'pinUvAuthProtocols has duplicates: [2,2]'] },
  },
  'a PIN/UV auth protocol that does not exist': {
    info: set([M.pinUvAuthProtocols, [2, 3]]),
    expect: { 'INFO-PROTOCOLS-001': ['fail', 'unknown PIN/UV auth protocol in [2,3]'], 'INFO-TYPES-001': ['pass'], 'INFO-PROTOCOLS-002': ['pass'] },
  },
  'a FIDO_2_1 key with protocol one only': {
    info: set([M.pinUvAuthProtocols, [1]]),
    expect: { 'INFO-PROTOCOLS-001': ['pass'], 'INFO-PROTOCOLS-002': ['fail', 'FIDO_2_1 claimed but pinUvAuthProtocols lacks 2'] },
  },
  'a FIDO_2_1 key without pinUvAuthToken': {
    info: withOptions({ pinUvAuthToken: false }),
    expect: { 'INFO-PROTOCOLS-001': ['pass'], 'INFO-PROTOCOLS-002': ['fail', TOKEN_NOT_TRUE] },
  },
  'a CTAP 2.0 key without pinUvAuthToken': {
    info: (info) => {
      info.set(M.versions, ['U2F_V2', 'FIDO_2_0']);
      withOptions({ pinUvAuthToken: undefined })(info);
    },
    expect: { 'INFO-PROTOCOLS-002': ['skip', FIDO_2_1_ONLY], 'INFO-VERSIONS-001': ['pass'] },
  },
  'algorithms without ES256': {
    info: set([M.algorithms, [alg(-8), alg(-7, 'not-a-key')]]),
    expect: { 'INFO-ALGORITHMS-001': ['fail', 'algorithms [{"alg":-8,"type":"public-key"},{"alg":-7,"type":"not-a-key"}] lacks ES256 (-7)'], 'INFO-TYPES-001': ['pass'] },
  },
  'limits below the minimums': {
    info: set([M.maxMsgSize, 1023], [M.maxCredentialCountInList, 0], [M.maxCredentialIdLength, 15]),
    expect: { 'INFO-LIMITS-001': ['fail', 'maxMsgSize 1023 is below 1024'] },
  },
  'maxCredentialCountInList 0': {
    info: set([M.maxCredentialCountInList, 0]),
    expect: { 'INFO-LIMITS-001': ['fail', 'maxCredentialCountInList is 0'] },
  },
  'maxCredentialIdLength 15': {
    info: set([M.maxCredentialIdLength, 15]),
    expect: { 'INFO-LIMITS-001': ['fail', 'maxCredentialIdLength 15 is below 16'] },
  },
  'limits exactly at the minimums': {
    info: set([M.maxMsgSize, 1024], [M.maxCredentialCountInList, 1], [M.maxCredentialIdLength, 16], [M.minPINLength, 4]),
    expect: { 'INFO-LIMITS-001': ['pass'], 'INFO-MINPIN-001': ['pass'] },
  },
  'maxMsgSize absent, the others too small': {
    info: set([M.maxMsgSize, undefined], [M.maxCredentialIdLength, 15]),
    expect: { 'INFO-LIMITS-001': ['fail', 'maxCredentialIdLength 15 is below 16'] },
  },
  'minPINLength 3': {
    info: set([M.minPINLength, 3]),
    expect: { 'INFO-MINPIN-001': ['fail', 'minPINLength 3 is below 4'] },
  },
  'over USB HID, transports without usb': {
    kind: 'hid',
    info: set([M.transports, ['nfc']]),
    expect: { 'INFO-TRANSPORTS-001': ['fail', 'transports ["nfc"] lacks usb, the transport it was reached over'] },
  },
  'over NFC, transports without nfc': {
    kind: 'nfc',
    info: set([M.transports, ['usb']]),
    expect: { 'INFO-TRANSPORTS-001': ['fail', 'transports ["usb"] lacks nfc, the transport it was reached over'] },
  },
  'over USB HID, transports absent': {
    kind: 'hid',
    info: set([M.transports, undefined]),
    expect: { 'INFO-TRANSPORTS-001': ['warn', 'transports absent'] },
  },
  'over USB HID, transports usb': { kind: 'hid', info: set([M.transports, ['usb']]), expect: { 'INFO-TRANSPORTS-001': ['pass'] } },
  'over NFC, transports nfc': { kind: 'nfc', info: set([M.transports, ['nfc']]), expect: { 'INFO-TRANSPORTS-001': ['pass'] } },
  'over UDP': { kind: 'udp', expect: { 'INFO-TRANSPORTS-001': ['skip', 'device reached over udp, neither USB nor NFC'] } },
  'a device wedged by a getInfo with parameters': {
    fault: wedgedByParameters,
    checks: ['INFO-NOPARAMS-001'],
    expect: { 'INFO-NOPARAMS-001': ['fail', 'getInfo failed after a parameterised getInfo (status 127)'] },
  },
};

describe('getinfo suite (CTAP 2.1 §6.4)', () => {
  it('should fail INFO-AAGUID-001 on the all-zero aaguid (zero-aaguid), showing it', async () => {
    const results = await runAgainst({ checks: ['INFO-AAGUID-001'], quirks: ['zero-aaguid'], evidence: true });
    expect(results.get('INFO-AAGUID-001')).toEqual({ status: 'fail', message: 'aaguid is all zeros: relying parties and MDS cannot identify the model', actual: '0'.repeat(32) });
  });

  it('should pass every check on the clean simulator (over USB HID: transports lists usb)', async () => {
    const results = await runAgainst({ suites: ['getinfo'], kind: 'hid' });
    expectEveryCheckPasses(results, getInfoChecks.map((c) => c.id));
  });

  it('should pass, warn or skip on the least getInfo the spec allows (versions and aaguid), without an error', async () => {
    const results = await runAgainst({
      suites: ['getinfo'],
      kind: 'hid',
      fault: rewriteResponse(GET_INFO, (info) => {
        for (const k of [...info.keys()]) if (k !== M.versions && k !== M.aaguid) info.delete(k);
      }),
    });
    expect(outcomes(results)).toEqual({
      'INFO-VERSIONS-001': 'pass: as specified',
      'INFO-VERSIONS-002': 'pass: as specified',
      'INFO-AAGUID-001': 'pass: as specified',
      'INFO-AAGUID-002': 'pass: as specified',
      'INFO-ENCODING-001': 'pass: as specified',
      'INFO-TYPES-001': 'pass: as specified',
      'INFO-OPTIONS-001': 'pass: as specified',
      'INFO-OPTIONS-002': 'pass: as specified',
      'INFO-EXTENSIONS-001': 'pass: as specified',
      'INFO-PROTOCOLS-001': 'pass: as specified',
      'INFO-PROTOCOLS-002': `fail: ${TOKEN_NOT_TRUE}`,
      'INFO-ALGORITHMS-001': 'warn: algorithms is absent: the platform must guess (CTAP 2.1 says ES256 is then assumed)',
      'INFO-LIMITS-001': 'warn: maxMsgSize absent: platforms assume 1024 bytes',
      'INFO-TRANSPORTS-001': 'warn: transports absent',
      'INFO-MINPIN-001': 'skip: minPINLength not reported',
      'INFO-FIRMWARE-001': 'warn: firmwareVersion absent: MDS entries cannot be matched to firmware',
      'INFO-NOPARAMS-001': 'pass: as specified',
    });
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`should judge ${Object.keys(c.expect).join(', ')} on ${name}`, async () => {
      const fault = c.fault?.() ?? (c.info ? rewriteResponse(GET_INFO, c.info) : undefined);
      const results = await runAgainst({
        ...(c.checks ? { checks: c.checks } : { suites: ['getinfo'] }),
        ...(fault ? { fault } : {}),
        ...(c.quirks ? { quirks: c.quirks } : {}),
        ...(c.kind ? { kind: c.kind } : {}),
      });
      expectOutcomes(results, c.expect);
    });
  }

  it('should show every getinfo check failing or warning on some case', () => {
    const shown = new Set(Object.values(CASES).flatMap((c) => Object.entries(c.expect).filter(([, [s]]) => s === 'fail').map(([id]) => id)));
    const warnOnly = ['INFO-OPTIONS-002', 'INFO-FIRMWARE-001'];
    expect(getInfoChecks.map((c) => c.id).filter((id) => !shown.has(id) && !warnOnly.includes(id))).toEqual([]);
  });
});
