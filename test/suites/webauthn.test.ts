import { describe, expect, it } from 'vitest';
import { Authenticator } from '../../authenticator-sim/index.ts';
import { Ctap2, DirectAuthenticatorChannel } from '../../harness/ctap/index.ts';
import type { CborMap } from '../../harness/protocol/index.ts';
import { CheckFailed } from '../../harness/runner/Check.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { ceremonies, discoverableSignIn, register, type Ceremonies } from '../../harness/suites/webauthn/ceremonies.ts';
import { webauthnChecks } from '../../harness/suites/webauthn/webauthnChecks.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';
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

  it('should make the plain account without UV, not discoverable, offering every algorithm; the Entra accounts with UV, rk and ES256 alone; each named by the relying party', async () => {
    const made: CborMap[] = [];
    const record: Fault = async (cmd, p, next) => {
      if (cmd === MAKE_CREDENTIAL && p) made.push(p);
      return next(p);
    };
    expectEveryCheckPasses(await runAgainst({ suites: ['webauthn'], fault: record }), ALL);
    const algs = (p: CborMap) => (p.get(0x04) as Map<string, unknown>[]).map((a) => a.get('alg'));
    const rk = (p: CborMap) => (p.get(0x07) as Map<string, boolean> | undefined)?.get('rk') === true;
    // the plain account (WEBAUTHN-REG-001, COUNTER-001) and Entra's two (ENTRA-001, the second account of ENTRA-003)
    expect(made.map((p) => (rk(p) ? 'entra' : 'plain')).sort()).toEqual(['entra', 'entra', 'plain']);
    for (const p of made) {
      expect((p.get(0x02) as Map<string, string>).get('name')).toBe('fido-harness webauthn suite');
      expect((p.get(0x02) as Map<string, string>).get('id')).toMatch(new RegExp(`^${RP}$`));
      if (rk(p)) {
        expect(algs(p)).toEqual([-7]);
        expect(p.has(0x08)).toBe(true);
      } else {
        expect(algs(p)).toContain(-7);
        expect(algs(p).length).toBeGreaterThan(1);
        expect(p.has(0x08)).toBe(false);
      }
    }
  });

  it('should make the plain account without UV also on a key whose PIN was set before the run (the RP asks UV "discouraged")', async () => {
    const made: CborMap[] = [];
    const record: Fault = async (cmd, p, next) => {
      if (cmd === MAKE_CREDENTIAL && p) made.push(p);
      return next(p);
    };
    const results = await runAgainst({ checks: ['WEBAUTHN-REG-001'], fault: record, pin: 'set' });
    expect(outcomes(results, ['WEBAUTHN-REG-001'])).toEqual(['WEBAUTHN-REG-001 pass: as specified']);
    expect(made).toHaveLength(1);
    expect(made[0]!.has(0x08)).toBe(false);
    expect((made[0]!.get(0x07) as Map<string, boolean> | undefined)?.get('rk')).not.toBe(true);
  });

  it("should fail the Entra sign-ins at the relying party when the key signs a discoverable sign-in without UV (the RP was told UV is required)", async () => {
    // the client's PIN token is dropped on the way: the key signs with UV clear (CTAP 2.1 §6.2.2 step 6)
    const noUv = rewriteRequest(GET_ASSERTION, (p) => {
      if (p.has(0x03)) return;
      p.delete(0x06);
      p.delete(0x07);
    });
    const results = await runAgainst({ suites: ['webauthn'], checks: ENTRA, fault: noUv });
    expect(outcomes(results, ENTRA)).toEqual([
      'WEBAUTHN-ENTRA-001 pass: as specified',
      'WEBAUTHN-ENTRA-002 fail: the relying party refused /verify: HTTP 400 user verification was required but the authData UV flag is not set',
      'WEBAUTHN-ENTRA-003 fail: the relying party refused /verify: HTTP 400 user verification was required but the authData UV flag is not set',
    ]);
  });

  describe('the ceremonies against a relying party that answers otherwise', () => {
    /** ceremonies over a fresh simulator (no PIN), as a check gets them from its context */
    async function simCeremonies(): Promise<Ceremonies> {
      const sim = await Authenticator.create({ attestationMaterial: await sharedAttestationMaterial() });
      const ctap2 = await Ctap2.open(new DirectAuthenticatorChannel(sim));
      return ceremonies({ options: {}, ctap2, pin: undefined } as unknown as SuiteContext);
    }
    type Seen = { path: string; body: Record<string, unknown>; cookie: string | null };
    /** Every request to the RP is recorded; those whose path ends with `path` get `answer` (status, JSON, headers) instead. */
    function intercept(c: Ceremonies, path: string, answer: { status: number; json: unknown; headers?: Record<string, string> }): Seen[] {
      const seen: Seen[] = [];
      const real = c.rp.app.request.bind(c.rp.app);
      c.rp.app.request = (async (input: string, init: RequestInit) => {
        seen.push({ path: input, body: JSON.parse(String(init.body)) as Record<string, unknown>, cookie: new Headers(init.headers).get('cookie') });
        if (!input.endsWith(path)) return real(input, init);
        return new Response(JSON.stringify(answer.json), { status: answer.status, headers: { 'content-type': 'application/json', ...answer.headers } });
      }) as typeof c.rp.app.request;
      return seen;
    }
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CheckFailed);
      return err as CheckFailed;
    };

    it('a conformance API answer that is not HTTP 200, or not status "ok", is a refusal with its reason and the answer as evidence', async () => {
      const c = await simCeremonies();
      intercept(c, '/attestation/options', { status: 500, json: { status: 'ok' } });
      expect((await refusal(c.post('/attestation/options', {}))).message).toBe('the relying party refused /attestation/options: HTTP 500 ');
      intercept(c, '/attestation/options', { status: 200, json: { status: 'failed', errorMessage: 'no such user' } });
      const failed = await refusal(c.post('/attestation/options', {}));
      expect(failed.message).toBe('the relying party refused /attestation/options: HTTP 200 no such user');
      expect(failed.evidence).toEqual({ actual: '{"status":"failed","errorMessage":"no such user"}' });
      // a long answer is cut to 2,000 characters of evidence
      intercept(c, '/attestation/options', { status: 400, json: { status: 'failed', errorMessage: 'x'.repeat(3000) } });
      const long = await refusal(c.post('/attestation/options', {}));
      expect(long.evidence!.actual).toBe(`{"status":"failed","errorMessage":"${'x'.repeat(1965)}`);
    });

    it('a discoverable sign-in: the page API refusing (not HTTP 200, or not "ok") fails with its reason', async () => {
      const c = await simCeremonies();
      intercept(c, '/api/authentication/options', { status: 500, json: { status: 'ok' } });
      expect((await refusal(discoverableSignIn(c, 'discouraged'))).message).toBe('the relying party refused /options: HTTP 500 ');
      intercept(c, '/api/authentication/options', { status: 200, json: { status: 'failed', errorMessage: 'busy' } });
      expect((await refusal(discoverableSignIn(c, 'discouraged'))).message).toBe('the relying party refused /options: HTTP 200 busy');
    });

    it('a discoverable sign-in sends /verify with the session cookie /options set, and takes an answer that sets none', async () => {
      const c = await simCeremonies();
      const name = 'rk@fido-harness.test';
      await register(c, name, { residentKey: 'required', userVerification: 'discouraged' }, 'none');
      const seen = intercept(c, '/api/authentication/verify', { status: 200, json: { status: 'ok' } });
      const result = await discoverableSignIn(c, 'discouraged');
      expect(result.responses).toHaveLength(1);
      const [options, verify] = seen;
      expect(options!.path).toBe('/api/authentication/options');
      expect(options!.body).toEqual({ userVerification: 'discouraged' });
      expect(verify!.path).toBe('/api/authentication/verify');
      expect(verify!.cookie).toMatch(/^[^;=]+=[^;]+$/);
      expect(verify!.body).toMatchObject({ ceremonyId: expect.any(String), response: { id: result.credential.id } });
    });
  });
});
