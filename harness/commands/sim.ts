// `fido-harness sim`: the simulator's own command line (it lives with the simulator so the simulator
// can be shipped and started alone); this file is its place among the harness's commands.
export { runSimCommand, SIM_USAGE } from '../../authenticator-sim/cli.ts';
