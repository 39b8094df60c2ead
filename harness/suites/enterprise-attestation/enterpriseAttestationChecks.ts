import { CtapRequest } from '../../ctap/index.ts';
import { CtapStatus } from '../../protocol/index.ts';
import { attestationFalseness } from '../attestationFalseness.ts';
import { CheckSkipped } from '../../runner/Check.ts';
import { acfgToken, configCall, ConfigSubCommand, needsAuthnrCfg } from '../config/configOps.ts';
import { ensure, expectStatus } from '../expect.ts';
import { needsClientPin } from '../needs.ts';
import { makeCredentialUv, mcUvRequest } from '../ops.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'enterprise-attestation';

/** Enterprise attestation capable (getInfo ep present, CTAP 2.1 §6.4) and configurable (§6.11.1). */
const needsEp = (ctx: SuiteContext): string | undefined =>
  (ctx.info.options?.ep === undefined ? 'ep option absent: the key has no enterprise attestation' : undefined) ?? needsAuthnrCfg(ctx) ?? needsClientPin()(ctx);

/**
 * Enabling EA is undone only by authenticatorReset (a touch and, on a real key, a replug: CTAP 2.1 §6.6):
 * the checks share one enabling and leave it on; nothing after them depends on ep being off (the reset
 * area that ends the run wipes the key anyway).
 */
const base = { suite, destructive: true, needs: { pin: 'set' as const }, requires: needsEp };

/** enableEnterpriseAttestation (CTAP 2.1 §6.11.1) with an acfg token, unless getInfo says it is on; then `body`. */
async function withEnterpriseAttestation<T>(ctx: SuiteContext, signal: AbortSignal, body: () => Promise<T>): Promise<T> {
  if ((await ctx.refreshInfo()).options?.ep !== true) {
    expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.enableEnterpriseAttestation, undefined, signal), CtapStatus.CTAP2_OK, 'enableEnterpriseAttestation');
  }
  return body();
}

/**
 * Enterprise attestation (CTAP 2.1 §7.1, §6.1.2 step 9, §6.11.1): off until enabled; once on, value 2
 * (platform-managed) is answered with epAtt, value 1 (vendor-facilitated) only for the RP IDs the vendor
 * pre-configured, never for any other RP, and a request without it is a regular attestation.
 */
export const enterpriseAttestationChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'EA-VALUE-001',
    title: 'with enterprise attestation enabled, an enterpriseAttestation value other than 1 or 2 answers CTAP2_ERR_INVALID_OPTION',
    specRef: 'CTAP 2.1 §6.1.2 step 9.2',
    // refused before any touch (§6.1.2 step 9.2)
    touches: 0,
    async run(ctx, signal) {
      await withEnterpriseAttestation(ctx, signal, async () => {
        const r = await ctx.request(CtapRequest.makeCredential, await mcUvRequest(ctx, ctx.rpIdFor('EA-VALUE-001'), { enterpriseAttestation: 3 }, signal), signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_INVALID_OPTION, 'makeCredential with enterpriseAttestation 3');
      });
    },
  },
  {
    ...base,
    id: 'EA-PLATFORM-001',
    title: 'enterpriseAttestation 2 (platform-managed) is answered with epAtt true and an attestation that verifies',
    specRef: 'CTAP 2.1 §6.1.2 step 9.4 (epAtt), §7.1 platform-managed enterprise attestation',
    touches: 1,
    async run(ctx, signal) {
      await withEnterpriseAttestation(ctx, signal, async () => {
        const made = await makeCredentialUv(ctx, ctx.rpIdFor('EA-PLATFORM-001'), { enterpriseAttestation: 2 }, signal);
        ensure(made.response.epAtt === true, `epAtt is ${String(made.response.epAtt)} for enterpriseAttestation 2`);
        ensure(made.response.fmt !== 'none', 'the enterprise attestation has format none');
        const falseness = await attestationFalseness(ctx, made);
        ensure(falseness === undefined, `the enterprise attestation does not verify: ${falseness}`);
      });
    },
  },
  {
    ...base,
    id: 'EA-VENDOR-001',
    title: 'enterpriseAttestation 1 (vendor-facilitated) for an RP ID that is not pre-configured gets no enterprise attestation (no epAtt)',
    specRef: 'CTAP 2.1 §6.1.2 step 9.3, §7.1 (vendor-facilitated: pre-configured RP IDs only)',
    touches: 1,
    async run(ctx, signal) {
      await withEnterpriseAttestation(ctx, signal, async () => {
        // An RP ID of this run, so no vendor can have listed it.
        const rpId = `unlisted-${Date.now().toString(36)}.${ctx.rpIdFor('EA-VENDOR-001')}`;
        const made = await makeCredentialUv(ctx, rpId, { enterpriseAttestation: 1 }, signal);
        ensure(made.response.epAtt !== true, `an RP that is not pre-configured (${rpId}) got epAtt true with enterpriseAttestation 1`);
      });
    },
  },
  {
    ...base,
    id: 'EA-VENDOR-002',
    title: 'enterpriseAttestation 1 for a pre-configured RP ID is answered with epAtt true',
    specRef: 'CTAP 2.1 §6.1.2 step 9.3, §7.1 vendor-facilitated enterprise attestation',
    // skipped when the key's pre-configured RP IDs are not known
    touches: (ctx) => (ctx.options.enterpriseRpIds?.length ? 1 : 0),
    async run(ctx, signal) {
      const rpId = ctx.options.enterpriseRpIds?.[0];
      if (!rpId) throw new CheckSkipped("the key's pre-configured enterprise RP IDs are not known to the harness (the simulator's are)");
      await withEnterpriseAttestation(ctx, signal, async () => {
        const made = await makeCredentialUv(ctx, rpId, { enterpriseAttestation: 1 }, signal);
        ensure(made.response.epAtt === true, `epAtt is ${String(made.response.epAtt)} for the pre-configured RP ${rpId}`);
      });
    },
  },
  {
    ...base,
    id: 'EA-REGULAR-001',
    title: 'with enterprise attestation enabled, makeCredential without enterpriseAttestation has no epAtt',
    specRef: 'CTAP 2.1 §6.1.2 step 9 (only a request with enterpriseAttestation gets one), §7.1',
    touches: 1,
    async run(ctx, signal) {
      await withEnterpriseAttestation(ctx, signal, async () => {
        const rpId = ctx.options.enterpriseRpIds?.[0] ?? ctx.rpIdFor('EA-REGULAR-001');
        const made = await makeCredentialUv(ctx, rpId, {}, signal);
        ensure(made.response.epAtt !== true, `epAtt true for ${rpId} although the request did not ask for enterprise attestation`);
      });
    },
  },
];
