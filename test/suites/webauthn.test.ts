import { describe, expect, it } from 'vitest';
import { webauthnChecks } from '../../harness/suites/webauthn/webauthnChecks.ts';
import { expectEveryCheckPasses, rewriteRequest, rewriteResponse, runAgainst, type CheckOutcome, type Fault } from './faultyDevice.ts';

const [MAKE_CREDENTIAL, GET_ASSERTION, GET_INFO] = [0x01, 0x02, 0x04];
const ALL = webauthnChecks.map((c) => c.id);
const ENTRA = ['WEBAUTHN-ENTRA-001', 'WEBAUTHN-ENTRA-002', 'WEBAUTHN-ENTRA-003'];
/** the relying party each ceremony runs at: an RP ID of its own under the suite's domain */
const RP = String.raw`[0-9a-f]{12}\.webauthn\.fido-harness\.test`;

const outcomes = (results: Map<string, CheckOutcome>, ids: readonly string[]) => ids.map((id) => `${id} ${results.get(id)?.status}: ${results.get(id)?.message}`);

/** Each id's outcome is `status` with a message matching `message`. */
function expectAll(results: Map<string, CheckOutcome>, ids: readonly string[], status: string, message: RegExp): void {
  for (const line of outcomes(results, ids)) expect(line).toMatch(new RegExp(`^\\S+ ${status}: ${message.source}`));
}

