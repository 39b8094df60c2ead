// The README's generated lists match the code (scripts/readme.ts, `npm run docs`), its links and the docs'
// links stay inside the repository, and nothing in code, tests or docs points at notes outside it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedSections, README, renderReadme } from '../../scripts/readme.ts';

const REPO = resolve(import.meta.dirname, '..', '..');

describe('README.md', () => {
  it('its generated lists are what npm run docs writes (commands, checks per area, quirks)', () => {
    const text = readFileSync(README, 'utf8');
    expect(renderReadme(text)).toBe(text);
    const sections = generatedSections();
    expect(sections.commands).toContain('fido-harness run [--device DEV]');
    expect(sections.quirks).toContain('`counter-stuck`');
    expect(sections.checks).toMatch(/\| `getinfo` \| \d+ \|/);
  });

  it('a README whose list is stale is caught', () => {
    const text = readFileSync(README, 'utf8').replace(/\| `counter-stuck` \|[^\n]*\n/, '');
    expect(renderReadme(text)).not.toBe(text);
  });

  it('README and docs/ link only to files inside the repository that exist', () => {
    const docs = ['README.md', ...readdirSync(join(REPO, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
    const broken: string[] = [];
    for (const file of docs) {
      const text = readFileSync(join(REPO, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // a web address
        const path = resolve(REPO, dirname(file), target);
        if (!path.startsWith(`${REPO}/`) || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing in the repository points at the old design notes or at issue numbers', () => {
    const r = spawnSync('git', ['grep', '--untracked', '-nE', 'DESIGN\\.md|STYLE\\.md|MICROSOFT-ENTRA\\.md|STACK-NOTES|\\.\\./shared|[Ii]ssue [0-9]+', '--', '.', ':!test/docs/readme.test.ts'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).not.toBe(128);
    expect(r.stdout).toBe('');
  });
});
