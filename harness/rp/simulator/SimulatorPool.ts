import { createSimulatorDevice } from '../../../authenticator-sim/ctaphid/createSimulatorDevice.ts';
import type { Authenticator } from '../../../authenticator-sim/index.ts';
import { ClientPin, PinUvAuthProtocolTwo, WebAuthnClient } from '../../client/index.ts';
import { openDevice, type OpenedDevice } from '../../ctap/index.ts';
import { connectReportDevice } from '../../transport/index.ts';

/**
 * The PIN the server's client sets on each simulator and sends when the device asks (the page says so):
 * it lets "userVerification: required" (the Entra profile) be met by a PIN/UV auth token, as a roaming
 * key without biometrics does it.
 */
export const SIMULATOR_PIN = '123456';

export interface PooledSimulator {
  authenticator: Authenticator;
  device: OpenedDevice;
  client: WebAuthnClient;
  lastUsed: number;
  /** ceremonies on one CTAPHID channel run one after another */
  queue: Promise<unknown>;
  close(): Promise<void>;
}

/**
 * One in-process simulator per browser session (so sessions do not see each other's credentials), each
 * behind the full host stack: WebAuthnClient → Ctap2 → CTAPHID channel → memory transport → simulator's
 * CTAPHID device. Bounded: the least recently used one is closed when `max` are open.
 */
export class SimulatorPool {
  private readonly sims = new Map<string, Promise<PooledSimulator>>();

  constructor(
    private readonly origin: string,
    private readonly now: () => number,
    private readonly max = 16,
  ) {}

  /** Runs `task` with this session's simulator, after any task already running on it. */
  async use<T>(sessionId: string, task: (sim: PooledSimulator) => Promise<T>): Promise<T> {
    let pending = this.sims.get(sessionId);
    if (!pending) {
      await this.evictIfFull();
      pending = this.open();
      this.sims.set(sessionId, pending);
      pending.catch(() => this.sims.delete(sessionId));
    }
    const sim = await pending;
    sim.lastUsed = this.now();
    const run = sim.queue.then(() => task(sim));
    sim.queue = run.catch(() => undefined);
    return run;
  }

  /** the session was renewed (signed in): its simulator, and the credentials on it, go with it */
  rekey(from: string, to: string): void {
    const sim = this.sims.get(from);
    if (!sim || from === to) return;
    this.sims.delete(from);
    this.sims.set(to, sim);
    sim.catch(() => this.sims.get(to) === sim && this.sims.delete(to));
  }

  get size(): number {
    return this.sims.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.sims.values()];
    this.sims.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }

  private async evictIfFull(): Promise<void> {
    if (this.sims.size < this.max) return;
    let oldest: [string, PooledSimulator] | undefined;
    for (const [id, p] of this.sims) {
      const s = await p.catch(() => undefined);
      if (s && (!oldest || s.lastUsed < oldest[1].lastUsed)) oldest = [id, s];
    }
    if (oldest) {
      this.sims.delete(oldest[0]);
      await oldest[1].close();
    }
  }

  private async open(): Promise<PooledSimulator> {
    const { authenticator, device: simDevice } = await createSimulatorDevice({ allowResetAnytime: true });
    const device = await openDevice({ kind: 'memory', connect: connectReportDevice(simDevice), name: 'memory:rp-simulator' }, { ctaphid: { timeoutMs: 10_000 } });
    await new ClientPin(device.ctap2, new PinUvAuthProtocolTwo()).setPin(SIMULATOR_PIN);
    // getInfo again: the client plans UV from options.clientPin, which is true only now
    await device.ctap2.getInfo();
    const client = new WebAuthnClient({ ctap: device.ctap2, origin: this.origin, pin: SIMULATOR_PIN });
    return {
      authenticator,
      device,
      client,
      lastUsed: this.now(),
      queue: Promise.resolve(),
      close: async () => {
        await device.close();
        simDevice.close();
      },
    };
  }
}
