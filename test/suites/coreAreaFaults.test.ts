import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../harness/suites/index.ts';
import { QUIRK_CATCHES } from '../../harness/suites/quirkCatches.ts';
import { failed, rewriteResponse, runAgainst, tamperAuthData, type Fault } from './faultyDevice.ts';

/** Every error status of `command` answered as CTAP1_ERR_OTHER: the device refuses, but with the wrong code. */
const wrongErrorStatus =
  (command: number): Fault =>
  async (cmd, params, next) => {
    const a = await next(params);
    return cmd === command && a.status !== 0 ? { status: 0x7f } : a;
  };

/** Changes the packed attestation statement (makeCredential response member 0x03). */
const tamperAttStmt = (change: (attStmt: Map<unknown, unknown>) => void): Fault =>
  rewriteResponse(0x01, (body) => {
    const attStmt = new Map(body.get(0x03) as Map<unknown, unknown>);
    change(attStmt);
    body.set(0x03, attStmt as never);
  });

const FLAGS = 32; // authenticatorData: rpIdHash (32 bytes), then flags (WebAuthn L3 §6.1)
const AAGUID = 37; // rpIdHash, flags, signCount (4), then the AAGUID of attested credential data

interface Tamper {
  suite: string;
  fault: Fault;
  quirks?: string[];
  /** the checks this fault must fail */
  fails: string[];
}

/**
 * Device bugs no simulator quirk makes, made by a fault between the harness and the simulator: each check of
 * the make-credential, get-assertion and attestation areas is shown failing on a device that breaks its rule
 * (with the quirk matrix, harness/suites/quirkCatches.ts, for the rest).
 */
const TAMPERS: Record<string, Tamper> = {
  'makeCredential refuses with the wrong status': {
    suite: 'make-credential',
    fault: wrongErrorStatus(0x01),
    // rk not offered, so MC-OPTION-004 (rk refused with CTAP2_ERR_UNSUPPORTED_OPTION) runs
    quirks: ['no-resident-keys'],
    fails: ['MC-ALG-002', 'MC-ALG-003', 'MC-CBOR-002', 'MC-CBOR-003', 'MC-CBOR-004', 'MC-EP-001', 'MC-EXCLUDE-001', 'MC-OPTION-001', 'MC-OPTION-002', 'MC-OPTION-004', 'MC-PINAUTH-001', 'MC-PINAUTH-002', 'MC-PINAUTH-003', 'MC-PINAUTH-004', ...Array.from({ length: 17 }, (_, i) => `MC-PARAM-${String(i + 1).padStart(3, '0')}`)],
  },
  'makeCredential clears UP': { suite: 'make-credential', fault: tamperAuthData(0x01, (d) => void (d[FLAGS]! &= ~0x01)), fails: ['MC-FLAGS-001'] },
  'makeCredential clears AT (no attested credential data flag)': {
    suite: 'make-credential',
    fault: tamperAuthData(0x01, (d) => void (d[FLAGS]! &= ~0x40)),
    fails: ['MC-ALG-001', 'MC-ALG-004', 'MC-BASIC-001', 'MC-COSE-001', 'MC-EXCLUDE-002', 'MC-EXCLUDE-003', 'MC-OPTION-003', 'MC-USERID-001'],
  },
  'getAssertion refuses with the wrong status': {
    suite: 'get-assertion',
    fault: wrongErrorStatus(0x02),
    fails: ['GA-CBOR-002', 'GA-NOCRED-001', 'GA-NOCRED-002', 'GA-NOCRED-003', 'GA-OPTION-001', 'GA-OPTION-002', ...Array.from({ length: 8 }, (_, i) => `GA-PARAM-00${i + 1}`)],
  },
  'getAssertion clears UP': { suite: 'get-assertion', fault: tamperAuthData(0x02, (d) => void (d[FLAGS]! &= ~0x01)), fails: ['GA-FLAGS-001'] },
  'getAssertion names another credential': {
    suite: 'get-assertion',
    fault: rewriteResponse(0x02, (b) => b.set(0x01, new Map<string, unknown>([['type', 'public-key'], ['id', new Uint8Array(16).fill(9)]]) as never)),
    fails: ['GA-ALLOWLIST-001', 'GA-ALLOWLIST-002', 'GA-CREDENTIAL-001'],
  },
  'getNextAssertion refuses with the wrong status': { suite: 'get-assertion', fault: wrongErrorStatus(0x08), fails: ['GA-NEXT-001', 'GA-NEXT-002'] },
  'authenticatorSelection denied': { suite: 'get-assertion', fault: async (cmd, p, next) => (cmd === 0x0b ? { status: 0x27 } : next(p)), fails: ['GA-SELECTION-001'] },
  'attestation in an unknown format': { suite: 'attestation', fault: rewriteResponse(0x01, (b) => b.set(0x01, 'mystery')), fails: ['ATT-FORMAT-001'] },
  'attested AAGUID changed': { suite: 'attestation', fault: tamperAuthData(0x01, (d) => void (d[AAGUID]! ^= 0xff)), fails: ['ATT-AAGUID-001', 'ATT-CERT-001', 'ATT-PACKED-001'] },
  'x5c: the leaf as its own issuer (not a CA)': {
    suite: 'attestation',
    fault: tamperAttStmt((s) => {
      const x5c = s.get('x5c') as Uint8Array[];
      s.set('x5c', [x5c[0]!, x5c[0]!]);
    }),
    fails: ['ATT-CHAIN-001'],
  },
};

describe('make-credential, get-assertion and attestation checks on a tampered device', () => {
  for (const [name, t] of Object.entries(TAMPERS)) {
    it(`should fail ${t.fails.join(', ')} when ${name}`, async () => {
      const results = await runAgainst({ suites: [t.suite], fault: t.fault, ...(t.quirks ? { quirks: t.quirks } : {}) });
      expect(failed(results)).toEqual(expect.arrayContaining(t.fails));
    }, 120_000);
  }

  it('should show every check of the three areas failing, on a quirk or a fault', () => {
    const shown = new Set([...Object.values(QUIRK_CATCHES).flatMap((q) => q.checks), ...Object.values(TAMPERS).flatMap((t) => t.fails)]);
    const areas = new Set(['make-credential', 'get-assertion', 'attestation']);
    expect(ALL_CHECKS.filter((c) => areas.has(c.suite) && !shown.has(c.id as never)).map((c) => c.id)).toEqual([]);
  });
});
