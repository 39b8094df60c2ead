import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MdsStore } from '../../mds/MdsStore.ts';
import { isLoopbackAddress } from '../protocol/index.ts';
import { parseCommandArgs, parseTime, UsageError, withUsage, type CommandSpec, type ParsedValues } from './args.ts';

/** The checkout (or installed package): two folders up from here, three when running compiled from dist/. */
const REPO_ROOT = ((here) => (existsSync(join(here, 'package.json')) ? here : resolve(here, '..')))(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'));

export const SERVE_SPEC = {
  name: 'serve',
  summary: 'The relying party: the WebAuthn API, the FIDO conformance API and the page, until Ctrl-C.',
  options: {
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', help: 'the address to listen on' },
    port: { type: 'string', value: 'PORT', default: '8080', help: 'the port (0 picks a free one)' },
    origin: { type: 'string', value: 'URL', help: 'the origin clientDataJSON must carry (default http://localhost:PORT)' },
    'rp-id': { type: 'string', value: 'ID', help: "the RP ID (default the origin's host; that host or a parent domain of it, not an IP address)" },
    conformance: { type: 'boolean', help: 'also serve the FIDO conformance API at / (it is always under /conformance)' },
    mds: { type: 'string', value: 'FILE', help: 'a verified MDS3 BLOB gives attestation trust verdicts' },
    'mds-root': { type: 'string', value: 'PEM', help: 'the BLOB\'s root (default the bundled FIDO roots)' },
    at: { type: 'string', value: 'DATE', help: 'verify the MDS BLOB as of this date (an old BLOB)' },
    runs: { type: 'string', value: 'DIR', default: 'runs', help: 'where the report viewer finds <run>/report.json' },
    'no-page': { type: 'boolean', help: 'serve the API only' },
  },
} as const satisfies CommandSpec;

/**
 * `fido-harness serve`: the RP API, the FIDO conformance API and the built page. Resolves with the exit
 * code: 2 for usage errors or an MDS file that does not verify; 0 after SIGINT/SIGTERM closed the server.
 */
export async function runServeCommand(args: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  const streams = { stdout: { write: (t: string) => io.out(t.trimEnd()) }, stderr: { write: (t: string) => io.err(t.trimEnd()) } };
  return withUsage(SERVE_SPEC, streams, () => serve(parseCommandArgs(SERVE_SPEC, args).values, io));
}

async function serve(values: ParsedValues<typeof SERVE_SPEC>, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const [{ loadMdsFile }, { RunInputError }, { certificatesFromPem }, { startRpServer }, { rpIdProblem }, { simulatorTestMds }, { renderHtml }, { validateReport }] =
    await Promise.all([
      import('../run/loadRunMds.ts'),
      import('../run/RunOptions.ts'),
      import('../../mds/certificates.ts'),
      import('../rp/startRpServer.ts'),
      import('../rp/rpIdProblem.ts'),
      import('../run/simulatorTestMds.ts'),
      import('../../reports/renderHtml.ts'),
      import('../../reports/validateReport.ts'),
    ]);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be 0..65535 (got ${values.port})`);
  }
  if (values.origin !== undefined) {
    try {
      const u = new URL(values.origin);
      if (u.origin !== values.origin) throw new Error(`write it as ${u.origin}`);
    } catch (e) {
      throw new UsageError(`--origin is not an origin (scheme://host[:port]): ${(e as Error).message}`);
    }
  }
  const rpId = values['rp-id'];
  // the RP ID must fit the origin the page is served on, or every browser ceremony would fail; the
  // default origin's port is not known yet, but its host is localhost
  const problem = rpIdProblem(values.origin ?? 'http://localhost', rpId ?? new URL(values.origin ?? 'http://localhost').hostname);
  if (problem) {
    io.err(`fido-harness serve: ${problem}`);
    return 2;
  }

  if (values.at !== undefined && values.mds === undefined) throw new UsageError('--at dates an MDS BLOB: give it with --mds FILE');
  const at = values.at !== undefined ? parseTime(values.at) : new Date();
  let mds: MdsStore | undefined;
  if (values.mds) {
    try {
      const roots = values['mds-root'] ? certificatesFromPem(await readFile(values['mds-root'], 'utf8')) : undefined;
      mds = (await loadMdsFile(values.mds, values.at !== undefined ? at : undefined, roots)).store;
    } catch (e) {
      io.err(`fido-harness serve: ${e instanceof RunInputError ? e.message : `--mds-root ${values['mds-root']}: ${(e as Error).message}`}`);
      return 2;
    }
  }

  let webRoot: string | undefined;
  if (!values['no-page']) {
    // The page is built by `npm install` / `npm run build` (Vite is a build tool, never loaded here); a
    // build older than web/ is not served.
    const { isFresh, PAGE_SOURCES, PAGE_STAMP } = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'freshness.mjs')).href)) as {
      isFresh: (root: string, stamp: string, sources: string[]) => boolean;
      PAGE_SOURCES: string[];
      PAGE_STAMP: string;
    };
    if (isFresh(REPO_ROOT, PAGE_STAMP, PAGE_SOURCES)) webRoot = join(REPO_ROOT, 'web', 'dist');
    else io.err(`fido-harness serve: the page in web/dist is ${existsSync(join(REPO_ROOT, PAGE_STAMP)) ? 'older than web/' : 'not built'}: run npm run build (serving the API only)`);
  }

  let server;
  try {
    server = await startRpServer({
      host: values.host,
      port,
      config: {
        ...(values.origin ? { origin: values.origin } : {}),
        ...(rpId ? { rpId } : {}),
        conformanceAtRoot: values.conformance,
        ...(mds ? { mds } : {}),
        runsDir: resolve(values.runs),
        ...(webRoot ? { webRoot } : {}),
        // the simulator mode judges its registrations against the simulator's own test MDS
        simulatorMds: async () => (await simulatorTestMds([], new Date())).store,
        renderReportHtml: (value) => {
          const checked = validateReport(value);
          if (!checked.valid) throw checked.error;
          return renderHtml(checked.report);
        },
      },
    });
  } catch (e) {
    io.err(`fido-harness serve: cannot listen on ${values.host}:${port}: ${(e as Error).message}`);
    return 2;
  }
  const cfg = server.rp.state.config;
  io.out(`fido-harness serve: listening on http://${values.host}:${server.port}; open ${cfg.origin} (RP ID ${cfg.rpId})`);
  io.out(`  conformance API: ${cfg.origin}/conformance${cfg.conformanceAtRoot ? ' and at /' : ''}; MDS: ${mds ? `BLOB no ${mds.no}, ${mds.size} entries` : 'not loaded'}`);
  if (!isLoopbackAddress(values.host)) {
    io.err(
      `fido-harness serve: warning: ${values.host} is not a loopback address: other machines can reach the relying party, its simulator and the reports in ${values.runs} (requests must still name ${new URL(cfg.origin).hostname} or localhost as Host). Use --host 127.0.0.1 unless you mean this.`,
    );
  }
  return new Promise<number>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(() => done(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export { REPO_ROOT };
