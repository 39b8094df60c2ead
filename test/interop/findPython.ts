import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { runSimCommand } from '../../authenticator-sim/index.ts';

/**
 * The first python3 that can import `modules` (pyenv shims may hide Debian's dist-packages), with
 * python-fido2's version, and the interpreters tried.
 */
export function findPython(modules = 'fido2'): { python?: string; version?: string; tried: string[] } {
  const tried: string[] = [];
  for (const candidate of [process.env.FIDO2_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[]) {
    const r = spawnSync(candidate, ['-c', `import ${modules}, fido2; print(fido2.__version__)`], { encoding: 'utf8', timeout: 120_000 }); // a hang guard: imports are slow on a loaded machine
    tried.push(candidate);
    if (r.status === 0) return { python: candidate, version: r.stdout.trim(), tried };
  }
  return { tried };
}

/**
 * Runs a python-fido2 step script (one "ok  STEP" line per step, "PASS" last, "FAIL …" on the first
 * failure) and asserts that every step in `steps` passed.
 */
export async function expectScriptPasses(python: string, script: string, args: string[], steps: readonly string[], timeoutMs: number): Promise<void> {
  const child = spawn(python, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  expect(out).not.toMatch(/^FAIL/m);
  expect(code, out).toBe(0);
  for (const s of steps) expect(out, `step "${s}"`).toContain(`ok  ${s}`);
  expect(out.trim().split('\n').at(-1)).toBe('PASS');
}

/**
 * Runs `fido-harness sim --udp 127.0.0.1:0 …extra` in-process for `use(port)`, then stops it and asserts
 * that it exited 0.
 */
export async function withUdpSimulator(extra: string[], use: (port: number) => Promise<void>): Promise<void> {
  const lines: string[] = [];
  const ac = new AbortController();
  const sim = runSimCommand(['--udp', '127.0.0.1:0', ...extra], { out: (l) => lines.push(l), err: (l) => lines.push(l), signal: ac.signal });
  try {
    let port = 0;
    for (let i = 0; i < 500 && !port; i++) {
      const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(lines.join('\n'));
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(port, lines.join('\n')).toBeGreaterThan(0);
    await use(port);
  } finally {
    ac.abort();
    expect(await sim).toBe(0);
  }
}
