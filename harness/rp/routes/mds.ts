import { Hono } from 'hono';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';
import { MDS_NOT_LOADED } from '../ceremony/decodeRegistration.ts';
import { evaluateStatus } from '../../../mds/evaluateStatus.ts';

/**
 *   GET /api/mds → whether a verified BLOB is loaded (serial, nextUpdate, entries)
 *   GET /api/mds/:aaguid → that entry's description, status verdict and reports
 */
export function mdsRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.get('/', (c) => {
    const mds = rp.config.mds;
    if (!mds) return c.json({ status: 'ok', errorMessage: '', loaded: false, message: rp.config.mdsProblem ? `${MDS_NOT_LOADED} (${rp.config.mdsProblem})` : MDS_NOT_LOADED });
    return c.json({
      status: 'ok',
      errorMessage: '',
      loaded: true,
      no: mds.no,
      nextUpdate: mds.nextUpdate,
      entries: mds.size,
      rootSubject: mds.rootSubject,
      verifiedAt: mds.verifiedAt.toISOString(),
      warnings: mds.warnings.map((w) => w.message),
    });
  });
  app.get('/:aaguid', (c) => {
    const aaguid = c.req.param('aaguid');
    if (!/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(aaguid)) {
      throw new RpError('BODY_INVALID', 'aaguid: not a UUID');
    }
    const mds = rp.config.mds;
    if (!mds) throw new RpError('NOT_FOUND', MDS_NOT_LOADED, 404);
    const entry = mds.byAaguid(aaguid);
    if (!entry) throw new RpError('NOT_FOUND', `AAGUID ${aaguid} is not listed in the MDS BLOB`, 404);
    const status = evaluateStatus(entry, { at: new Date(rp.config.clock.now()) });
    return c.json({
      status: 'ok',
      errorMessage: '',
      aaguid: entry.aaguid,
      description: entry.metadataStatement?.description,
      statusVerdict: status.verdict,
      certificationLevel: status.certificationLevel,
      latestStatus: status.latestStatus,
      findings: status.findings.map((f) => ({ severity: f.severity, message: f.message })),
      statusReports: entry.statusReports,
      attestationTypes: entry.metadataStatement?.attestationTypes,
    });
  });
  return app;
}
