import { Authenticator, type AuthenticatorOptions } from '../../authenticator-sim/index.ts';
import { Ctap2, DirectAuthenticatorChannel } from '../../harness/ctap/index.ts';
import { SuiteContext, type SuiteContextOptions } from '../../harness/suites/SuiteContext.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

/** One CTAP2 answer as bytes: the status and the CBOR after it. */
export interface RawAnswer {
  status: number;
  payload: Uint8Array;
}

/**
 * Stands between the context and the simulator: sees each command with its CBOR bytes and the signal the
 * harness sent with it, and answers in the simulator's place or passes it on (`next`) and changes the answer.
 */
export type RawFault = (command: number, payload: Uint8Array, next: () => Promise<RawAnswer>, signal?: AbortSignal) => Promise<RawAnswer>;

/** A SuiteContext on a fresh simulator (reset allowed at any time, PIN "1234"), with `fault` in between. */
export async function simContext(options: Partial<SuiteContextOptions> = {}, fault?: RawFault, sim: AuthenticatorOptions = {}) {
  const authenticator = await Authenticator.create({ allowResetAnytime: true, attestationMaterial: await sharedAttestationMaterial(), ...sim });
  const handler = {
    handleCbor: (command: number, payload: Uint8Array, o: { signal?: AbortSignal } = {}) => {
      const next = () => authenticator.handleCbor(command, payload, o);
      return fault ? fault(command, payload, next, o.signal) : next();
    },
  };
  const ctap2 = await Ctap2.open(new DirectAuthenticatorChannel(handler));
  return { sim: authenticator, ctap2, ctx: new SuiteContext({ ctap2, kind: 'sim' }, { allowDestructive: true, pin: '1234', ...options }) };
}

/** A fault answering `command` with `status` and no body; every other command reaches the simulator. */
export const refuse =
  (command: number, status: number): RawFault =>
  (cmd, _payload, next) =>
    cmd === command ? Promise.resolve({ status, payload: new Uint8Array(0) }) : next();
