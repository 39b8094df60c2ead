import { ClientError } from '../client/index.ts';
import { CtapProtocolError } from '../ctap/index.ts';
import { CtapStatusError, formatCtapStatus } from '../protocol/index.ts';
import { CheckFailed } from '../runner/Check.ts';

/**
 * Runs a client-helper call (ClientPin, CredentialManagement, LargeBlobs), turning what the device did
 * wrong into the check's failure: a CTAP status it throws (named), an answer that does not decode or
 * cannot be used. Other errors (transport, the harness's own) stay errors.
 */
export async function failOnStatus<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CtapStatusError) {
      throw new CheckFailed(`${what} answered ${formatCtapStatus(err.code)}`, { actual: formatCtapStatus(err.code) });
    }
    if (err instanceof CtapProtocolError && err.code === 'CTAP_MALFORMED_RESPONSE') throw new CheckFailed(err.message);
    if (err instanceof ClientError && err.code === 'CLIENT_BAD_RESPONSE') throw new CheckFailed(err.message);
    throw err;
  }
}
