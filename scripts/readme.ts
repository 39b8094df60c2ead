// `npm run docs`: the README's lists generated from the code — the commands with their flags (the parser's
// specs), the checks per area (the suites) and the simulator quirks — between <!-- generated:NAME --> markers.
// `npm run docs -- --check` (and test/docs/readme.test.ts) fails when the README is not what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listQuirks } from '../authenticator-sim/quirks/index.ts';
import { synopsis, type CommandSpec } from '../harness/commands/args.ts';
import { ATTESTATION_SPEC } from '../harness/commands/attestation.ts';
import { DEVICES_SPEC } from '../harness/commands/devices.ts';
import { COMMANDS } from '../harness/commands/main.ts';
import { MDS_SPEC } from '../harness/commands/mds.ts';
import { REPORT_SPEC } from '../harness/commands/report.ts';
import { RUN_SPEC } from '../harness/commands/run.ts';
import { SERVE_SPEC } from '../harness/commands/serve.ts';
import { SIM_SPEC } from '../harness/commands/sim.ts';
import { ALL_CHECKS } from '../harness/suites/index.ts';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

const SPECS: Record<string, CommandSpec> = { run: RUN_SPEC, devices: DEVICES_SPEC, sim: SIM_SPEC, serve: SERVE_SPEC, mds: MDS_SPEC, attestation: ATTESTATION_SPEC, report: REPORT_SPEC };

/** The generated blocks, by marker name. */
export function generatedSections(): Record<string, string> {
  const commands = COMMANDS.flatMap((c) => {
    const spec = SPECS[c.name];
    if (!spec) throw new Error(`no spec for command ${c.name}`);
    return [`# ${c.summary}`, ...synopsis(spec)];
  });
  const areas = new Map<string, number>();
  for (const c of ALL_CHECKS) areas.set(c.suite, (areas.get(c.suite) ?? 0) + 1);
  const quirks = listQuirks();
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return {
    commands: ['```', ...commands, '```'].join('\n'),
    checks: [
      `${ALL_CHECKS.length} checks in ${areas.size} areas (\`fido-harness run --list\` lists them with their titles):`,
      '',
      '| area | checks |',
      '|---|---|',
      ...[...areas].map(([area, n]) => `| \`${area}\` | ${n} |`),
    ].join('\n'),
    quirks: [
      `${quirks.length} quirks (\`fido-harness sim --list-quirks\`):`,
      '',
      '| quirk | misbehaviour | caught by |',
      '|---|---|---|',
      ...quirks.map((q) => `| \`${q.name}\` | ${cell(q.description)} | ${cell(q.caughtBy)} |`),
    ].join('\n'),
  };
}

/** The README with every generated block replaced; throws when a marker pair is missing. */
export function renderReadme(text: string): string {
  let out = text;
  for (const [name, body] of Object.entries(generatedSections())) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[^]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`README.md has no <!-- generated:${name} --> … <!-- /generated:${name} --> block`);
    out = out.replace(pattern, (_m, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const current = readFileSync(README, 'utf8');
  const next = renderReadme(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('README.md is out of date: run npm run docs');
      process.exitCode = 1;
    }
  } else if (next !== current) {
    writeFileSync(README, next);
    console.log('README.md updated');
  } else console.log('README.md is up to date');
}
