import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../harness/run/progress.ts';
import { terminalSafe } from '../../reports/terminalSafe.ts';
import type { CheckResult } from '../../reports/model.ts';

function sink() {
  let text = '';
  const stdout = Object.assign(
    new Writable({
      write(chunk, _e, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY: false },
  );
  return { stdout, text: () => text };
}

const result = (over: Partial<CheckResult>): CheckResult => ({
  id: 'X-Y-001',
  suite: 'area',
  title: 't',
  specRef: 's',
  status: 'pass',
  message: 'm',
  durationMs: 1,
  ...over,
});

describe('run progress', () => {
  it('should write plain lines without a TTY: one per failing check and one per area', () => {
    const out = sink();
    const p = createProgress({ stdout: out.stdout, env: {} });
    const checks = [result({ id: 'A-B-001' }), result({ id: 'A-B-002', status: 'fail', message: 'wrong' }), result({ id: 'C-D-001', suite: 'other', status: 'skip' })];
    p.plan(checks);
    checks.forEach((c, i) => {
      p.start(c, i, checks.length);
      p.result(c, i, checks.length);
    });
    p.done();
    expect(out.text()).toBe(
      'FAIL A-B-002 t: wrong\n' +
        'area: 1 passed, 1 failed, 0 warned, 0 skipped, 0 errored\n' +
        'other: 0 passed, 0 failed, 0 warned, 1 skipped, 0 errored\n',
    );
  });

  it('should show control characters and bidi overrides from device strings as escapes', () => {
    expect(terminalSafe('name\u001b[31m\u0007\u202eevil\r\n')).toBe('name\\u001b[31m\\u0007\\u202eevil\\u000d\\u000a');
    const out = sink();
    const p = createProgress({ stdout: out.stdout, env: {} });
    const r = result({ status: 'fail', message: 'user \u001b]0;pwned\u0007 <b>' });
    p.plan([r]);
    p.start(r, 0, 1);
    p.result(r, 0, 1);
    expect(out.text()).not.toMatch(/[\u0000-\u001f](?!$)/);
    expect(out.text()).toContain('user \\u001b]0;pwned\\u0007 <b>');
  });
});
