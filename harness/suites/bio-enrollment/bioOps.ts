import type { PinUvAuthTokenHandle } from '../../client/index.ts';
import { bioEnrollmentRequest } from '../../ctap/index.ts';
import {
  BioEnrollmentSubCommand,
  BioModality,
  CtapStatus,
  encodeBioEnrollmentSubParams,
  encodeCanonicalCbor,
  EnrollSampleStatus,
  PinUvAuthPermission,
  type BioEnrollmentResponse,
  type BioEnrollmentSubParams,
} from '../../protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../runner/Check.ts';
import { expectStatus, hex } from '../expect.ts';
import { pinToken } from '../pinOps.ts';
import type { CallResult, SuiteContext } from '../SuiteContext.ts';

export const Sub = BioEnrollmentSubCommand;

export interface BioCallOptions {
  params?: BioEnrollmentSubParams;
  token?: PinUvAuthTokenHandle;
  /** rewrites the pinUvAuthParam (bad-MAC checks) */
  tamper?: (param: Uint8Array) => Uint8Array;
  modality?: number;
}

/**
 * One authenticatorBioEnrollment subcommand (CTAP 2.1 §6.7) on 0x09 or the prototype 0x40 as getInfo
 * says; with a token, pinUvAuthParam = authenticate(token, modality || subCommand || subCommandParams).
 */
export function bioCall(ctx: SuiteContext, subCommand: number, opts: BioCallOptions, signal: AbortSignal): Promise<CallResult<BioEnrollmentResponse>> {
  const modality = opts.modality ?? BioModality.fingerprint;
  const subCommandParams = opts.params ? encodeBioEnrollmentSubParams(opts.params) : undefined;
  let auth: { pinUvAuthProtocol?: number; pinUvAuthParam?: Uint8Array } = {};
  if (opts.token) {
    const message = new Uint8Array(Buffer.concat([Uint8Array.of(modality, subCommand), subCommandParams ? encodeCanonicalCbor(subCommandParams) : new Uint8Array(0)]));
    const param = opts.token.protocol.authenticate(opts.token.token, message);
    auth = { pinUvAuthProtocol: opts.token.protocol.version, pinUvAuthParam: opts.tamper ? opts.tamper(param) : param };
  }
  return ctx.request(
    bioEnrollmentRequest(ctx.ctap2.bioEnrollmentCommand()),
    { modality, subCommand, ...(subCommandParams ? { subCommandParams } : {}), ...auth },
    signal,
  );
}

/** getModality (§6.7): { getModality: true } alone. */
export function getModality(ctx: SuiteContext, signal: AbortSignal): Promise<CallResult<BioEnrollmentResponse>> {
  return ctx.request(bioEnrollmentRequest(ctx.ctap2.bioEnrollmentCommand()), { getModality: true }, signal);
}

/** A token with the be permission (not bound to an RP ID, §6.5.5.7 permissions). */
export const beToken = (ctx: SuiteContext, signal: AbortSignal) => pinToken(ctx, { permissions: PinUvAuthPermission.be }, signal);

/** The answer of a subcommand that must succeed. */
export function ok(r: CallResult<BioEnrollmentResponse>, what: string): BioEnrollmentResponse {
  expectStatus(r, CtapStatus.CTAP2_OK, what);
  return r.response ?? {};
}

/** maxCaptureSamplesRequiredForEnroll from getFingerprintSensorInfo (at least 1). */
export async function samplesRequired(ctx: SuiteContext, signal: AbortSignal): Promise<number> {
  const info = ok(await bioCall(ctx, Sub.getFingerprintSensorInfo, {}, signal), 'getFingerprintSensorInfo');
  const n = info.maxCaptureSamplesRequiredForEnroll;
  if (typeof n !== 'number' || n < 1) throw new CheckFailed(`maxCaptureSamplesRequiredForEnroll is ${String(n)}`);
  return n;
}

export interface Enrolled {
  templateId: Uint8Array;
  /** good samples it took */
  samples: number;
  statuses: number[];
}

/**
 * A whole enrollment (§6.7 enrollBegin, enrollCaptureNextSample until remainingSamples is 0). A device
 * that asks for more than maxCaptureSamplesRequiredForEnroll good samples (twice over, for leeway) fails.
 */
