import { describe, expect, it } from 'vitest';
import { Authenticator, createSimulatorDevice, DEFAULT_SELECTION_HOLD } from '../../authenticator-sim/index.ts';
import { Ctap2, DirectAuthenticatorChannel, openDevice } from '../../harness/ctap/index.ts';
import { ClientPinSubCommand, CtapCommand, decodeCbor, type CborMap } from '../../harness/protocol/index.ts';
import { ALL_CHECKS, CheckSelectionError, selectChecks } from '../../harness/suites/index.ts';
import { prepareRun, runSuites, type RunSuitesOptions } from '../../harness/suites/runSuites.ts';
import type { SuiteCheck } from '../../harness/suites/SuiteContext.ts';
import { connectReportDevice, TransportError } from '../../harness/transport/index.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

// runSuites (harness/suites/runSuites.ts): the set-up before each check (a reset when the key is low on
// discoverable slots, the PIN a check needs, the touch announcement), the run stopped when the device is lost,
// and the selection of checks by --suite and --check (harness/suites/index.ts).

interface Sent {
  command: number;
  subCommand?: number;
}

/** The simulator behind a direct channel, every command it got recorded; `lose` makes a command end the device. */
async function simulator(o: { maxDiscoverableCredentials?: number; lose?: (command: number) => boolean } = {}) {
  const sim = await Authenticator.create({ allowResetAnytime: true, attestationMaterial: await sharedAttestationMaterial(), ...(o.maxDiscoverableCredentials ? { maxDiscoverableCredentials: o.maxDiscoverableCredentials } : {}) });
  const sent: Sent[] = [];
  let lost = false;
  let armed = false;
  const ctap2 = await Ctap2.open(
    new DirectAuthenticatorChannel({
      async handleCbor(command: number, payload: Uint8Array) {
        if (lost || (armed && o.lose?.(command))) {
          lost = true;
          throw new TransportError('TRANSPORT_DISCONNECTED', 'the key was pulled');
        }
        const params = payload.length ? (decodeCbor(payload).value as CborMap) : undefined;
        const sub = params?.get(2);
        sent.push({ command, ...(command === CtapCommand.authenticatorClientPIN && typeof sub === 'number' ? { subCommand: sub } : {}) });
        return sim.handleCbor(command, payload);
      },
    }),
  );
  sent.length = 0;
  armed = true;
  return { sim, ctap2, sent, resets: () => sent.filter((s) => s.command === CtapCommand.authenticatorReset).length };
}

const run = (ctap2: Ctap2, o: Partial<RunSuitesOptions> & { allowDestructive?: boolean }) =>
  runSuites({ device: { ctap2, kind: 'sim' }, context: { allowDestructive: o.allowDestructive ?? true, pin: '1234' }, timeoutMs: 20_000, ...o });