describe('webauthn suite (WebAuthn L3 §7.1, §7.2 against the relying party)', () => {
  it('should pass every check on the clean simulator', async () => {
    expectEveryCheckPasses(await runAgainst({ suites: ['webauthn'] }), ALL);
  });

  it('should pass every check on a key that keeps no signature counter (0 throughout, WebAuthn L3 §6.1.1)', async () => {
    expectEveryCheckPasses(await runAgainst({ suites: ['webauthn'], behaviour: { nextSignCount: () => 0 } }), ALL);
  });

  it('should fail every check, with the relying party reason, when the key hashes the wrong RP ID (wrong-rpid-hash)', async () => {
    const results = await runAgainst({ suites: ['webauthn'], quirks: ['wrong-rpid-hash'] });
    expectAll(results, ['WEBAUTHN-REG-001', 'WEBAUTHN-COUNTER-001'], 'fail', new RegExp(`making the pool credential "webauthnAccount": the relying party refused /attestation/result: HTTP 400 authData\\.rpIdHash is not SHA-256\\("${RP}"\\)$`));
    expectAll(results, ENTRA, 'fail', new RegExp(`making the pool credential "entraAccount": the relying party refused /attestation/result: HTTP 400 authData\\.rpIdHash is not SHA-256\\("${RP}"\\)$`));
  });

  it("should show the relying party's answer as what it saw", async () => {
    const results = await runAgainst({ checks: ['WEBAUTHN-REG-001'], quirks: ['wrong-rpid-hash'], evidence: true });
    const answer = JSON.parse(results.get('WEBAUTHN-REG-001')!.actual!) as Record<string, string>;
    expect(answer).toEqual({ status: 'failed', errorMessage: expect.stringMatching(new RegExp(`^authData\\.rpIdHash is not SHA-256\\("${RP}"\\)$`)) });
  });

  it('should fail the sign-ins when the signature counter never rises (counter-stuck)', async () => {
    const results = await runAgainst({ suites: ['webauthn'], quirks: ['counter-stuck'] });
    expectAll(results, ['WEBAUTHN-REG-001', 'WEBAUTHN-COUNTER-001'], 'fail', /making the pool credential "webauthnAccount": the relying party refused \/assertion\/result: HTTP 400 signature counter 1 is not greater than the stored 1/);
    expectAll(results, ['WEBAUTHN-ENTRA-002'], 'fail', /the relying party refused \/verify: HTTP 400 signature counter 1 is not greater than the stored 1/);
    expectAll(results, ['WEBAUTHN-ENTRA-003'], 'fail', /the relying party refused \/assertion\/result: HTTP 400 signature counter/);
    expect(results.get('WEBAUTHN-ENTRA-001')!.status).toBe('pass');
  });

  it('should fail the sign-ins when assertion signatures do not verify (bad-assertion-signature)', async () => {
    const results = await runAgainst({ suites: ['webauthn'], quirks: ['bad-assertion-signature'] });
    expectAll(results, ['WEBAUTHN-REG-001'], 'fail', /making the pool credential "webauthnAccount": the relying party refused \/assertion\/result: HTTP 400 assertion signature not verified$/);
    expectAll(results, ['WEBAUTHN-ENTRA-002'], 'fail', /the relying party refused \/verify: HTTP 400 assertion signature not verified$/);
  });

  it('should fail the Entra registration when the attestation signature does not verify (bad-attestation-signature)', async () => {
    const results = await runAgainst({ suites: ['webauthn'], quirks: ['bad-attestation-signature'], checks: ['WEBAUTHN-ENTRA-001'] });
    expectAll(results, ['WEBAUTHN-ENTRA-001'], 'fail', /making the pool credential "entraAccount": the relying party refused \/attestation\/result: HTTP 400 attestation not verified: ATT_SIGNATURE_INVALID/);
  });

  it('should fail WEBAUTHN-ENTRA-001 when direct attestation is answered with "none"', async () => {
    const fault = rewriteResponse(MAKE_CREDENTIAL, (b) => {
      b.set(0x01, 'none');
      b.set(0x03, new Map());
    });
    const results = await runAgainst({ suites: ['webauthn'], fault });
    expect(outcomes(results, ENTRA)).toEqual(['WEBAUTHN-ENTRA-001 fail: direct attestation was asked for but "none" came back', 'WEBAUTHN-ENTRA-002 pass: as specified', 'WEBAUTHN-ENTRA-003 pass: as specified']);
  });

  it("should fail WEBAUTHN-ENTRA-001 when the key makes an EdDSA credential for Entra's ES256-only request", async () => {
    const eddsaOnly = rewriteRequest(MAKE_CREDENTIAL, (p) => p.set(0x04, [new Map<string, string | number>([['type', 'public-key'], ['alg', -8]])]));
    const results = await runAgainst({ suites: ['webauthn'], checks: ['WEBAUTHN-ENTRA-001'], fault: eddsaOnly });
    expect(outcomes(results, ['WEBAUTHN-ENTRA-001'])).toEqual(['WEBAUTHN-ENTRA-001 fail: the credential is not ES256']);
  });

  it("should pass WEBAUTHN-ENTRA-001 on a key that prefers EdDSA where offered: Entra's request offers ES256 alone", async () => {
    const prefersEdDsa = rewriteRequest(MAKE_CREDENTIAL, (p) => {
      const params = p.get(0x04) as Map<string, unknown>[];
      p.set(0x04, [...params].sort((a, b) => (a.get('alg') === -8 ? -1 : b.get('alg') === -8 ? 1 : 0)) as never);
    });
    const results = await runAgainst({ suites: ['webauthn'], fault: prefersEdDsa });
    expect(outcomes(results, ['WEBAUTHN-ENTRA-001', 'WEBAUTHN-REG-001'])).toEqual(['WEBAUTHN-ENTRA-001 pass: as specified', 'WEBAUTHN-REG-001 pass: as specified']);
  });

  it('should fail WEBAUTHN-ENTRA-003 when the key reports one credential for an RP that holds two (numberOfCredentials left out)', async () => {
    const results = await runAgainst({ suites: ['webauthn'], checks: ['WEBAUTHN-ENTRA-003'], fault: rewriteResponse(GET_ASSERTION, (b) => b.delete(0x05)) });
    expect(outcomes(results, ['WEBAUTHN-ENTRA-003'])).toEqual(['WEBAUTHN-ENTRA-003 fail: discoverable sign-in offered 1 account(s), expected 2']);
  });

  it('should fail the discoverable sign-ins when the key ignores rk (CTAP 2.1 §6.2.2 step 7)', async () => {
    const ignoreRk = rewriteRequest(MAKE_CREDENTIAL, (p) => {
      const options = new Map(p.get(0x07) as Map<string, boolean>);
      options.delete('rk');
      p.set(0x07, options);
    });
    const results = await runAgainst({ suites: ['webauthn'], fault: ignoreRk });
    expect(outcomes(results, ENTRA)).toEqual([
      'WEBAUTHN-ENTRA-001 pass: as specified',
      'WEBAUTHN-ENTRA-002 fail: the key, asked for a discoverable sign-in, answered 0x2e CTAP2_ERR_NO_CREDENTIALS',
      'WEBAUTHN-ENTRA-003 fail: the key, asked for a discoverable sign-in, answered 0x2e CTAP2_ERR_NO_CREDENTIALS',
    ]);
  });

  it('should fail the sign-ins when the key refuses a credential it made (CTAP2_ERR_NO_CREDENTIALS)', async () => {
    const forgets: Fault = async (cmd, p, next) => (cmd === GET_ASSERTION ? { status: 0x2e } : next(p));
    const results = await runAgainst({ suites: ['webauthn'], fault: forgets });
    expectAll(results, ['WEBAUTHN-REG-001', 'WEBAUTHN-COUNTER-001'], 'fail', /making the pool credential "webauthnAccount": the key, asked to sign in, answered 0x2e CTAP2_ERR_NO_CREDENTIALS$/);
  });

  it('should fail the registrations when the key refuses to make a credential', async () => {
    const results = await runAgainst({ suites: ['webauthn'], fault: async (cmd, p, next) => (cmd === MAKE_CREDENTIAL ? { status: 0x26 } : next(p)) });
    expectAll(results, ['WEBAUTHN-REG-001'], 'fail', /making the pool credential "webauthnAccount": the key, asked to register, answered 0x26 CTAP2_ERR_UNSUPPORTED_ALGORITHM$/);
    expectAll(results, ENTRA, 'fail', /making the pool credential "entraAccount": the key, asked to register, answered 0x26 CTAP2_ERR_UNSUPPORTED_ALGORITHM$/);
  });

  it('should skip the Entra checks, with the reason, on a key without discoverable credentials or without a PIN', async () => {
    const noRk = await runAgainst({ suites: ['webauthn'], quirks: ['no-resident-keys'] });
    expectAll(noRk, ENTRA, 'skip', /discoverable credentials not offered \(rk\)$/);
    const noPin = await runAgainst({
      suites: ['webauthn'],
      fault: rewriteResponse(GET_INFO, (info) => {
        const o = new Map(info.get(0x04) as Map<string, boolean>);
        o.delete('clientPin');
        info.set(0x04, o);
      }),
    });
    expectAll(noPin, ENTRA, 'skip', /the ceremonies verify the user with a PIN, and the key has no clientPin$/);
    expectAll(noPin, ['WEBAUTHN-REG-001', 'WEBAUTHN-COUNTER-001'], 'pass', /as specified$/);
  });

  it('should skip the checks of a registration without user verification when alwaysUv is on', async () => {
    const results = await runAgainst({
      suites: ['webauthn'],
      checks: ['WEBAUTHN-REG-001', 'WEBAUTHN-COUNTER-001'],
      fault: rewriteResponse(GET_INFO, (info) => info.set(0x04, new Map([...(info.get(0x04) as Map<string, boolean>), ['alwaysUv', true]]))),
    });
    expectAll(results, ['WEBAUTHN-REG-001', 'WEBAUTHN-COUNTER-001'], 'skip', /alwaysUv is on/);
  });
});