export async function enroll(ctx: SuiteContext, signal: AbortSignal, token?: PinUvAuthTokenHandle): Promise<Enrolled> {
  const max = await samplesRequired(ctx, signal);
  const t = token ?? (await beToken(ctx, signal));
  const first = ok(await bioCall(ctx, Sub.enrollBegin, { token: t }, signal), 'enrollBegin');
  const templateId = first.templateId;
  if (!(templateId instanceof Uint8Array) || templateId.length === 0) throw new CheckFailed('enrollBegin answered no templateId (0x04)');
  const statuses = [statusOf(first, 'enrollBegin')];
  let remaining = remainingOf(first, 'enrollBegin');
  let good = statuses[0] === EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_GOOD ? 1 : 0;
  while (remaining > 0) {
    if (good >= 2 * max) {
      await bioCall(ctx, Sub.cancelCurrentEnrollment, {}, signal);
      throw new CheckFailed(`enrollment not complete after ${good} good samples (maxCaptureSamplesRequiredForEnroll ${max}); remainingSamples still ${remaining}`);
    }
    const next = ok(await bioCall(ctx, Sub.enrollCaptureNextSample, { token: t, params: { templateId } }, signal), 'enrollCaptureNextSample');
    const status = statusOf(next, 'enrollCaptureNextSample');
    statuses.push(status);
    if (status === EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_GOOD) good++;
    remaining = remainingOf(next, 'enrollCaptureNextSample');
  }
  return { templateId, samples: good, statuses };
}

/** templateId → friendly name of every enrollment; none is CTAP2_ERR_INVALID_OPTION (§6.7 enumerateEnrollments). */
export async function enrollments(ctx: SuiteContext, signal: AbortSignal, token?: PinUvAuthTokenHandle): Promise<Map<string, string | undefined>> {
  const r = await bioCall(ctx, Sub.enumerateEnrollments, { token: token ?? (await beToken(ctx, signal)) }, signal);
  if (r.status === CtapStatus.CTAP2_ERR_INVALID_OPTION) return new Map();
  const res = ok(r, 'enumerateEnrollments');
  if (!Array.isArray(res.templateInfos)) throw new CheckFailed('enumerateEnrollments answered no templateInfos (0x07)');
  const out = new Map<string, string | undefined>();
  for (const info of res.templateInfos) {
    const id = info instanceof Map ? info.get(0x01) : undefined;
    const name = info instanceof Map ? info.get(0x02) : undefined;
    if (!(id instanceof Uint8Array)) throw new CheckFailed('a templateInfo has no templateId (0x01)');
    out.set(hex(id), typeof name === 'string' ? name : undefined);
  }
  return out;
}

/** Removes the given enrollments (what a check enrolled), so later checks meet the device as before. */
export async function removeAll(ctx: SuiteContext, ids: Uint8Array[], signal: AbortSignal): Promise<void> {
  if (ids.length === 0) return;
  const token = await beToken(ctx, signal);
  for (const templateId of ids) {
    expectStatus(await bioCall(ctx, Sub.removeEnrollment, { token, params: { templateId } }, signal), CtapStatus.CTAP2_OK, 'removeEnrollment');
  }
}

/** Runs `body` with an enrollment made for it, removed afterwards. */
export async function withEnrollment<T>(ctx: SuiteContext, signal: AbortSignal, body: (e: Enrolled) => Promise<T>): Promise<T> {
  const e = await enroll(ctx, signal);
  try {
    return await body(e);
  } finally {
    await removeAll(ctx, [e.templateId], signal);
  }
}

/** The finger control of the simulator, or a skip: the check needs to choose what touches the sensor. */
export function fingers(ctx: SuiteContext) {
  const control = ctx.options.fingerprint;
  if (!control) throw new CheckSkipped('needs a fingerprint sensor the harness controls (the simulator): a person cannot be asked for a wrong finger on cue');
  return control;
}

function statusOf(r: BioEnrollmentResponse, what: string): number {
  if (typeof r.lastEnrollSampleStatus !== 'number') throw new CheckFailed(`${what} answered no lastEnrollSampleStatus (0x05)`);
  return r.lastEnrollSampleStatus;
}

function remainingOf(r: BioEnrollmentResponse, what: string): number {
  if (typeof r.remainingSamples !== 'number') throw new CheckFailed(`${what} answered no remainingSamples (0x06)`);
  return r.remainingSamples;
}

/** A skip reason unless getInfo offers bio enrollment (bioEnroll, or userVerificationMgmtPreview for 0x40). */
export function needsBioEnroll(ctx: SuiteContext): string | undefined {
  const o = ctx.info.options ?? {};
  return 'bioEnroll' in o || 'userVerificationMgmtPreview' in o ? undefined : 'bio enrollment not offered (getInfo bioEnroll / userVerificationMgmtPreview absent)';
}
