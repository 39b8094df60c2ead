import { createSimulatorDevice } from '../../authenticator-sim/ctaphid/createSimulatorDevice.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import type { Authenticator, AuthenticatorOptions, CborResponse } from '../../authenticator-sim/Authenticator.ts';
import type { BuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { openDevice, type OpenedDevice } from '../../harness/ctap/index.ts';
import { decodeCbor, encodeCanonicalCbor, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { runSuites } from '../../harness/suites/runSuites.ts';
import { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import { acceptedBody } from './acceptedBody.ts';

/**
 * A fault injected by a test between the host and the simulator's CTAP2 core: it sees the command, the
 * decoded request and the simulator's answer, and returns the answer the host gets. It stands for a device
 * that answers differently from the spec, for checks no simulator quirk can make fail.
 */
export type Tamper = (command: number, request: CborMap | undefined, response: CborResponse) => CborResponse;

/** Rewrites a request map before the simulator sees it (returns it changed in place). */
export type RequestTamper = (command: number, request: CborMap) => void;

export interface PinSuiteSim {
  authenticator: Authenticator;
  device: OpenedDevice;
  /** runs the named checks (or suites) on a freshly reset simulator with `tamper` in place */
  run(select: { checks?: string[]; suites?: string[] }, tamper?: Tamper, requestTamper?: RequestTamper): Promise<CheckResult[]>;
  /**
   * A suite context (PIN '1234', resets allowed, power cycle) over the freshly reset simulator with `tamper`
   * in place until the next run/context: for tests of the suites' helpers outside a check.
   */
  context(tamper?: Tamper): Promise<SuiteContext>;
  close(): Promise<void>;
}

export async function openPinSuiteSim(options: { quirks?: string[]; builtInUv?: BuiltInUv } & Pick<AuthenticatorOptions, 'features' | 'fingerprint'> = {}): Promise<PinSuiteSim> {
  const { authenticator, device: sim } = await createSimulatorDevice({
    allowResetAnytime: true,
    ...authenticatorOptionsForQuirks(options.quirks ?? []),
    ...(options.builtInUv ? { builtInUv: options.builtInUv } : {}),
    ...(options.features ? { features: options.features } : {}),
    ...(options.fingerprint === false ? { fingerprint: false as const } : {}),
  });
  let tamper: Tamper | undefined;
  let requestTamper: RequestTamper | undefined;
  const handle = authenticator.handleCbor.bind(authenticator);
  authenticator.handleCbor = async (command, payload, opts) => {
    if (requestTamper && payload.length) {
      const req = decodeCbor(payload).value;
      if (req instanceof Map) {
        requestTamper(command, req as CborMap);
        payload = encodeCanonicalCbor(req as CborValue);
      }
    }
    const response = await handle(command, payload, opts);
    if (!tamper) return response;
    let request: CborMap | undefined;
    try {
      const v = payload.length ? decodeCbor(payload).value : undefined;
      if (v instanceof Map) request = v as CborMap;
    } catch {
      request = undefined;
    }
    return tamper(command, request, response);
  };
  const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim) }, { ctaphid: { timeoutMs: 10_000 } });
  return {
    authenticator,
    device,
    async run(select, t, rt) {
      tamper = undefined;
      requestTamper = undefined;
      await handle(0x07, new Uint8Array(0));
      authenticator.powerCycle();
      tamper = t;
      requestTamper = rt;
      try {
        // getInfo as the (tampered) device answers it is what the context starts from
        await device.ctap2.getInfo();
        const { results } = await runSuites({
          device: { ctap2: device.ctap2, ctap1: device.ctap1, hid: device.hid, kind: 'sim' },
          context: { allowDestructive: true, pin: '1234', powerCycle: async () => authenticator.powerCycle() },
          ...select,
        });
        return results;
      } finally {
        tamper = undefined;
        requestTamper = undefined;
      }
    },
    async context(t) {
      tamper = undefined;
      requestTamper = undefined;
      await handle(0x07, new Uint8Array(0));
      authenticator.powerCycle();
      tamper = t;
      await device.ctap2.getInfo();
      return new SuiteContext(
        { ctap2: device.ctap2, ctap1: device.ctap1, hid: device.hid, kind: 'sim' },
        { allowDestructive: true, pin: '1234', powerCycle: async () => authenticator.powerCycle() },
      );
    },
    async close() {
      await device.close();
      sim.close();
    },
  };
}

export const failed = (results: CheckResult[]) => results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id);

/** The response map, changed by `edit` (for tampers that alter members of a successful answer). */
export function editResponse(response: CborResponse, edit: (map: CborMap) => void): CborResponse {
  if (response.status !== 0 || response.payload.length === 0) return response;
  const map = decodeCbor(response.payload).value as CborMap;
  edit(map);
  return { status: 0, payload: encodeCanonicalCbor(map as CborValue) };
}

/** Answers `to` (no payload) wherever the simulator answered `from` to `command` (and `when` holds). */
export function swapStatus(command: number, from: number, to: number, when: (request: CborMap | undefined) => boolean = () => true): Tamper {
  return (c, req, res) => (c === command && res.status === from && when(req) ? { status: to, payload: new Uint8Array(0) } : res);
}

/** Clears bits of the authenticatorData flags byte in makeCredential (0x01) and getAssertion (0x02) answers. */
export function clearAuthDataFlags(mask: number, commands: number[] = [0x01, 0x02]): Tamper {
  return (c, _req, res) => {
    if (!commands.includes(c)) return res;
    return editResponse(res, (map) => {
      // authData is member 0x02 of both answers (CTAP 2.1 §6.1, §6.2)
      const authData = new Uint8Array(map.get(2) as Uint8Array);
      authData[32] = authData[32]! & ~mask;
      map.set(2, authData);
    });
  };
}

export const subCommandIs = (sub: number) => (req: CborMap | undefined) => req?.get(2) === sub;

/** Edits the getInfo answer (authenticatorGetInfo 0x04). */
export function editInfo(edit: (info: CborMap) => void): Tamper {
  return (c, _req, res) => (c === 0x04 ? editResponse(res, edit) : res);
}

/** Sets one getInfo option (member 0x04) to `value` (undefined removes it). */
export function infoOption(name: string, value: boolean | undefined): Tamper {
  return editInfo((info) => {
    const options = info.get(4) as Map<string, boolean>;
    if (value === undefined) options.delete(name);
    else options.set(name, value);
  });
}

/** Answers a well-formed CTAP2_OK (acceptedBody) wherever the simulator refused `command` with `from` (and `when` holds). */
export function acceptInstead(command: number, from: number, when: (request: CborMap | undefined) => boolean = () => true): Tamper {
  return (c, req, res) => (c === command && res.status === from && when(req) ? { status: 0, payload: encodeCanonicalCbor(acceptedBody(command)) } : res);
}
