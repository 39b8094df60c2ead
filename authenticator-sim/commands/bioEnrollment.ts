import {
  BioEnrollmentSubCommand,
  BioModality,
  CtapStatus,
  CtapStatusError,
  decodeBioEnrollmentRequest,
  decodeBioEnrollmentSubParams,
  encodeBioEnrollmentResponse,
  encodeCanonicalCbor,
  encodeTemplateInfo,
  EnrollSampleStatus,
  FingerprintKind,
  PinUvAuthPermission,
  type BioEnrollmentRequest,
  type CborMap,
} from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import type { BioTemplate } from '../bio/FingerprintUv.ts';
import type { FingerprintSensor } from '../bio/fingerprintSensor.ts';
import { selectProtocol, verifyPinUvAuthParam } from './pinUvAuthChecks.ts';

/** Good samples an enrollment takes (getFingerprintSensorInfo maxCaptureSamplesRequiredForEnroll). */
export const SAMPLES_PER_ENROLLMENT = 4;
/** Templates the simulator keeps; one more is CTAP2_ERR_FP_DATABASE_FULL. */
export const MAX_TEMPLATES = 5;
/** The longest templateFriendlyName accepted, in bytes of UTF-8 (getFingerprintSensorInfo maxTemplateFriendlyName). */
export const MAX_TEMPLATE_FRIENDLY_NAME = 32;
/** Default sample timeout when the request names none (timeoutMilliseconds). */
const DEFAULT_CAPTURE_TIMEOUT_MS = 30_000;

const ENROLLMENT_KEY = 'bio.enrollment';

interface Enrollment {
  templateId: Uint8Array;
  /** the finger of the first good sample: later samples of another finger do not merge */
  finger?: string;
  remaining: number;
}

/**
 * authenticatorBioEnrollment, CTAP 2.1 §6.7, as command 0x09 and as the FIDO_2_1_PRE prototype 0x40
 * (getInfo userVerificationMgmtPreview). Fingerprint modality only. Subcommands that change or list
 * enrollments need pinUvAuthParam = authenticate(token, modality || subCommand || subCommandParams) with
 * the be permission; getModality, getFingerprintSensorInfo and cancelCurrentEnrollment need none.
 */
export async function bioEnrollment(a: Authenticator, params: unknown, { signal }: HandleOptions): Promise<CborMap | null> {
  const sensor = a.fingerprint;
  if (!sensor) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_COMMAND, 'no fingerprint sensor');
  const req = decodeBioEnrollmentRequest(params);
  if (req.getModality === true) return encodeBioEnrollmentResponse({ modality: BioModality.fingerprint });
  if (req.subCommand === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'subCommand missing');
  if (req.modality === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'modality missing');
  if (req.modality !== BioModality.fingerprint) throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION, `modality ${req.modality}`);
  const S = BioEnrollmentSubCommand;
  const templates = (a.state.bioTemplates ??= []);
  switch (req.subCommand) {
    case S.getFingerprintSensorInfo:
      return encodeBioEnrollmentResponse({
        modality: BioModality.fingerprint,
        fingerprintKind: FingerprintKind.touch,
        maxCaptureSamplesRequiredForEnroll: SAMPLES_PER_ENROLLMENT,
        maxTemplateFriendlyName: MAX_TEMPLATE_FRIENDLY_NAME,
      });
    case S.cancelCurrentEnrollment:
      a.volatile.delete(ENROLLMENT_KEY);
      return null;
    case S.enrollBegin: {
      authorize(a, req);
      if (templates.length >= MAX_TEMPLATES) throw new CtapStatusError(CtapStatus.CTAP2_ERR_FP_DATABASE_FULL);
      const enrollment: Enrollment = { templateId: a.rng.bytes(16), remaining: SAMPLES_PER_ENROLLMENT };
      a.volatile.set(ENROLLMENT_KEY, enrollment);
      const status = await captureSample(a, sensor, enrollment, timeoutOf(req), signal);
      return encodeBioEnrollmentResponse({ templateId: enrollment.templateId, lastEnrollSampleStatus: status, remainingSamples: enrollment.remaining });
    }
    case S.enrollCaptureNextSample: {
      authorize(a, req);
      const enrollment = a.volatile.get(ENROLLMENT_KEY) as Enrollment | undefined;
      const id = subParams(req).templateId;
      if (!id) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'templateId missing');
      // No enrollment under way, or another one: the template ID is not one this enrollment knows.
      if (!enrollment || Buffer.compare(enrollment.templateId, id) !== 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'no such enrollment');
      const status = await captureSample(a, sensor, enrollment, timeoutOf(req), signal);
      return encodeBioEnrollmentResponse({ lastEnrollSampleStatus: status, remainingSamples: enrollment.remaining });
    }
    case S.enumerateEnrollments: {
      authorize(a, req);
      // §6.7 enumerateEnrollments: no enrollment is CTAP2_ERR_INVALID_OPTION.
      if (templates.length === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'no enrollments');
      return encodeBioEnrollmentResponse({
        templateInfos: templates.map((t) => encodeTemplateInfo({ templateId: t.id, templateFriendlyName: t.friendlyName ?? '' })),
      });
    }
    case S.setFriendlyName: {
      authorize(a, req);
      const sp = subParams(req);
      if (!sp.templateId || sp.templateFriendlyName === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'templateId or name missing');
      const t = findTemplate(templates, sp.templateId);
      if (Buffer.byteLength(sp.templateFriendlyName) > MAX_TEMPLATE_FRIENDLY_NAME) {
        throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_LENGTH, 'templateFriendlyName too long');
      }
      t.friendlyName = sp.templateFriendlyName;
      a.persist();
      return null;
    }
    case S.removeEnrollment: {
      authorize(a, req);
      const id = subParams(req).templateId;
      if (!id) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'templateId missing');
      const t = findTemplate(templates, id);
      a.state.bioTemplates = templates.filter((x) => x !== t);
      a.persist();
      return null;
    }
    default:
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, `bioEnrollment subCommand ${req.subCommand}`);
  }
}

