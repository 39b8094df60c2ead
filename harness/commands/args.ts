// The one argument parser of every `fido-harness` command. A command declares its options in a
// CommandSpec (one line per flag); the parser gives typed values, `--help` for the command and each
// subcommand, and one-line usage errors. It imports nothing heavy, so `--help` answers without loading the harness.
import { terminalSafe } from '../../reports/terminalSafe.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** help text, one line */
  help: string;
  /** placeholder shown in help, e.g. FILE (string options) */
  value?: string;
  /** may be given several times; values are also split at commas */
  multiple?: boolean;
  default?: string;
  short?: string;
}

export interface CommandSpec {
  /** the words after `fido-harness`, e.g. "run" or "mds verify" */
  name: string;
  /** one line: what the command does */
  summary: string;
  /** positional arguments in the synopsis, e.g. "RUN.json" or "A.json B.json" */
  args?: string;
  /** how many positional arguments it takes (default none) */
  positionals?: { min: number; max: number };
  options: Record<string, OptionSpec>;
  /** subcommands chosen by the first word */
  subcommands?: Record<string, CommandSpec>;
  /** further help lines printed after the options */
  notes?: string[];
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean'
  ? boolean
  : O['multiple'] extends true
    ? string[]
    : O['default'] extends string
      ? string
      : string | undefined;

export type ParsedValues<S extends CommandSpec> = { -readonly [K in keyof S['options']]: ValueOf<S['options'][K]> };

export interface Parsed<S extends CommandSpec> {
  values: ParsedValues<S>;
  positionals: string[];
}

/** A usage error: one line saying what is wrong (and what to do); the exit code is 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown for `--help`: the caller prints `text` and exits 0. */
export class HelpRequest {
  constructor(readonly text: string) {}
}

/**
 * Parses `args` against `spec`: `--name VALUE`, `--name=VALUE`, boolean `--name`, `-h`/`--help`, and `--`
 * (everything after it is positional). Throws HelpRequest for `--help`, UsageError for anything else wrong.
 */
export function parseCommandArgs<S extends CommandSpec>(spec: S, args: readonly string[]): Parsed<S> {
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    values[name] = o.type === 'boolean' ? false : o.multiple ? [] : o.default;
  }
  const positionals: string[] = [];
  const shorts = new Map<string, string>();
  for (const [n, o] of Object.entries(spec.options)) if (o.short) shorts.set(`-${o.short}`, n);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') throw new HelpRequest(helpText(spec));
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = shorts.get(arg) ?? (arg.startsWith('--') ? arg.slice(2, eq > 0 ? eq : undefined) : '');
    const o = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    if (!o) throw new UsageError(`unknown option ${eq > 0 ? arg.slice(0, eq) : arg}`);
    if (o.type === 'boolean') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`--${name} needs a value${o.value ? ` (${o.value})` : ''}`);
      i++;
    }
    if (o.multiple) (values[name] as string[]).push(...value.split(',').map((v) => v.trim()).filter(Boolean));
    else values[name] = value;
  }
  const want = spec.positionals ?? { min: 0, max: 0 };
  if (positionals.length > want.max) throw new UsageError(`unexpected argument ${positionals[want.max]!}`);
  if (positionals.length < want.min) throw new UsageError(`missing ${spec.args ?? 'argument'}`);
  return { values: values as ParsedValues<S>, positionals };
}

/** The synopsis line: `usage: fido-harness NAME [options] ARGS` (subcommands listed). */
export function usageLine(spec: CommandSpec): string {
  if (spec.subcommands) return `usage: fido-harness ${spec.name} ${Object.keys(spec.subcommands).join('|')} … (fido-harness ${spec.name} --help)`;
  const opts = Object.keys(spec.options).length ? ' [options]' : '';
  return `usage: fido-harness ${spec.name}${opts}${spec.args ? ` ${spec.args}` : ''} (fido-harness ${spec.name} --help lists the options)`;
}

