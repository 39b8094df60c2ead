// `fido-harness sim`: the software authenticator as a CTAPHID device over UDP (docs/simulator.md), or as a
// contactless card in vsmartcard's virtual reader (`--pcsc`, CTAP 2.1 §11.3).
// The simulator itself lives in authenticator-sim/ (it ships and starts alone); this file parses the flags.
import { parseCommandArgs, parseTime, UsageError, withUsage, type CommandSpec } from './args.ts';
import type { DeviceProfile } from '../../authenticator-sim/profile/profileFromGetInfo.ts';

/**
 * `--profile AAGUID --mds FILE`: the model's profile, its description and findings printed (escaped: they
 * are MDS-supplied); null after one line saying why it cannot be used.
 */
async function simProfile(aaguid: string, mds: string | undefined, at: Date | undefined, io: { out?: (line: string) => void; err?: (line: string) => void }): Promise<DeviceProfile | null> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (mds === undefined) throw new UsageError('--profile AAGUID reads the model from an MDS BLOB: give it with --mds FILE');
  const [{ loadMdsFile }, { loadSimProfile }, { ProfileError }, { terminalSafe }] = await Promise.all([
    import('../run/loadRunMds.ts'),
    import('../run/loadSimProfile.ts'),
    import('../../authenticator-sim/profile/profileFromGetInfo.ts'),
    import('../../reports/terminalSafe.ts'),
  ]);
  try {
    const { store } = await loadMdsFile(mds, at);
    const profile = loadSimProfile(store, aaguid, mds);
    out(`profile ${terminalSafe(profile.description ?? aaguid)}: ${profile.findings.length} finding(s) in its getInfo`);
    for (const f of profile.findings) out(`  finding: ${terminalSafe(f)}`);
    return profile;
  } catch (e) {
    if (!(e instanceof ProfileError) && (e as Error).name !== 'RunInputError') throw e;
    err(`fido-harness sim: ${terminalSafe((e as Error).message)}`);
    return null;
  }
}

/** vsmartcard's vpcd, slot 0 (the reader "Virtual PCD 00 00"). */
const PCSC_DEFAULT = '127.0.0.1:35963';

export const SIM_SPEC = {
  name: 'sim',
  summary: 'The software authenticator as a CTAPHID device over UDP (one 64-byte report per datagram), or as a card in a virtual PC/SC reader, until Ctrl-C.',
  options: {
    udp: { type: 'string', value: 'HOST:PORT', default: '127.0.0.1:8111', help: 'where to listen (port 0 picks a free one)' },
    pcsc: { type: 'string', value: '[HOST:PORT]', help: `be a card in vsmartcard's vpcd instead (pcscd running; default ${PCSC_DEFAULT}, the reader "Virtual PCD 00 00"; :35964 is "Virtual PCD 00 01")` },
    state: { type: 'string', value: 'FILE', help: 'keep credentials, PIN, counters and attestation keys in FILE (written atomically)' },
    latency: { type: 'string', value: 'NAME', help: 'realistic: answer as slowly as a real key (tens of ms per signature, a second per touch); none' },
    quirk: { type: 'string', value: 'NAME', multiple: true, help: 'misbehave on purpose; see --list-quirks' },
    'list-quirks': { type: 'boolean', help: 'print the quirks and exit' },
    profile: { type: 'string', value: 'AAGUID', help: 'play this key model: its authenticatorGetInfo in the --mds BLOB shapes versions, options, extensions, algorithms, PIN/UV protocols and limits' },
    mds: { type: 'string', value: 'FILE', help: 'the MDS3 BLOB --profile reads (verified against the bundled FIDO roots)' },
    at: { type: 'string', value: 'DATE', help: 'verify the --mds BLOB as of this date (an old BLOB)' },
    'allow-reset-anytime': { type: 'boolean', help: 'accept authenticatorReset at any time (default: within 10 s of power-up or the power-cycle datagram, CTAP 2.1 §6.6)' },
  },
  notes: ['Run against it with: fido-harness run --device udp:HOST:PORT (with --pcsc: --device pcsc)'],
} as const satisfies CommandSpec;

export async function runSimCommand(args: string[], io: { out?: (line: string) => void; err?: (line: string) => void; signal?: AbortSignal } = {}): Promise<number> {
  const streams = {
    stdout: { write: (t: string) => (io.out ? io.out(t.trimEnd()) : process.stdout.write(t)) },
    stderr: { write: (t: string) => (io.err ? io.err(t.trimEnd()) : process.stderr.write(t)) },
  };
  return withUsage(SIM_SPEC, streams, async () => {
    // --pcsc takes its address optionally: bare, it is vpcd's first slot
    const given = args.map((a, i) => (a === '--pcsc' && (args[i + 1] === undefined || args[i + 1]!.startsWith('-')) ? `--pcsc=${PCSC_DEFAULT}` : a));
    const { values } = parseCommandArgs(SIM_SPEC, given);
    if (values.pcsc !== undefined && given.some((a) => a === '--udp' || a.startsWith('--udp='))) throw new UsageError('--udp and --pcsc exclude each other: the simulator is either a UDP device or a card');
    const { runSimulator, parseUdpEndpoint, parseLatency } = await import('../../authenticator-sim/cli.ts');
    let endpoint;
    let pcsc;
    let latency;
    try {
      endpoint = parseUdpEndpoint(values.udp);
      pcsc = values.pcsc === undefined ? undefined : parseUdpEndpoint(values.pcsc, '--pcsc');
      latency = values.latency === undefined ? undefined : parseLatency(values.latency);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const profile = values.profile === undefined ? undefined : await simProfile(values.profile, values.mds, values.at === undefined ? undefined : parseTime(values.at), io);
    if (profile === null) return 2;
    return runSimulator({ ...endpoint, ...(pcsc ? { pcsc } : {}), quirks: values.quirk, listQuirks: values['list-quirks'], allowResetAnytime: values['allow-reset-anytime'], ...(values.state ? { state: values.state } : {}), ...(profile ? { profile } : {}), ...(latency ? { latency } : {}) }, io);
  });
}
