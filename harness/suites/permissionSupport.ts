import { CtapVersion, PinUvAuthPermission, type AuthenticatorInfo } from '../protocol/index.ts';

/**
 * CTAP 2.1 §6.5.5.7.2 step 4: each pinUvAuthToken permission goes with a statement about a getInfo option;
 * while the statement is true the permission is refused with CTAP2_ERR_UNAUTHORIZED_PERMISSION. A key that
 * grants it anyway hands out a token for a feature it says it does not have. The preview options
 * (credentialMgmtPreview, userVerificationMgmtPreview) are not named by the statements; a key that lists
 * one is not judged for that permission, rather than failed on a reading of the preview.
 */
export interface PermissionStatement {
  name: string;
  bit: number;
  /** the statement of §6.5.5.7.2 step 4 that, while true, refuses the permission */
  statement: string;
  unsupported(info: AuthenticatorInfo): boolean;
}

const STATEMENTS: readonly PermissionStatement[] = [
  { name: 'cm', bit: PinUvAuthPermission.cm, statement: 'credMgmt is false or absent', unsupported: (i) => i.options?.credMgmt !== true && i.options?.credentialMgmtPreview !== true },
  { name: 'be', bit: PinUvAuthPermission.be, statement: 'bioEnroll is absent', unsupported: (i) => i.options?.bioEnroll === undefined && i.options?.userVerificationMgmtPreview === undefined },
  { name: 'lbw', bit: PinUvAuthPermission.lbw, statement: 'largeBlobs is false or absent', unsupported: (i) => i.options?.largeBlobs !== true },
  { name: 'acfg', bit: PinUvAuthPermission.acfg, statement: 'authnrCfg is false or absent', unsupported: (i) => i.options?.authnrCfg !== true },
  { name: 'mc', bit: PinUvAuthPermission.mc, statement: 'noMcGaPermissionsWithClientPin is true', unsupported: (i) => i.options?.noMcGaPermissionsWithClientPin === true },
  { name: 'ga', bit: PinUvAuthPermission.ga, statement: 'noMcGaPermissionsWithClientPin is true', unsupported: (i) => i.options?.noMcGaPermissionsWithClientPin === true },
  // pcmr is defined from CTAP 2.2 on (§6.5.5.7.2 step 4 there); to a 2.1 key it is an undefined permission, ignored
  { name: 'pcmr', bit: PinUvAuthPermission.pcmr, statement: 'perCredMgmtRO is false or absent', unsupported: (i) => i.versions.includes(CtapVersion.FIDO_2_2) && i.options?.perCredMgmtRO !== true },
];

/** The permissions getInfo says this key must refuse (§6.5.5.7.2 step 4), with the statement that makes each so. */
export function unsupportedPermissions(info: AuthenticatorInfo): readonly PermissionStatement[] {
  return STATEMENTS.filter((s) => s.unsupported(info));
}

/**
 * A permission other than `not` that a token by PIN may carry on this key, for checks of "a token without
 * permission X is refused": one that is not RP-bound first (lbw, acfg, cm, be), then ga; undefined when none.
 */
export function grantedPermissionOtherThan(info: AuthenticatorInfo, not: number): number | undefined {
  const { lbw, acfg, cm, be, ga } = PinUvAuthPermission;
  const refused = new Set(unsupportedPermissions(info).map((p) => p.bit));
  // be is offered as "bioEnroll present"; the preview option alone is not counted as offering it. Without
  // options every permission here but ga is refused before info.options is read (the chains never see undefined).
  // Stryker disable next-line OptionalChaining: a refused bit short-circuits first, and bioEnroll/credMgmt absent means refused
  const offered = (bit: number) => !refused.has(bit) && (bit !== be || info.options?.bioEnroll !== undefined) && (bit !== cm || info.options?.credMgmt === true);
  return [lbw, acfg, cm, be, ga].find((bit) => bit !== not && offered(bit));
}