/** Full help: synopsis, summary, one line per option with its default, notes. */
export function helpText(spec: CommandSpec): string {
  const lines: string[] = [];
  if (spec.subcommands) {
    lines.push(`usage: fido-harness ${spec.name} <${Object.keys(spec.subcommands).join('|')}> [options]`, '', spec.summary, '');
    const width = Math.max(...Object.keys(spec.subcommands).map((s) => s.length));
    for (const [name, sub] of Object.entries(spec.subcommands)) lines.push(`  ${name.padEnd(width)}  ${sub.args ? `${sub.args}: ` : ''}${sub.summary}`);
    const subs = Object.values(spec.subcommands);
    // one subcommand: its options here too
    if (subs.length === 1) lines.push('', helpText(subs[0]!).trimEnd());
    else lines.push('', `fido-harness ${spec.name} <subcommand> --help shows its options.`);
  } else {
    lines.push(`usage: fido-harness ${spec.name}${Object.keys(spec.options).length ? ' [options]' : ''}${spec.args ? ` ${spec.args}` : ''}`, '', spec.summary);
    const rows = Object.entries(spec.options).map(([name, o]) => {
      const left = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
      const right = `${o.help}${o.multiple ? ' (repeatable, or comma-separated)' : ''}${o.default !== undefined ? ` (default: ${o.default})` : ''}`;
      return [left, right] as const;
    });
    rows.push(['-h, --help', 'this help']);
    const width = Math.max(...rows.map(([l]) => l.length));
    lines.push('', 'options:', ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`));
  }
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** Chooses the subcommand named by the first word; `--help` (or no word) gives the command's help. */
export function subcommand(spec: CommandSpec, args: readonly string[]): { sub: CommandSpec; rest: string[] } {
  const [word, ...rest] = args;
  if (word === undefined || word === '--help' || word === '-h') {
    if (word === undefined) throw new UsageError(`which one? ${Object.keys(spec.subcommands ?? {}).join(', ')}`);
    throw new HelpRequest(helpText(spec));
  }
  const sub = spec.subcommands?.[word];
  if (!sub || !Object.hasOwn(spec.subcommands!, word)) throw new UsageError(`unknown subcommand ${word} (${Object.keys(spec.subcommands ?? {}).join(', ')})`);
  return { sub, rest };
}

export interface CommandStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Runs a command body with the house rules for usage: HelpRequest → the help on stdout, exit 0;
 * UsageError → "fido-harness NAME: message" and the usage line on stderr, exit 2.
 */
export async function withUsage(spec: CommandSpec, io: CommandStreams, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof HelpRequest) {
      io.stdout.write(err.text);
      return 0;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`${usageError(spec, err.message)}\n`);
      return 2;
    }
    throw err;
  }
}

/** "fido-harness NAME: message" and the command's usage line (two lines, the first says what is wrong). */
export function usageError(spec: CommandSpec, message: string): string {
  // the message may quote what the user or a file gave: escaped; the line break before the usage is ours
  return `fido-harness ${spec.name}: ${terminalSafe(message)}\n${usageLine(spec)}`;
}

/** `--at DATE`: a bare date is midnight UTC; otherwise an ISO 8601 date-time. */
export function parseTime(value: string, flag = '--at'): Date {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) throw new UsageError(`${flag} "${value}" is not a date (e.g. 2023-01-15 or 2023-01-15T12:00:00Z)`);
  return new Date(t);
}

/** The one-paragraph synopsis of a command for the README: `fido-harness NAME ARGS [--flag VALUE] …`, wrapped. */
export function synopsis(spec: CommandSpec, width = 110): string[] {
  if (spec.subcommands) return Object.values(spec.subcommands).flatMap((sub) => synopsis(sub, width));
  const words = [
    `fido-harness ${spec.name}${spec.args ? ` ${spec.args}` : ''}`,
    ...Object.entries(spec.options).map(([name, o]) => `[--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}${o.multiple ? ' …' : ''}]`),
  ];
  const lines: string[] = [];
  const indent = ' '.repeat(Math.min(words[0]!.length + 1, 30));
  let line = words[0]!;
  for (const w of words.slice(1)) {
    if (line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line += ` ${w}`;
  }
  lines.push(line);
  return lines;
}
