import {
  ConfigSubCommand,
  CtapStatus,
  CtapStatusError,
  decodeConfigRequest,
  decodeParams,
  encodeCanonicalCbor,
  PinUvAuthPermission,
  setMinPinLengthParamKeys,
  type CborMap,
  type ConfigRequest,
} from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import { isProtectedByUv, selectProtocol } from './pinUvAuthChecks.ts';

/** authenticatorConfig, CTAP 2.1 §6.11. */
export async function config(a: Authenticator, params: unknown, _options: HandleOptions): Promise<CborMap | null> {
  const req = decodeConfigRequest(params);
  const sub = req.subCommand!;
  // The subcommands of the features the model has (getInfo ep, alwaysUv, setMinPINLength, §6.11.1-4).
  const f = a.features;
  const offered =
    (sub === ConfigSubCommand.enableEnterpriseAttestation && f.ep) ||
    (sub === ConfigSubCommand.toggleAlwaysUv && f.alwaysUv) ||
    (sub === ConfigSubCommand.setMinPINLength && f.setMinPINLength);
  // §6.11 step 1: an unsupported subcommand (vendorPrototype included: none is offered).
  if (!offered) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, `config subCommand ${sub}`);
  authorize(a, req);
  switch (sub) {
    case ConfigSubCommand.enableEnterpriseAttestation:
      // §6.11.1: enable (idempotent); getInfo ep becomes true.
      a.state.enterpriseAttestation = true;
      break;
    case ConfigSubCommand.toggleAlwaysUv:
      // §6.11.2
      a.state.alwaysUv = !a.state.alwaysUv;
      break;
    case ConfigSubCommand.setMinPINLength:
      setMinPinLength(a, req);
      break;
  }
  a.persist();
  return null;
}

/**
 * §6.11 steps 2-5: when the authenticator is protected by user verification, or the alwaysUv option is
 * true, pinUvAuthParam is required (CTAP2_ERR_PUAT_REQUIRED) and must be authenticate(token, 32×0xff ||
 * 0x0d || uint8(subCommand) || subCommandParams) with the acfg permission. Only an authenticator with
 * neither is configured without one (alwaysUv switched on without a PIN is switched off again by setting a
 * PIN and sending a token).
 */
function authorize(a: Authenticator, req: ConfigRequest): void {
  if (!isProtectedByUv(a) && !a.state.alwaysUv && req.pinUvAuthParam === undefined) return;
  if (req.pinUvAuthParam === undefined) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'pinUvAuthParam missing');
  }
  const protocol = selectProtocol(a, req.pinUvAuthProtocol);
  const message = Buffer.concat([
    Buffer.alloc(32, 0xff),
    Uint8Array.of(0x0d, req.subCommand!),
    req.subCommandParams ? encodeCanonicalCbor(req.subCommandParams) : new Uint8Array(0),
  ]);
  const token = a.pinUvAuthToken;
  if (!token.inUse || !protocol.verify(token.token, new Uint8Array(message), req.pinUvAuthParam)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  if ((token.permissions & PinUvAuthPermission.acfg) === 0) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token lacks the acfg permission');
  }
  token.touch();
}

/** §6.11.4 setMinPINLength (steps cited). */
function setMinPinLength(a: Authenticator, req: ConfigRequest): void {
  // Stryker disable next-line StringLiteral: the label only names the map in a decoding error's detail, never sent
  const p = req.subCommandParams ? decodeParams(setMinPinLengthParamKeys, req.subCommandParams, 'setMinPINLength') : {};
  const newLength = p.newMinPINLength ?? a.state.minPinLength;
  // Step 2: the minimum never decreases (only a reset lowers it).
  if (newLength < a.state.minPinLength) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'minPINLength cannot decrease');
  }
  // A PIN is at most 63 bytes, so a longer minimum could never be met (spec silent; policy violation says why).
  if (newLength > 63) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'minPINLength above 63');
  let rpIds: string[] | undefined;
  if (p.minPinLengthRPIDs !== undefined) {
    if (!p.minPinLengthRPIDs.every((r) => typeof r === 'string')) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, 'minPinLengthRPIDs must be text');
    }
    // Step 3: more RP IDs than maxRPIDsForSetMinPINLength.
    if (p.minPinLengthRPIDs.length > a.features.maxRPIDsForSetMinPINLength) {
      throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'too many minPinLengthRPIDs');
    }
    rpIds = p.minPinLengthRPIDs as string[];
  }
  // forceChangePin without a PIN: nothing to change.
  if (p.forceChangePin === true && !a.pinIsSet) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_NOT_SET, 'forceChangePin without a PIN');
  }
  a.state.minPinLength = newLength;
  // Step 4: the RP ID list replaces the previous one.
  if (rpIds) a.state.minPinLengthRpIds = rpIds;
  // Step 5-6: a current PIN shorter than the new minimum, or forceChangePin, sets forcePINChange.
  if (p.forceChangePin === true || (a.state.pin && a.state.pin.codePoints < newLength)) a.state.forcePinChange = true;
}
