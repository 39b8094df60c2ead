// The areas `npm run mutation` mutates and, for each, the tests StrykerJS runs against its mutants.
// Each area names its own tests so the initial (dry) run does not pull in the quirk matrix, whole runs,
// spawned CLIs or browser tests unless they are what exercises the area (docs/mutation-testing.md).
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
  {
    name: 'suites',
    mutate: ['harness/suites/**/*.ts'],
    tests: ['test/suites/*.test.ts'],
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

/** The area a `--mutate` glob falls in: the one whose mutate root the glob starts with. */
export function areaOf(glob) {
  const path = glob.replace(/^!/, '');
  return MUTATION_AREAS.find((a) => a.mutate.some((m) => path.startsWith(m.slice(0, m.indexOf('**')))));
}
