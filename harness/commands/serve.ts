import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadMdsStore } from '../../mds/MdsStore.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { certificatesFromPem } from '../../mds/certificates.ts';
import type { MdsStore } from '../../mds/MdsStore.ts';
import { ensurePageBuilt } from '../rp/buildPage.ts';
import { startRpServer } from '../rp/startRpServer.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVE_USAGE = `usage: fido-harness serve [--host 127.0.0.1] [--port 8080] [--origin URL] [--rp-id ID]
                          [--conformance] [--mds FILE [--mds-root PEM]] [--runs DIR] [--no-page]
  --origin       the origin clientDataJSON must carry (default http://localhost:PORT)
  --rp-id        the RP ID (default localhost; an IP address is not a valid RP ID)
  --conformance  also serve the FIDO conformance API at / (it is always under /conformance)
  --mds FILE     a verified MDS3 BLOB gives attestation trust verdicts (--mds-root: its root, default the
                 bundled GlobalSign roots)
  --runs DIR     where the report viewer finds <run>/report.json (default runs)`;

/**
 * `fido-harness serve`: the RP API, the FIDO conformance API and the built page. Resolves with the exit
 * code: 2 for usage errors or an MDS file that does not verify; 0 after SIGINT/SIGTERM closed the server.
 */
export async function runServeCommand(args: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
        origin: { type: 'string' },
        'rp-id': { type: 'string' },
        conformance: { type: 'boolean', default: false },
        mds: { type: 'string' },
        'mds-root': { type: 'string' },
        runs: { type: 'string', default: 'runs' },
        'no-page': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`fido-harness serve: ${(e as Error).message}\n${SERVE_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`fido-harness serve: --port must be 0..65535 (got ${values.port})`);
    return 2;
  }
  if (values.origin !== undefined) {
    try {
      const u = new URL(values.origin);
      if (u.origin !== values.origin) throw new Error(`write it as ${u.origin}`);
    } catch (e) {
      io.err(`fido-harness serve: --origin is not an origin (scheme://host[:port]): ${(e as Error).message}`);
      return 2;
    }
  }
  const rpId = values['rp-id'];
  if (rpId !== undefined && (!/^[a-z0-9.-]+$/i.test(rpId) || /^[0-9.]+$/.test(rpId))) {
    io.err('fido-harness serve: --rp-id must be a domain name (an IP address is not a valid RP ID)');
    return 2;
  }

  let mds: MdsStore | undefined;
  if (values.mds) {
    try {
      const roots = values['mds-root'] ? certificatesFromPem(await readFile(values['mds-root'], 'utf8')) : loadBundledMdsRoots();
      mds = await loadMdsStore(await readFile(values.mds, 'utf8'), { roots, at: new Date() });
    } catch (e) {
      io.err(`fido-harness serve: the MDS BLOB ${values.mds} could not be used: ${(e as Error).message}`);
      return 2;
    }
  }

  let webRoot: string | undefined;
  if (!values['no-page']) {
    try {
      webRoot = await ensurePageBuilt(REPO_ROOT, io.out);
    } catch (e) {
      io.err(`fido-harness serve: building the page failed (${(e as Error).message}); serving the API only`);
    }
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
      },
    });
  } catch (e) {
    io.err(`fido-harness serve: cannot listen on ${values.host}:${port}: ${(e as Error).message}`);
    return 2;
  }
  const cfg = server.rp.state.config;
  io.out(`fido-harness serve: listening on http://${values.host}:${server.port}; open ${cfg.origin} (RP ID ${cfg.rpId})`);
  io.out(`  conformance API: ${cfg.origin}/conformance${cfg.conformanceAtRoot ? ' and at /' : ''}; MDS: ${mds ? `BLOB no ${mds.no}, ${mds.size} entries` : 'not loaded'}`);
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
