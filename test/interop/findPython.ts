import { spawnSync } from 'node:child_process';

/**
 * The first python3 that can import `modules` (pyenv shims may hide Debian's dist-packages), with
 * python-fido2's version, and the interpreters tried.
 */
export function findPython(modules = 'fido2'): { python?: string; version?: string; tried: string[] } {
  const tried: string[] = [];
  for (const candidate of [process.env.FIDO2_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[]) {
    const r = spawnSync(candidate, ['-c', `import ${modules}, fido2; print(fido2.__version__)`], { encoding: 'utf8', timeout: 10_000 });
    tried.push(candidate);
    if (r.status === 0) return { python: candidate, version: r.stdout.trim(), tried };
  }
  return { tried };
}
