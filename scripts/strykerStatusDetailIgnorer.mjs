// A StrykerJS ignore-plugin for the sim-commands area (stryker.config.mjs, docs/mutation-testing.md): the
// detail text of `new CtapStatusError(code, detail)` thrown by the simulator's command handlers. It never
// leaves the authenticator (Authenticator.handleCbor answers the status byte and nothing else), so a
// mutant of it changes no behaviour any host can see: an equivalent mutant, named here once instead of on
// each of the hundred-odd lines that throw. The status code itself stays mutated.
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

export class SimStatusDetailIgnorer {
  shouldIgnore(path) {
    const parent = path.parentPath;
    if (
      parent?.isNewExpression() &&
      parent.node.callee.type === 'Identifier' &&
      parent.node.callee.name === 'CtapStatusError' &&
      parent.node.arguments[1] === path.node
    ) {
      return 'the simulator never sends a CtapStatusError detail: only its status byte leaves handleCbor';
    }
    return undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'sim-status-detail', SimStatusDetailIgnorer)];
