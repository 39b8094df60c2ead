// The areas `npm run mutation` mutates and, for each, the tests StrykerJS runs against its mutants.
// Each area names its own tests so the initial (dry) run does not pull in the quirk matrix, whole runs,
// spawned CLIs or browser tests unless they are what exercises the area (docs/mutation-testing.md).
/** the make-credential, get-assertion, attestation and getinfo checks share their area tests */
const CORE_TESTS = ['attestation-mds', 'coreAreaFaults', 'coreAreaQuirks', 'coreAreaTampers', 'coreAreaRequests', 'coreAreaMessages', 'getinfo'];

const CTAPHID_SESSION = ['harness/suites/ctaphid/RawSession.ts', 'harness/suites/ctaphid/common.ts', 'harness/suites/ctaphid/hostLag.ts'];

/** One part of harness/suites/: a folder (and extra files) with its test files (names in test/suites/). */
function suitesPart(folder, tests, extra = []) {
  return [{ name: `suites-${folder}`, mutate: [`harness/suites/${folder}/**/*.ts`, ...extra], tests: tests.map((t) => `test/suites/${t}.test.ts`) }];
}

export const MUTATION_AREAS = [
  {
    name: 'compat',
    mutate: ['harness/compat/**/*.ts'],
    tests: ['test/compat/*.test.ts', '!test/compat/runCli.test.ts', '!test/compat/entryPoints.test.ts', 'test/mds/falsePasses.test.ts', 'test/suites/checkIds.test.ts'],
  },
  {
    name: 'mds',
    mutate: ['mds/**/*.ts'],
    tests: ['test/mds/*.test.ts', '!test/mds/cliProcess.test.ts', 'test/compat/microsoft.test.ts'],
  },
  {
    name: 'protocol',
    mutate: ['harness/protocol/**/*.ts'],
    // the spec layer's own unit tests, and the host stack and simulator tests that drive it in process (CTAPHID
    // frames, CTAP2 requests and answers, U2F APDUs, NFC); none spawns or waits on a browser
    tests: [
      'test/protocol/*.test.ts',
      'test/nfc/iso7816.test.ts',
      'test/nfc/nfcChannel.test.ts',
      'test/host/*.test.ts',
      'test/sim/core.test.ts',
      'test/sim/u2f.test.ts',
      'test/sim/pin-*.test.ts',
      'test/fuzz/regressions.test.ts',
    ],
  },
  // harness/suites/ in parts, each with the test files that drive it: a suites mutant runs checks against
  // the simulator, so a part's list keeps every mutant to its own area's tests (docs/mutation-testing.md)
  // the raw CTAPHID session every ctaphid check goes through, with its own unit tests against a scripted
  // device: the suite's tests wait on real timeouts, and a survivor here would re-run all of them
  {
    name: 'suites-ctaphid-session',
    mutate: CTAPHID_SESSION,
    tests: ['rawSession', 'withRaw', 'hostLag', 'presenceWait'].map((t) => `test/suites/${t}.test.ts`),
  },
  ...suitesPart('ctaphid', ['ctaphid', 'ctaphidFaults', 'judgeKeepalives'], CTAPHID_SESSION.map((f) => `!${f}`)),
  ...suitesPart('client-pin', ['client-pin', 'pinSafety', 'pinOps'], ['harness/suites/pinOps.ts']),
  ...suitesPart('make-credential', CORE_TESTS),
  ...suitesPart('get-assertion', CORE_TESTS),
  ...suitesPart('attestation', CORE_TESTS),
  ...suitesPart('getinfo', CORE_TESTS),
  ...suitesPart('webauthn', ['webauthn']),
  ...suitesPart('resident-key', ['resident-key', 'resident-key-support']),
  ...suitesPart('u2f', ['u2f']),
  ...suitesPart('nfc', ['nfc']),
  ...suitesPart('config', ['config', 'config-restore']),
  ...suitesPart('cred-mgmt', ['cred-mgmt']),
  ...suitesPart('bio-enrollment', ['bio-enrollment']),
  ...suitesPart('reset', ['reset']),
  ...suitesPart('uv', ['uv', 'uvRequired']),
  ...suitesPart('hmac-secret', ['hmac-secret']),
  ...suitesPart('cred-blob', ['cred-blob']),
  ...suitesPart('cred-protect', ['cred-protect']),
  ...suitesPart('min-pin-length', ['min-pin-length']),
  ...suitesPart('enterprise-attestation', ['enterprise-attestation']),
  ...suitesPart('ctap22', ['ctap22']),
  ...suitesPart('large-blob', ['large-blob']),
  {
    // the top-level files (context, operations, the run, helpers shared by every area)
    name: 'suites-top',
    mutate: ['harness/suites/*.ts', '!harness/suites/pinOps.ts'],
    tests: ['suiteContext', 'ops', 'credentialPool', 'signCountLog', 'runSuites', 'planRun', 'checkIds', 'checkHelpers', 'deviceLostReason', 'pinOps', 'getinfo', 'coreAreaTampers'].map(
      (t) => `test/suites/${t}.test.ts`,
    ),
  },
  {
    name: 'sim-commands',
    mutate: ['authenticator-sim/commands/**/*.ts'],
    // In-process simulators only (an in-process UDP server at most): no spawned simulator, no browser, no interop
    tests: [
      'test/sim/core.test.ts',
      'test/sim/pin-*.test.ts',
      'test/sim/cmd-*.test.ts',
      'test/sim/userFields.test.ts',
      'test/sim/webauthn-verify.test.ts',
      'test/sim/powerCycle.test.ts',
      'test/sim/u2f.test.ts',
      'test/sim/interopDeviations.test.ts',
      'test/sim/quirks.test.ts',
      'test/sim/channelEviction.test.ts',
      'test/host/fullStack.test.ts',
      'test/host/webauthnClient.test.ts',
      'test/suites/bio-enrollment.test.ts',
    ],
  },
];

// The folder a glob starts with ('harness/suites/u2f/' for the u2f folder's recursive glob); a plain path is
// its own root.
const rootOf = (glob) => {
  const path = glob.replace(/^!/, '');
  const wild = path.search(/[*{?[]/);
  return wild < 0 ? path : path.slice(0, path.lastIndexOf('/', wild) + 1);
};
const dirOf = (path) => path.slice(0, path.lastIndexOf('/') + 1);

// Whether the area's pattern `m` holds what `glob` names: a recursive pattern holds everything under its
// folder, 'dir/*.ts' the files of that folder, a path itself.
function holds(m, glob) {
  if (m === glob) return true;
  if (m.includes('**')) return rootOf(glob).startsWith(rootOf(m));
  if (m.includes('*')) return (/[*{?[]/.test(glob) ? rootOf(glob) : dirOf(glob)) === rootOf(m) && !glob.slice(rootOf(m).length).includes('/');
  return false;
}

// The areas a `--mutate` glob names: every area (or part) inside a recursive glob (the suites folder's
// recursive glob is every suites part), otherwise the one area whose pattern holds the glob most closely.
export function areasOf(glob) {
  const root = rootOf(glob);
  if (glob.includes('**')) {
    const inside = MUTATION_AREAS.filter((a) => a.mutate.every((m) => rootOf(m).startsWith(root)));
    if (inside.length > 0) return inside;
  }
  const closeness = (a) => Math.max(-1, ...a.mutate.filter((m) => !m.startsWith('!') && holds(m, glob)).map((m) => (m === glob ? Infinity : rootOf(m).length)));
  const best = [...MUTATION_AREAS].sort((a, b) => closeness(b) - closeness(a))[0];
  return best && closeness(best) >= 0 ? [best] : [];
}
