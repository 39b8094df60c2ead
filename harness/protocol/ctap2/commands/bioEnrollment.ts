import type { CborMap } from '../../cbor/CborValue.ts';
import { decodeParams, encodeParams, type Params } from '../params.ts';

/** authenticatorBioEnrollment (0x09, FIDO_2_1_PRE prototype 0x40) request parameters, CTAP 2.1 §6.7 */
export const bioEnrollmentRequestKeys = {
  modality: { key: 0x01, type: 'uint' },
  subCommand: { key: 0x02, type: 'uint' },
  subCommandParams: { key: 0x03, type: 'map' },
  pinUvAuthProtocol: { key: 0x04, type: 'uint' },
  pinUvAuthParam: { key: 0x05, type: 'bytes' },
  getModality: { key: 0x06, type: 'bool' },
} as const;

/** subCommandParams members, CTAP 2.1 §6.7 */
export const bioEnrollmentSubParamKeys = {
  templateId: { key: 0x01, type: 'bytes' },
  templateFriendlyName: { key: 0x02, type: 'text' },
  timeoutMilliseconds: { key: 0x03, type: 'uint' },
} as const;

/** response members, CTAP 2.1 §6.7 */
export const bioEnrollmentResponseKeys = {
  modality: { key: 0x01, type: 'uint' },
  fingerprintKind: { key: 0x02, type: 'uint' },
  maxCaptureSamplesRequiredForEnroll: { key: 0x03, type: 'uint' },
  templateId: { key: 0x04, type: 'bytes' },
  lastEnrollSampleStatus: { key: 0x05, type: 'uint' },
  remainingSamples: { key: 0x06, type: 'uint' },
  templateInfos: { key: 0x07, type: 'array' },
  maxTemplateFriendlyName: { key: 0x08, type: 'uint' },
} as const;

/** templateInfo members (enumerateEnrollments), CTAP 2.1 §6.7 */
export const templateInfoKeys = {
  templateId: { key: 0x01, type: 'bytes', required: true },
  templateFriendlyName: { key: 0x02, type: 'text' },
} as const;

/** modality values, CTAP 2.1 §6.7 */
export const BioModality = { fingerprint: 0x01 } as const;

/** fingerprintKind values, CTAP 2.1 §6.7 (getFingerprintSensorInfo) */
export const FingerprintKind = { touch: 0x01, swipe: 0x02 } as const;

/** subCommand values for the fingerprint modality, CTAP 2.1 §6.7 */
export const BioEnrollmentSubCommand = {
  enrollBegin: 0x01,
  enrollCaptureNextSample: 0x02,
  cancelCurrentEnrollment: 0x03,
  enumerateEnrollments: 0x04,
  setFriendlyName: 0x05,
  removeEnrollment: 0x06,
  getFingerprintSensorInfo: 0x07,
} as const;

/** lastEnrollSampleStatus values, CTAP 2.1 §6.7 (fingerprint sample feedback) */
export const EnrollSampleStatus = {
  CTAP2_ENROLL_FEEDBACK_FP_GOOD: 0x00,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_HIGH: 0x01,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_LOW: 0x02,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_LEFT: 0x03,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_RIGHT: 0x04,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_FAST: 0x05,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_SLOW: 0x06,
  CTAP2_ENROLL_FEEDBACK_FP_POOR_QUALITY: 0x07,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_SKEWED: 0x08,
  CTAP2_ENROLL_FEEDBACK_FP_TOO_SHORT: 0x09,
  CTAP2_ENROLL_FEEDBACK_FP_MERGE_FAILURE: 0x0a,
  CTAP2_ENROLL_FEEDBACK_FP_EXISTS: 0x0b,
  CTAP2_ENROLL_FEEDBACK_NO_USER_ACTIVITY: 0x0d,
  CTAP2_ENROLL_FEEDBACK_NO_USER_PRESENCE_TRANSITION: 0x0e,
} as const;

export type BioEnrollmentRequest = Params<typeof bioEnrollmentRequestKeys>;
export type BioEnrollmentResponse = Params<typeof bioEnrollmentResponseKeys>;
export type BioEnrollmentSubParams = Params<typeof bioEnrollmentSubParamKeys>;
export type TemplateInfo = Params<typeof templateInfoKeys>;

export const decodeBioEnrollmentRequest = (v: unknown): BioEnrollmentRequest => decodeParams(bioEnrollmentRequestKeys, v, 'bioEnrollment');
export const encodeBioEnrollmentRequest = (r: BioEnrollmentRequest): CborMap => encodeParams(bioEnrollmentRequestKeys, r);
export const decodeBioEnrollmentResponse = (v: unknown): BioEnrollmentResponse =>
  decodeParams(bioEnrollmentResponseKeys, v, 'bioEnrollment response');
export const encodeBioEnrollmentResponse = (r: BioEnrollmentResponse): CborMap => encodeParams(bioEnrollmentResponseKeys, r);
export const encodeBioEnrollmentSubParams = (p: BioEnrollmentSubParams): CborMap => encodeParams(bioEnrollmentSubParamKeys, p);
export const decodeBioEnrollmentSubParams = (v: unknown): BioEnrollmentSubParams => decodeParams(bioEnrollmentSubParamKeys, v, 'bioEnrollment subCommandParams');
export const decodeTemplateInfo = (v: unknown): TemplateInfo => decodeParams(templateInfoKeys, v, 'templateInfo');
export const encodeTemplateInfo = (t: TemplateInfo): CborMap => encodeParams(templateInfoKeys, t);