const statuses = (results: { id: string; status: string }[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

describe('runSuites', () => {
  it('resets before each check while the key has fewer than 8 free discoverable slots, only when resets are allowed', async () => {
    const checks = ['INFO-VERSIONS-001', 'INFO-AAGUID-001'];
    const low = await simulator({ maxDiscoverableCredentials: 7 });
    expect(low.ctap2.info!.remainingDiscoverableCredentials).toBe(7);
    expect(statuses((await run(low.ctap2, { checks })).results)).toEqual({ 'INFO-VERSIONS-001': 'pass', 'INFO-AAGUID-001': 'pass' });
    expect(low.resets()).toBe(2);
    const enough = await simulator({ maxDiscoverableCredentials: 8 });
    await run(enough.ctap2, { checks });
    expect(enough.resets()).toBe(0);
    const notAllowed = await simulator({ maxDiscoverableCredentials: 7 });
    expect(statuses((await run(notAllowed.ctap2, { checks, allowDestructive: false })).results)).toEqual({ 'INFO-VERSIONS-001': 'pass', 'INFO-AAGUID-001': 'pass' });
    expect(notAllowed.resets()).toBe(0);
  });

  it('sets the PIN a check needs before it runs (once), and skips a destructive check without --allow-reset', async () => {
    const s = await simulator();
    const r = await run(s.ctap2, { checks: ['CLIENTPIN-RETRIES-001', 'INFO-VERSIONS-001'] });
    expect(statuses(r.results)).toEqual({ 'INFO-VERSIONS-001': 'pass', 'CLIENTPIN-RETRIES-001': 'pass' });
    expect(s.sent.filter((x) => x.subCommand === ClientPinSubCommand.setPIN)).toHaveLength(1);
    expect(r.ctx.knownPinState).toBe('set');
    const refused = await simulator();
    const r2 = await run(refused.ctap2, { checks: ['CLIENTPIN-RETRIES-001'], allowDestructive: false });
    expect(r2.results[0]).toMatchObject({ status: 'skip', message: 'resets the key or sets its PIN: run with --allow-reset to allow (the key will be wiped)' });
    expect(refused.sent.filter((x) => x.command === CtapCommand.authenticatorClientPIN && x.subCommand === ClientPinSubCommand.setPIN)).toEqual([]);
  });

  it('tells the caller the plan, each start and each result, and the command to run a failed check again', async () => {
    const s = await simulator();
    const planned: string[][] = [];
    const started: string[] = [];
    const ended: string[] = [];
    const r = await run(s.ctap2, {
      checks: ['INFO-VERSIONS-001', 'INFO-AAGUID-001'],
      onPlan: (checks) => planned.push(checks.map((c) => c.id)),
      onStart: (check, i, total) => started.push(`${check.id} ${i}/${total}`),
      onResult: (result, i, total) => ended.push(`${result.id} ${result.status} ${i}/${total}`),
      rerunCommand: (check) => `fido-harness run --check ${check.id}`,
    });
    expect(planned).toEqual([['INFO-VERSIONS-001', 'INFO-AAGUID-001']]);
    expect(started).toEqual(['INFO-VERSIONS-001 0/2', 'INFO-AAGUID-001 1/2']);
    expect(ended).toEqual(['INFO-VERSIONS-001 pass 0/2', 'INFO-AAGUID-001 pass 1/2']);
    expect(r.results.map((x) => x.evidence?.rerun)).toEqual([undefined, undefined]);
    // a check that fails carries the command
    const lost = await simulator({ lose: (c) => c === CtapCommand.authenticatorGetInfo });
    const r2 = await run(lost.ctap2, { checks: ['INFO-ENCODING-001'], rerunCommand: (check) => `again ${check.id}`, probeMs: 100 });
    expect(r2.results[0]!.status).toBe('error');
    expect(r2.results[0]!.evidence?.rerun).toBe('again INFO-ENCODING-001');
  });

  it('gives each check the exchanges it made as evidence, and none of the ones before it', async () => {
    const s = await simulator();
    const r = await run(s.ctap2, { checks: ['INFO-VERSIONS-001', 'INFO-ENCODING-001', 'MC-COUNTER-001'] });
    const labels = Object.fromEntries(r.results.map((x) => [x.id, x.evidence?.exchanges?.map((e) => e.label)]));
    expect(labels).toEqual({
      'INFO-VERSIONS-001': undefined,
      'INFO-ENCODING-001': ['authenticatorGetInfo (0x04)'],
      'MC-COUNTER-001': ['authenticatorMakeCredential (0x01)', 'authenticatorMakeCredential (0x01)'],
    });
  });

  it('stops the run, marked incomplete, when the device is lost; the rest does not run', async () => {
    const s = await simulator({ lose: (c) => c === CtapCommand.authenticatorGetInfo });
    const r = await run(s.ctap2, { checks: ['INFO-VERSIONS-001', 'INFO-ENCODING-001', 'MC-COUNTER-001'], probeMs: 100 });
    expect(r.incompleteReason).toMatch(/^the device was lost during INFO-ENCODING-001 \(TRANSPORT_DISCONNECTED\)/);
    expect(r.results.map((x) => `${x.id} ${x.status}`)).toEqual(['INFO-VERSIONS-001 pass', 'INFO-ENCODING-001 error']);
    const fine = await simulator();
    expect('incompleteReason' in (await run(fine.ctap2, { checks: ['INFO-VERSIONS-001'] }))).toBe(false);
  });

  it('announces the checks that will ask for a touch (several keys: the one about to ask blinks), and counts the touches each cost', async () => {
    const { device: sim } = await createSimulatorDevice({ allowResetAnytime: true, presenceHold: DEFAULT_SELECTION_HOLD, attestationMaterial: await sharedAttestationMaterial() });
    const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim) });
    try {
      const options = {
        device: { ctap2: device.ctap2, ctap1: device.ctap1, hid: device.hid, kind: 'sim' },
        context: { allowDestructive: true, pin: '1234' },
        checks: ['INFO-VERSIONS-001', 'MC-COUNTER-001', 'GA-UP-001'],
        timeoutMs: 20_000,
      };
      const told: number[] = [];
      let index = -1;
      const prepared = prepareRun(options, { replugForReset: false });
      expect(prepared.checks.map((c) => c.id)).toEqual(options.checks);
      const r = await runSuites({ ...options, onStart: (_, i) => (index = i), beforeTouch: async () => void told.push(index) }, prepared);
      expect(statuses(r.results)).toEqual({ 'INFO-VERSIONS-001': 'pass', 'MC-COUNTER-001': 'pass', 'GA-UP-001': 'pass' });
      expect(r.ctx).toBe(prepared.ctx);
      // MC-COUNTER-001 pays for the shared credentials (two touches), GA-UP-001 asks for its own
      expect(Object.fromEntries(prepared.plan.perCheck)).toEqual(Object.fromEntries(r.results.filter((x) => x.touches).map((x) => [x.id, x.touches])));
      expect(r.results[0]!.touches).toBeUndefined();
      expect(r.results[1]!.touches).toBe(2);
      expect(told).toEqual([...prepared.plan.perCheck.keys()].map((id) => options.checks.indexOf(id)));
      expect(told).toContain(1);
      expect(told).not.toContain(0);
      // without a plan, the checks' declared touches decide: MC-COUNTER-001 declares none of its own
      const told2: number[] = [];
      await runSuites({ ...options, onStart: (_, i) => (index = i), beforeTouch: async () => void told2.push(index) });
      expect(told2).not.toContain(0);
      expect(told2).not.toContain(1);
      // a prepared run runs the checks it selected, in its context
      const narrow = prepareRun({ ...options, checks: ['INFO-VERSIONS-001'] }, { replugForReset: false });
      const r3 = await runSuites(options, narrow);
      expect([r3.results.map((x) => x.id), r3.ctx === narrow.ctx]).toEqual([['INFO-VERSIONS-001'], true]);
    } finally {
      await device.close();
      sim.close();
    }
  });
  it('gives a check that asks for touches touchTimeoutMs per touch on top of its time limit', async () => {
    // GA-UP-001 declares one touch of its own; each answer of this key takes 5 ms, so 1 ms alone is too short
    const slowKey = async () => {
      const sim = await Authenticator.create({ allowResetAnytime: true, attestationMaterial: await sharedAttestationMaterial() });
      return Ctap2.open(new DirectAuthenticatorChannel({ handleCbor: async (c: number, p: Uint8Array) => (await new Promise((r) => setTimeout(r, 5)), sim.handleCbor(c, p)) }));
    };
    const r = await run(await slowKey(), { checks: ['GA-UP-001'], timeoutMs: 1, probeMs: 100 });
    expect(r.results[0]).toMatchObject({ status: 'error', message: 'time limit of 1 ms exceeded' });
    expect(statuses((await run(await slowKey(), { checks: ['GA-UP-001'], timeoutMs: 1, touchTimeoutMs: 20_000 })).results)).toEqual({ 'GA-UP-001': 'pass' });
  });
});

