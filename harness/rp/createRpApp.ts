import { Hono } from 'hono';
import { resolveRpConfig, type RpConfig, type RpConfigInput } from './RpConfig.ts';
import { RpError } from './RpError.ts';
import type { RpEnv, RpState } from './RpState.ts';
import { CeremonyStore } from './stores/CeremonyStore.ts';
import { CredentialStore } from './stores/CredentialStore.ts';
import { CertificateSummaryCache } from './stores/CertificateSummaryCache.ts';
import { failureResponse } from './middleware/failureResponse.ts';
import { limitBody } from './middleware/limitBody.ts';
import { securityHeaders } from './middleware/securityHeaders.ts';
import { sessionCookie } from './middleware/sessionCookie.ts';
import { allowHosts } from './middleware/allowHosts.ts';
import { checkOrigin } from './middleware/checkOrigin.ts';
import { SessionStore } from './stores/SessionStore.ts';
import { registrationRoutes } from './routes/registration.ts';
import { authenticationRoutes } from './routes/authentication.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { conformanceRoutes } from './routes/conformance.ts';
import { mdsRoutes } from './routes/mds.ts';
import { reportRoutes } from './routes/reports.ts';
import { simulatorRoutes } from './routes/simulator.ts';
import { SimulatorPool } from './simulator/SimulatorPool.ts';
import { pageRoutes } from './routes/page.ts';

export interface RpApp {
  app: Hono<RpEnv>;
  state: RpState;
  /** the simulator mode's per-session simulators; close() releases them */
  simulators: SimulatorPool;
  close(): Promise<void>;
}

/**
 * One relying party: its own config, stores and clock. Routes:
 *   /api/registration, /api/authentication, /api/credentials   the page's ceremonies (session cookie)
 *   /api/mds, /api/reports, /api/sim, /api/config              MDS state, runs/ reports, simulator mode
 *   /conformance/{attestation,assertion}/{options,result}       FIDO conformance API (also at / with conformanceAtRoot)
 *   /                                                           the built page, when webRoot is set
 */
export function createRpApp(input: RpConfigInput | RpConfig = {}): RpApp {
  const config = resolveRpConfig(input);
  let simulatorMds: ReturnType<RpState['simulatorMds']> | undefined;
  const state: RpState = {
    config,
    ceremonies: new CeremonyStore(config.clock, config.challengeTtlMs, { perSession: config.maxCeremoniesPerSession, perPeer: config.maxCeremoniesPerPeer, total: config.maxCeremonies }),
    credentials: new CredentialStore({ totalBytes: config.maxCredentialBytes, perPeerBytes: config.maxCredentialBytesPerPeer, perUser: config.maxCredentialsPerUser }),
    sessions: new SessionStore({
      secret: config.sessionSecret,
      secure: config.origin.startsWith('https:'),
      newId: () => Buffer.from(config.rng(24)).toString('base64url'),
      max: config.maxSessions,
    }),
    certificates: new CertificateSummaryCache(),
    simulatorMds: () => {
      const load = config.simulatorMds;
      if (!load) return Promise.resolve(undefined);
      simulatorMds ??= load().then(
        (store) => ({ store }),
        (e: unknown) => ({ problem: `the simulator's test MDS could not be made: ${(e as Error).message}` }),
      );
      return simulatorMds;
    },
  };
  const app = new Hono<RpEnv>();
  app.onError(failureResponse((path) => path.startsWith('/conformance/') || (config.conformanceAtRoot && /^\/(attestation|assertion)\//.test(path))));
  app.notFound((c) => c.json({ status: 'failed', errorMessage: `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`, code: 'NOT_FOUND' }, 404));
  app.use('*', securityHeaders());
  app.use('*', allowHosts(config.origin));
  app.use('*', checkOrigin(config.origin));
  app.use('*', limitBody(config.maxBodyBytes));

  const api = new Hono<RpEnv>();
  api.use('*', sessionCookie(state.sessions));
  api.route('/registration', registrationRoutes(state));
  api.route('/authentication', authenticationRoutes(state));
  api.route('/credentials', credentialRoutes(state));
  api.route('/mds', mdsRoutes(state));
  api.route('/reports', reportRoutes(state));
  const simulators = new SimulatorPool(config.origin, () => config.clock.now());
  state.sessions.onRotate((from, to) => {
    simulators.rekey(from, to);
    state.ceremonies.rekeySession(from, to);
  });
  api.route('/sim', simulatorRoutes(state, simulators));
  api.get('/config', (c) =>
    c.json({ status: 'ok', errorMessage: '', origin: config.origin, rpId: config.rpId, rpName: config.rpName, conformanceAtRoot: config.conformanceAtRoot, mdsLoaded: !!config.mds, reportHtml: !!config.renderReportHtml }),
  );
  app.route('/api', api);

  const conformance = conformanceRoutes(state);
  app.route('/conformance', conformance);
  if (config.conformanceAtRoot) app.route('/', conformance);
  if (config.webRoot) app.route('/', pageRoutes(config.webRoot));
  // a GET on a conformance path is a client mistake worth a clear answer
  app.all('/conformance/*', () => {
    throw new RpError('NOT_FOUND', 'the conformance API takes POST with a JSON body', 404);
  });
  return { app, state, simulators, close: () => simulators.closeAll() };
}