/**
 * One enrollment sample. A good sample of the enrolling finger counts; a finger already enrolled is
 * FP_EXISTS, another finger than the first is MERGE_FAILURE, an unusable sample reports its feedback;
 * none counts. No finger within the timeout is CTAP2_ERR_USER_ACTION_TIMEOUT. The last good sample
 * stores the template.
 */
async function captureSample(a: Authenticator, sensor: FingerprintSensor, e: Enrollment, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  const sample = await sensor.capture({ purpose: 'enroll', timeoutMs, ...(signal ? { signal } : {}) });
  if (signal?.aborted) throw new CtapStatusError(CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL);
  if (sample.kind === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT, 'no finger on the sensor');
  if (sample.kind === 'poor') return sample.feedback;
  const templates = a.state.bioTemplates ?? [];
  if (templates.some((t) => t.finger === sample.finger)) return EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_EXISTS;
  if (e.finger !== undefined && e.finger !== sample.finger) return EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_MERGE_FAILURE;
  e.finger = sample.finger;
  e.remaining = a.behaviour.bioRemainingSamples(e.remaining - 1);
  if (e.remaining === 0) {
    const template: BioTemplate = { id: e.templateId, finger: sample.finger };
    a.state.bioTemplates = [...templates, template];
    a.volatile.delete(ENROLLMENT_KEY);
    a.persist();
  }
  return EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_GOOD;
}

/**
 * §6.7: pinUvAuthParam = authenticate(pinUvAuthToken, fingerprint (0x01) || uint8(subCommand) ||
 * subCommandParams), by a token with the be permission (not bound to an RP ID).
 */
function authorize(a: Authenticator, req: BioEnrollmentRequest): void {
  if (req.pinUvAuthParam === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'pinUvAuthParam missing');
  const protocol = selectProtocol(a, req.pinUvAuthProtocol);
  const message = new Uint8Array(
    Buffer.concat([Uint8Array.of(req.modality!, req.subCommand!), req.subCommandParams ? encodeCanonicalCbor(req.subCommandParams) : new Uint8Array(0)]),
  );
  verifyPinUvAuthParam(a, protocol, req.pinUvAuthParam, message, PinUvAuthPermission.be, undefined);
}

function subParams(req: BioEnrollmentRequest) {
  return req.subCommandParams ? decodeBioEnrollmentSubParams(req.subCommandParams) : {};
}

function timeoutOf(req: BioEnrollmentRequest): number {
  return subParams(req).timeoutMilliseconds ?? DEFAULT_CAPTURE_TIMEOUT_MS;
}

function findTemplate(templates: BioTemplate[], id: Uint8Array): BioTemplate {
  const t = templates.find((x) => Buffer.compare(x.id, id) === 0);
  // §6.7 setFriendlyName / removeEnrollment: an unknown templateId is CTAP2_ERR_INVALID_OPTION.
  if (!t) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'no such template');
  return t;
}
