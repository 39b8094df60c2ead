import {
  CtapStatus,
  CtapStatusError,
  parseCommandApdu,
  U2F_CLA,
  U2fInstruction,
  U2fStatusWord,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { u2fAuthenticate } from './u2fAuthenticate.ts';
import { u2fRegister } from './u2fRegister.ts';
import { SW_NO_PRECISE_DIAGNOSIS, u2fOk, u2fResponse } from './u2fResponse.ts';

/** "U2F_V2", the VERSION answer (U2F raw message formats §6) */
const U2F_VERSION = new TextEncoder().encode('U2F_V2');

/**
 * One CTAP1/U2F request APDU carried by CTAPHID_MSG (CTAP 2.1 §11.2.9.1.1, U2F raw message formats v1.2)
 * -> the response (data || status word). Never throws.
 */
export async function handleU2fMessage(
  a: Authenticator,
  request: Uint8Array,
  options: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  if (request.length >= 4 && request[0] !== U2F_CLA) return u2fResponse(U2fStatusWord.SW_CLA_NOT_SUPPORTED);
  const apdu = parseCommandApdu(request);
  if (!apdu) return u2fResponse(U2fStatusWord.SW_WRONG_LENGTH);
  try {
    switch (apdu.ins) {
      case U2fInstruction.U2F_VERSION:
        if (apdu.data.length !== 0) return u2fResponse(U2fStatusWord.SW_WRONG_LENGTH);
        return u2fOk(U2F_VERSION);
      case U2fInstruction.U2F_REGISTER:
        return await u2fRegister(a, apdu, options.signal);
      case U2fInstruction.U2F_AUTHENTICATE:
        return await u2fAuthenticate(a, apdu, options.signal);
      default:
        return u2fResponse(U2fStatusWord.SW_INS_NOT_SUPPORTED);
    }
  } catch (err) {
    // A cancelled touch (CTAPHID_CANCEL) is a touch that did not happen.
    if (err instanceof CtapStatusError && err.code === CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL) {
      return u2fResponse(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);
    }
    return u2fResponse(SW_NO_PRECISE_DIAGNOSIS);
  }
}
