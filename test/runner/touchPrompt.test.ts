import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CtaphidCommand } from '../../harness/protocol/index.ts';
import { touchPrompt } from '../../harness/run/touchPrompt.ts';
import { PresenceWaits } from '../../harness/transport/index.ts';
import { planAndRun } from './touchPlanHarness.ts';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('the touch prompt', () => {
  it('should name the waiting key when several run, with device text made safe for the terminal', () => {
    const waits = new PresenceWaits();
    const err = sink();
    const p = touchPrompt(waits, { device: { spec: 'hid:/dev/hidraw3', path: '/dev/hidraw3', product: 'Key\u001b[31m 5' }, prompt: true, several: true, stderr: err.stream, env: {} });
    waits.started({ cmd: CtaphidCommand.CBOR, ctapCommand: 0x01 });
    waits.started({ cmd: CtaphidCommand.CBOR, ctapCommand: 0x02 }); // within 5 s: not repeated
    p.stop();
    waits.started({ cmd: CtaphidCommand.CBOR, ctapCommand: 0x01 }); // stopped: nothing
    expect(err.text()).toBe('Touch the security key Key\\u001b[31m 5 at /dev/hidraw3 (it is blinking)\n');
  });

  it('should run the touch command once per wait with the device in its environment, and report a failing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fido-harness-touch-'));
    const log = join(dir, 'calls');
    writeFileSync(join(dir, 'touch.sh'), `#!/bin/sh\necho "$FIDO_HARNESS_DEVICE $FIDO_HARNESS_COMMAND" >> "${log}"\n[ "$FIDO_HARNESS_COMMAND" = "02" ] && echo "relay stuck" >&2 && exit 3\nexit 0\n`, { mode: 0o755 });
    const waits = new PresenceWaits();
    const err = sink();
    const p = touchPrompt(waits, { device: { spec: 'udp:127.0.0.1:8111', path: 'udp:127.0.0.1:8111' }, prompt: false, several: false, command: join(dir, 'touch.sh'), stderr: err.stream, env: { PATH: process.env.PATH } });
    waits.started({ cmd: CtaphidCommand.CBOR, ctapCommand: 0x01 });
    waits.started({ cmd: CtaphidCommand.CBOR, ctapCommand: 0x02 });
    waits.polling(); // a U2F wait (CTAPHID_MSG)
    await p.settled();
    p.stop();
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['udp:127.0.0.1:8111 01', 'udp:127.0.0.1:8111 02', 'udp:127.0.0.1:8111 03']);
    expect(p.failures).toBe(1);
    expect(err.text()).toBe('--touch-command: exited 3: relay stuck\n');
  });

  it('should call the wink hook before each check that will ask for a touch, and only those', async () => {
    let winks = 0;
    const r = await planAndRun({ suites: ['u2f'], beforeTouch: async () => void winks++ });
    // U2F-REG-001 pays for the pooled registration, U2F-AUTH-003 asks for a touch itself
    expect(winks).toBe(2);
    expect(r.results.find((c) => c.id === 'U2F-REG-001')?.touches).toBe(1);
    expect(r.results.find((c) => c.id === 'U2F-AUTH-003')?.touches).toBe(1);
  }, 60_000);
});
