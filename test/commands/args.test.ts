import { describe, expect, it } from 'vitest';
import { helpText, HelpRequest, parseCommandArgs, parseTime, subcommand, UsageError, usageError, type CommandSpec } from '../../harness/commands/args.ts';

const SPEC = {
  name: 'demo',
  summary: 'a demo',
  args: 'FILE',
  positionals: { min: 1, max: 1 },
  options: {
    device: { type: 'string', value: 'DEV', default: 'sim', help: 'which device' },
    check: { type: 'string', multiple: true, help: 'checks' },
    pin: { type: 'string', help: 'PIN' },
    json: { type: 'boolean', short: 'j', help: 'JSON' },
  },
} as const satisfies CommandSpec;

describe('parseCommandArgs', () => {
  it('gives typed values with defaults, = and space forms, repeatable comma lists and positionals', () => {
    const { values, positionals } = parseCommandArgs(SPEC, ['--check', 'A,b', 'f.json', '--check=C', '-j', '--pin=12=34']);
    expect(values).toEqual({ device: 'sim', check: ['A', 'b', 'C'], pin: '12=34', json: true });
    expect(positionals).toEqual(['f.json']);
  });

  it('takes everything after -- as positional', () => {
    expect(parseCommandArgs(SPEC, ['--', '--json']).positionals).toEqual(['--json']);
  });

  it.each([
    [['--bogus', 'f'], 'unknown option --bogus'],
    [['--bogus=1', 'f'], 'unknown option --bogus'],
    [['--device'], '--device needs a value (DEV)'],
    [['--device', '--json', 'f'], '--device needs a value (DEV)'],
    [['--json=yes', 'f'], '--json takes no value'],
    [[], 'missing FILE'],
    [['a', 'b'], 'unexpected argument b'],
    [['--toString', 'f'], 'unknown option --toString'],
  ])('%j is a one-line usage error', (args, message) => {
    expect(() => parseCommandArgs(SPEC, args)).toThrow(new UsageError(message));
  });

  it('--help anywhere is a help request listing every option with its default', () => {
    let help: unknown;
    try {
      parseCommandArgs(SPEC, ['f', '--bogus-later-is-fine-after-help', '--help']);
    } catch (e) {
      help = e;
    }
    // the unknown option before --help is found first
    expect(help).toBeInstanceOf(UsageError);
    try {
      parseCommandArgs(SPEC, ['--help', '--bogus']);
    } catch (e) {
      help = e;
    }
    expect(help).toBeInstanceOf(HelpRequest);
    const text = (help as HelpRequest).text;
    expect(text).toBe(helpText(SPEC));
    expect(text).toMatch(/^usage: fido-harness demo \[options\] FILE\n/);
    expect(text).toMatch(/--device DEV +which device \(default: sim\)/);
    expect(text).toMatch(/-j, --json +JSON/);
    expect(text).toMatch(/--check VALUE +checks \(repeatable, or comma-separated\)/);
  });
});

describe('usageError', () => {
  it('escapes what the message quotes (control characters, bidi overrides), not its own line break', () => {
    let message = '';
    try {
      parseCommandArgs(SPEC, ['--x\u001b[31m\u202e', 'f']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(usageError(SPEC, message)).toBe('fido-harness demo: unknown option --x\\u001b[31m\\u202e\nusage: fido-harness demo [options] FILE (fido-harness demo --help lists the options)');
  });
});

describe('subcommand', () => {
  const PARENT = { name: 'top', summary: 's', options: {}, subcommands: { one: { name: 'top one', summary: 'first', options: {} } } } as const satisfies CommandSpec;
  it('chooses by the first word, refuses unknown ones, and gives help for --help', () => {
    expect(subcommand(PARENT, ['one', 'x']).rest).toEqual(['x']);
    expect(() => subcommand(PARENT, ['two'])).toThrow(new UsageError('unknown subcommand two (one)'));
    expect(() => subcommand(PARENT, ['constructor'])).toThrow(UsageError);
    expect(() => subcommand(PARENT, ['--help'])).toThrow(HelpRequest);
  });
});

describe('parseTime', () => {
  it('reads a bare date as midnight UTC and refuses what is not a date', () => {
    expect(parseTime('2023-06-01').toISOString()).toBe('2023-06-01T00:00:00.000Z');
    expect(parseTime('2023-06-01T12:00:00Z').toISOString()).toBe('2023-06-01T12:00:00.000Z');
    expect(() => parseTime('yesterday')).toThrow(UsageError);
  });
});