describe('selectChecks', () => {
  it('selects every check in run order by default, a suite in any case, checks by id in any case', () => {
    expect(selectChecks()).toEqual(ALL_CHECKS);
    expect(selectChecks({})).toEqual(ALL_CHECKS);
    const nfc = selectChecks({ suites: ['NFC'] });
    expect(nfc.length).toBeGreaterThan(10);
    expect(nfc.every((c) => c.suite === 'nfc')).toBe(true);
    expect(selectChecks({ suites: ['nfc'] })).toEqual(nfc);
    expect(selectChecks({ checks: ['nfc-select-001', 'INFO-VERSIONS-001'] }).map((c) => c.id)).toEqual(['INFO-VERSIONS-001', 'NFC-SELECT-001']);
    expect(selectChecks({ suites: ['nfc', 'getinfo'] }).map((c) => c.suite)).toEqual(ALL_CHECKS.filter((c) => c.suite === 'nfc' || c.suite === 'getinfo').map((c) => c.suite));
    expect(selectChecks({ suites: ['nfc'], checks: ['NFC-SELECT-002'] }).map((c) => c.id)).toEqual(['NFC-SELECT-002']);
    expect(selectChecks({ suites: [], checks: [] })).toEqual(ALL_CHECKS);
  });

  it('refuses unknown names, and a suite and a check with nothing in common, naming what there is', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    };
    const unknownSuite = err(() => selectChecks({ suites: ['nope'] }));
    expect(unknownSuite).toBeInstanceOf(CheckSelectionError);
    expect(unknownSuite.name).toBe('CheckSelectionError');
    expect(unknownSuite.message).toMatch(/^unknown suite "nope"; suites: getinfo, make-credential, .*nfc/);
    expect(err(() => selectChecks({ checks: ['NFC-SELECT-999'] })).message).toBe('unknown check id "NFC-SELECT-999" (fido-harness run --list shows them)');
    const disjoint = err(() => selectChecks({ suites: ['nfc'], checks: ['INFO-VERSIONS-001', 'U2F-VER-001'] }));
    expect(disjoint).toBeInstanceOf(CheckSelectionError);
    expect(disjoint.message).toBe('--suite nfc and --check select no check in common (INFO-VERSIONS-001 is in suite getinfo, U2F-VER-001 is in suite u2f): give one of them');
  });

  it('orders the run: PIN-less checks first, then client-pin, then the checks that need a PIN, reset last', () => {
    const at = (pred: (c: SuiteCheck) => boolean) => ALL_CHECKS.findIndex(pred);
    const lastAt = (pred: (c: SuiteCheck) => boolean) => ALL_CHECKS.length - 1 - [...ALL_CHECKS].reverse().findIndex(pred);
    expect(ALL_CHECKS.slice(-selectChecks({ suites: ['reset'] }).length).every((c) => c.suite === 'reset')).toBe(true);
    expect(at((c) => c.suite === 'client-pin')).toBeGreaterThan(lastAt((c) => c.suite === 'nfc'));
    const webauthnPin = at((c) => c.suite === 'webauthn' && c.needs?.pin === 'set');
    expect(webauthnPin).toBeGreaterThan(lastAt((c) => c.suite === 'client-pin'));
    expect(new Set(ALL_CHECKS.map((c) => c.id)).size).toBe(ALL_CHECKS.length);
  });
});
