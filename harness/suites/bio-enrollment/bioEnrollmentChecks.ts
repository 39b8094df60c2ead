import {
  BioModality,
  CtapStatus,
  EnrollSampleStatus,
  FingerprintKind,
  formatCtapStatus,
  PinUvAuthPermission,
} from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { needsClientPin, needsPermissionsToken } from '../needs.ts';
import { clientPin, flipFirstBit, pinToken, protocolVersion, requestUvToken } from '../pinOps.ts';
import { makeCredential, mcWithToken } from '../ops.ts';
import { authDataOf } from '../client-pin/tokenChecks.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { beToken, bioCall, enroll, enrollments, fingers, getModality, needsBioEnroll, ok, removeAll, Sub, withEnrollment } from './bioOps.ts';

const suite = 'bio-enrollment';

/**
 * Fingers on a real key's sensor, for the plan: an enrollment takes several samples (maxCaptureSamples-
 * RequiredForEnroll, read only at run time; 5 is assumed) and each UV is one more. The simulator's sensor
 * is scripted by the harness: nobody touches it.
 */
const ENROLL_SAMPLES = 5;
const fingerTouches = (n: number) => (ctx: SuiteContext) => (ctx.device.kind === 'hid' || ctx.device.kind === 'nfc' ? n : 0);
const needsBio = (ctx: SuiteContext) => needsBioEnroll(ctx) ?? needsClientPin()(ctx);
/** Enrollment needs a be token, so a PIN; each check removes what it enrolled. */
/** Fingerprint samples are the sensor's, not user-presence waits: no check of this area asks for a touch. */
const base = { suite, destructive: true, needs: { pin: 'set' as const }, requires: needsBio, touches: 0 };
/**
 * Permissions and UV tokens (getPinUvAuthTokenUsingUvWithPermissions, getUVRetries) exist only on a key
 * with pinUvAuthToken (CTAP 2.1 §6.5.5.7); a FIDO_2_1_PRE bio key (userVerificationMgmtPreview) without it
 * has getPINToken's all-powerful token and neither subcommand.
 */
const tokenBase = { ...base, requires: (ctx: SuiteContext) => needsBio(ctx) ?? needsPermissionsToken(ctx) };
/** A finger the simulator never enrolls. */
const OTHER_FINGER = 'left-little';

/**
 * authenticatorBioEnrollment (CTAP 2.1 §6.7) and built-in user verification by fingerprint
 * (§6.5.5.7.3): modality and sensor info, enrollment with its sample feedback, cancel, enumerate, names,
 * removal, the be permission, and UV by the enrolled finger with uvRetries and the fall back to the PIN.
 */
export const bioEnrollmentChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'BIO-MODALITY-001',
    title: 'getModality answers modality 1 (fingerprint)',
    specRef: 'CTAP 2.1 §6.7 getModality, modality values',
    touches: 0,
    async run(ctx, signal) {
      const r = ok(await getModality(ctx, signal), 'getModality');
      ensure(r.modality === BioModality.fingerprint, `modality is ${String(r.modality)}, expected 1 (fingerprint)`);
    },
  },
  {
    ...base,
    id: 'BIO-SENSOR-001',
    title: 'getFingerprintSensorInfo answers fingerprintKind (touch or swipe) and maxCaptureSamplesRequiredForEnroll',
    specRef: 'CTAP 2.1 §6.7 getFingerprintSensorInfo',
    touches: 0,
    async run(ctx, signal) {
      const r = ok(await bioCall(ctx, Sub.getFingerprintSensorInfo, {}, signal), 'getFingerprintSensorInfo');
      ensure(r.fingerprintKind === FingerprintKind.touch || r.fingerprintKind === FingerprintKind.swipe, `fingerprintKind is ${String(r.fingerprintKind)}, expected 1 or 2`);
      ensure(typeof r.maxCaptureSamplesRequiredForEnroll === 'number' && r.maxCaptureSamplesRequiredForEnroll >= 1, `maxCaptureSamplesRequiredForEnroll is ${String(r.maxCaptureSamplesRequiredForEnroll)}`);
      return { message: `${r.fingerprintKind === 1 ? 'touch' : 'swipe'} sensor, ${r.maxCaptureSamplesRequiredForEnroll} samples per enrollment` };
    },
  },
  {
    ...base,
    id: 'BIO-ENROLL-001',
    title: 'an enrollment completes within maxCaptureSamplesRequiredForEnroll good samples and is listed by enumerateEnrollments',
    specRef: 'CTAP 2.1 §6.7 enrollBegin, enrollCaptureNextSample, enumerateEnrollments',
    touches: fingerTouches(ENROLL_SAMPLES),
    async run(ctx, signal) {
      return withEnrollment(ctx, signal, async (e) => {
        const listed = await enrollments(ctx, signal);
        ensure(listed.has(hex(e.templateId)), `template ${hex(e.templateId)} is not listed by enumerateEnrollments`);
        return { message: `enrolled in ${e.samples} good samples (${e.statuses.length} captures)` };
      });
    },
  },
  {
    ...base,
    id: 'BIO-ENROLL-002',
    title: 'getInfo bioEnroll and uv turn true with the first enrollment and false when it is removed',
    specRef: 'CTAP 2.1 §6.4 options bioEnroll and uv, §6.7',
    touches: fingerTouches(ENROLL_SAMPLES),
    async run(ctx, signal) {
      ensure((await enrollments(ctx, signal)).size === 0, 'the device already has enrollments: cannot observe the first one');
      const before = (await ctx.refreshInfo()).options ?? {};
      // bioEnroll on a CTAP 2.1 device, userVerificationMgmtPreview where only the 2.1 preview is offered.
      const key = 'bioEnroll' in before ? 'bioEnroll' : 'userVerificationMgmtPreview';
      ensure(before[key] === false, `${key} is ${String(before[key])} with no enrollment, expected false`);
      const e = await enroll(ctx, signal);
      let during;
      try {
        during = (await ctx.refreshInfo()).options ?? {};
      } finally {
        await removeAll(ctx, [e.templateId], signal);
      }
      const after = (await ctx.refreshInfo()).options ?? {};
      ensure(during[key] === true, `${key} is ${String(during[key])} after an enrollment, expected true`);
      ensure(during.uv === true, `uv is ${String(during.uv)} after an enrollment (built-in UV is now configured)`);
      ensure(after[key] === false, `${key} is ${String(after[key])} after the only enrollment was removed, expected false`);
      ensure(after.uv !== true, 'uv is still true after the only enrollment was removed');
    },
  },
  {
    ...base,
    id: 'BIO-ENROLL-003',
    title: 'an unusable sample is reported in lastEnrollSampleStatus and does not count toward remainingSamples',
    specRef: 'CTAP 2.1 §6.7 enrollCaptureNextSample (lastEnrollSampleStatus, remainingSamples)',
    touches: 0,
    async run(ctx, signal) {
      const finger = fingers(ctx);
      const token = await beToken(ctx, signal);
      const first = ok(await bioCall(ctx, Sub.enrollBegin, { token }, signal), 'enrollBegin');
      try {
        await finger.present('poor');
        const next = ok(await bioCall(ctx, Sub.enrollCaptureNextSample, { token, params: { templateId: first.templateId! } }, signal), 'enrollCaptureNextSample');
        ensure(next.lastEnrollSampleStatus !== EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_GOOD, 'a poor-quality sample was reported CTAP2_ENROLL_FEEDBACK_FP_GOOD');
        ensure(next.remainingSamples === first.remainingSamples, `remainingSamples went from ${String(first.remainingSamples)} to ${String(next.remainingSamples)} on an unusable sample`);
      } finally {
        await bioCall(ctx, Sub.cancelCurrentEnrollment, {}, signal);
      }
    },
  },
  {
    ...base,
    id: 'BIO-ENROLL-004',
    title: 'no finger before timeoutMilliseconds answers CTAP2_ERR_USER_ACTION_TIMEOUT',
    specRef: 'CTAP 2.1 §6.7 enrollBegin (timeoutMilliseconds), §8.2',
    touches: 0,
    async run(ctx, signal) {
      await fingers(ctx).present('timeout');
      const r = await bioCall(ctx, Sub.enrollBegin, { token: await beToken(ctx, signal), params: { timeoutMilliseconds: 1000 } }, signal);
      await bioCall(ctx, Sub.cancelCurrentEnrollment, {}, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT, 'enrollBegin with no finger on the sensor');
    },
  },
  {
    ...base,
    id: 'BIO-CANCEL-001',
    title: 'cancelCurrentEnrollment ends the enrollment: a further sample for its templateId is refused and nothing is enrolled',
    specRef: 'CTAP 2.1 §6.7 cancelCurrentEnrollment',
    touches: fingerTouches(1),
    async run(ctx, signal) {
      const token = await beToken(ctx, signal);
      const first = ok(await bioCall(ctx, Sub.enrollBegin, { token }, signal), 'enrollBegin');
      expectStatus(await bioCall(ctx, Sub.cancelCurrentEnrollment, {}, signal), CtapStatus.CTAP2_OK, 'cancelCurrentEnrollment');
      const r = await bioCall(ctx, Sub.enrollCaptureNextSample, { token, params: { templateId: first.templateId! } }, signal);
      const listed = await enrollments(ctx, signal);
      if (r.ok && listed.has(hex(first.templateId!))) await removeAll(ctx, [first.templateId!], signal);
      ensure(!r.ok, 'enrollCaptureNextSample after cancelCurrentEnrollment answered CTAP2_OK');
      ensure(!listed.has(hex(first.templateId!)), 'the cancelled enrollment is listed');
    },
  },
  {
    ...base,
    id: 'BIO-NAME-001',
    title: 'setFriendlyName names a template; enumerateEnrollments lists the name',
    specRef: 'CTAP 2.1 §6.7 setFriendlyName, enumerateEnrollments',
    touches: fingerTouches(ENROLL_SAMPLES),
    async run(ctx, signal) {
      await withEnrollment(ctx, signal, async (e) => {
        const name = 'harness finger';
        expectStatus(await bioCall(ctx, Sub.setFriendlyName, { token: await beToken(ctx, signal), params: { templateId: e.templateId, templateFriendlyName: name } }, signal), CtapStatus.CTAP2_OK, 'setFriendlyName');
        const listed = await enrollments(ctx, signal);
        ensure(listed.get(hex(e.templateId)) === name, `listed name is ${JSON.stringify(listed.get(hex(e.templateId)))}, expected ${JSON.stringify(name)}`);
      });
    },
  },
  {
    ...base,
    id: 'BIO-REMOVE-001',
    title: 'removeEnrollment removes the template; an unknown templateId answers CTAP2_ERR_INVALID_OPTION',
    specRef: 'CTAP 2.1 §6.7 removeEnrollment',
    touches: fingerTouches(ENROLL_SAMPLES),
    async run(ctx, signal) {
      const e = await enroll(ctx, signal);
      const token = await beToken(ctx, signal);
      expectStatus(await bioCall(ctx, Sub.removeEnrollment, { token, params: { templateId: e.templateId } }, signal), CtapStatus.CTAP2_OK, 'removeEnrollment');
      ensure(!(await enrollments(ctx, signal)).has(hex(e.templateId)), 'the removed template is still listed');
      expectStatus(
        await bioCall(ctx, Sub.removeEnrollment, { token: await beToken(ctx, signal), params: { templateId: e.templateId } }, signal),
        CtapStatus.CTAP2_ERR_INVALID_OPTION,
        'removeEnrollment of a template that no longer exists',
      );
    },
  },
  {
    ...tokenBase,
    id: 'BIO-PERM-001',
    title: 'enrollBegin with a token lacking the be permission answers CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.7 (pinUvAuthToken must have the be permission), §6.5.5.7 permissions',
    touches: 0,
    async run(ctx, signal) {
      const token = await pinToken(ctx, { permissions: PinUvAuthPermission.mc, rpId: ctx.rpIdFor('BIO-PERM-001') }, signal);
      const r = await bioCall(ctx, Sub.enrollBegin, { token }, signal);
      await bioCall(ctx, Sub.cancelCurrentEnrollment, {}, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'enrollBegin with an mc-only token');
    },
  },
  {
    ...base,
    id: 'BIO-PERM-002',
    title: 'enumerateEnrollments with a pinUvAuthParam that does not verify answers CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.7 (verify pinUvAuthParam)',
    touches: 0,
    async run(ctx, signal) {
      const r = await bioCall(ctx, Sub.enumerateEnrollments, { token: await beToken(ctx, signal), tamper: flipFirstBit }, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'enumerateEnrollments with a flipped pinUvAuthParam');
    },
  },
  {
    ...tokenBase,
    id: 'BIO-UV-001',
    title: 'the enrolled finger gets a token by getPinUvAuthTokenUsingUvWithPermissions; makeCredential with it sets UV',
    specRef: 'CTAP 2.1 §6.5.5.7.3, §6.1.2 step 11.1',
    touches: fingerTouches(ENROLL_SAMPLES + 1),
    async run(ctx, signal) {
      await withEnrollment(ctx, signal, async () => {
        const rpId = ctx.rpIdFor('BIO-UV-001');
        const a = await requestUvToken(ctx, protocolVersion(ctx), PinUvAuthPermission.mc, rpId, signal);
        expectStatus(a.result, CtapStatus.CTAP2_OK, 'getPinUvAuthTokenUsingUvWithPermissions with the enrolled finger');
        const made = authDataOf(await mcWithToken(ctx, a.token!, rpId, {}, signal), 'makeCredential');
        ensure(made.uv, 'UV flag clear after makeCredential with a token from fingerprint UV');
      });
    },
  },
  {
    ...tokenBase,
    id: 'BIO-UV-002',
    title: 'a finger that is not enrolled is refused with CTAP2_ERR_UV_INVALID and lowers uvRetries by one',
    specRef: 'CTAP 2.1 §6.5.5.7.3 (performBuiltInUv fails: uvRetries - 1, CTAP2_ERR_UV_INVALID), §6.5.5.3',
    touches: 0,
    async run(ctx, signal) {
      const finger = fingers(ctx);
      await withEnrollment(ctx, signal, async () => {
        const before = await uvRetries(ctx, signal);
        await finger.present(OTHER_FINGER);
        const a = await requestUvToken(ctx, protocolVersion(ctx), PinUvAuthPermission.mc, ctx.rpIdFor('BIO-UV-002'), signal);
        const after = await uvRetries(ctx, signal);
        expectStatus(a.result, CtapStatus.CTAP2_ERR_UV_INVALID, 'a UV token for a finger that is not enrolled');
        ensure(after === before - 1, `uvRetries went from ${before} to ${after}, expected ${before - 1}`);
      });
    },
  },
  {
    ...tokenBase,
    id: 'BIO-UV-003',
    title: 'when uvRetries runs out, UV answers CTAP2_ERR_UV_BLOCKED; the PIN still gets a token and restores uvRetries',
    specRef: 'CTAP 2.1 §6.5.5.7.3 (CTAP2_ERR_UV_BLOCKED), §6.5.5.7.2 (a PIN token resets uvRetries)',
    touches: 0,
    timeoutMs: 60_000,
    async run(ctx, signal) {
      const finger = fingers(ctx);
      await withEnrollment(ctx, signal, async () => {
        const rpId = ctx.rpIdFor('BIO-UV-003');
        // A PIN token first: it sets uvRetries to its maximum (§6.5.5.7.2), whatever earlier checks spent.
        await pinToken(ctx, { permissions: PinUvAuthPermission.mc, rpId }, signal);
        const start = await uvRetries(ctx, signal);
        const statuses: number[] = [];
        for (let i = 0; i < start; i++) {
          await finger.present(OTHER_FINGER);
          statuses.push((await requestUvToken(ctx, protocolVersion(ctx), PinUvAuthPermission.mc, rpId, signal)).result.status);
        }
        const wrong = statuses.filter((s) => s !== CtapStatus.CTAP2_ERR_UV_INVALID && s !== CtapStatus.CTAP2_ERR_UV_BLOCKED);
        ensure(wrong.length === 0, `a finger that is not enrolled answered ${wrong.map(formatCtapStatus).join(', ')}`);
        const blocked = await requestUvToken(ctx, protocolVersion(ctx), PinUvAuthPermission.mc, rpId, signal);
        expectStatus(blocked.result, CtapStatus.CTAP2_ERR_UV_BLOCKED, 'UV with uvRetries 0, even with the enrolled finger');
        await pinToken(ctx, { permissions: PinUvAuthPermission.mc, rpId }, signal);
        const restored = await uvRetries(ctx, signal);
        ensure(restored === start, `uvRetries is ${restored} after a PIN token, expected ${start} again`);
      });
    },
  },
  {
    ...base,
    id: 'BIO-UV-004',
    title: 'makeCredential with the uv option is verified by the enrolled finger: UV and UP flags set',
    specRef: 'CTAP 2.1 §6.1.2 step 11.2 (performBuiltInUv)',
    touches: fingerTouches(ENROLL_SAMPLES + 2),
    async run(ctx, signal) {
      await withEnrollment(ctx, signal, async () => {
        const made = await makeCredential(ctx, ctx.rpIdFor('BIO-UV-004'), { options: new Map([['uv', true]]) }, signal);
        ensure(made.authData.uv, 'UV flag clear after makeCredential with uv=true and the enrolled finger');
        ensure(made.authData.up, 'UP flag clear after a fingerprint touch');
      });
    },
  },
];

/** getUVRetries (§6.5.5.3) that must answer a count. */
async function uvRetries(ctx: SuiteContext, signal: AbortSignal): Promise<number> {
  const r = await clientPin(ctx, undefined, signal).requestUvRetries();
  expectStatus(r, CtapStatus.CTAP2_OK, 'getUVRetries');
  const n = r.response?.uvRetries;
  ensure(typeof n === 'number', 'getUVRetries answered no uvRetries (0x05)');
  return n;
}
