/**
 * Fuzz: mutated BLOBs into the MDS verifier (mds/verifyMdsBlob, and loadMdsStore's index over it).
 * Four mutation levels: characters of the compact JWS; the header's JSON (alg, x5c — certificates decoded,
 * DER bytes edited, encoded again); the payload's JSON with the original signature; and the payload's JSON
 * re-signed by the test signer, so that the payload and entry checks behind the signature see the garbage.
 * Property: success, or an MdsError with a stable code and a reason; never another exception.
 */
import 'reflect-metadata';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MdsError } from '../../mds/MdsError.ts';
import { loadMdsStore } from '../../mds/MdsStore.ts';
import { buildTestMdsEntry, createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { applyJsonEdit, jsonEdit } from './jsonEdit.ts';
import { fuzzBudgetMs, fuzzRuns, FUZZ_SEED, reportFuzzFigure } from './fuzzSize.ts';

const RUNS = fuzzRuns(400, 8_000);
const at = new Date('2026-01-01T00:00:00Z');

const mutation = fc.record({
  level: fc.constantFrom('text', 'header', 'payload', 'resigned', 'resigned', 'resigned'),
  edits: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }),
  text: fc.array(fc.tuple(fc.nat(), fc.nat(127), fc.constantFrom('set', 'insert', 'delete', 'truncate')), { minLength: 1, maxLength: 4 }),
});

describe('mutated MDS BLOBs into the verifier', () => {
  let signer: TestMdsSigner;
  let good: string;
  let payload: unknown;

  beforeAll(async () => {
    signer = await createTestMdsSigner();
    const root = Buffer.from(signer.root.cert.rawData).toString('base64');
    payload = {
      legalHeader: 'fuzz',
      no: 3,
      nextUpdate: '2049-12-01',
      entries: [
        buildTestMdsEntry({
          aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047',
          description: 'Fuzz key',
          attestationRootCertificates: [root],
          authenticatorGetInfo: { versions: ['FIDO_2_0', 'FIDO_2_1'], aaguid: 'be7c888ff40745b9bab1f1e15cedc047', options: { rk: true, clientPin: true }, maxMsgSize: 1200 },
          statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'REVOKED', effectiveDate: '2025-01-01' }],
        } as never),
        buildTestMdsEntry({ attestationCertificateKeyIdentifiers: ['0123456789abcdef0123456789abcdef01234567'], description: 'U2F key' } as never),
      ],
    };
    good = await createTestMdsBlob(signer, { entries: [], payload });
  });

  it(`verifies ${RUNS} mutated BLOBs or refuses them with an MdsError`, async () => {
    const roots = testMdsTrustAnchors(signer);
    expect((await loadMdsStore(good, { roots, at })).size).toBe(2); // the baseline verifies
    const codes = new Map<string, number>();
    let blobs = 0;
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const jws = await mutate(m);
        blobs++;
        let outcome = 'verified';
        try {
          const store = await loadMdsStore(jws, { roots, at });
          store.byAaguid('be7c888f-f407-45b9-bab1-f1e15cedc047');
        } catch (err) {
          expect(err, `${m.level}: ${(err as Error)?.stack}`).toBeInstanceOf(MdsError);
          expect((err as MdsError).message.length).toBeGreaterThan(5);
          outcome = (err as MdsError).code;
        }
        const key = `${m.level}:${outcome}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: FUZZ_SEED, timeout: 10_000, interruptAfterTimeLimit: fuzzBudgetMs(900_000), markInterruptAsFailure: true },
    );
    const ms = performance.now() - t0;
    reportFuzzFigure('mutated BLOBs into verifyMdsBlob/loadMdsStore', blobs, 'BLOBs', ms, JSON.stringify([...codes].sort()));
    expect(blobs).toBe(RUNS);
    const seen = [...codes.keys()].join(' ');
    // every level reaches its layer: parsing, certificates, signature, payload checks behind the signature
    for (const code of ['text:MDS_MALFORMED', 'header:MDS_CERT_MALFORMED', 'payload:MDS_SIGNATURE_INVALID', 'resigned:MDS_MALFORMED', 'resigned:verified']) {
      expect(seen, code).toContain(code);
    }
  }, 1_000_000);

  async function mutate(m: { level: string; edits: Parameters<typeof applyJsonEdit>[1][]; text: Array<[number, number, string]> }): Promise<string> {
    const [h, p, s] = good.split('.') as [string, string, string];
    if (m.level === 'text') {
      let t = good;
      for (const [pos, v, op] of m.text) {
        const i = pos % (t.length + 1);
        if (op === 'set') t = t.slice(0, i) + String.fromCharCode(v) + t.slice(i + 1);
        else if (op === 'insert') t = t.slice(0, i) + String.fromCharCode(v) + t.slice(i);
        else if (op === 'delete') t = t.slice(0, i) + t.slice(i + 1);
        else t = t.slice(0, i);
      }
      return t;
    }
    if (m.level === 'header') {
      let header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      for (const e of m.edits) header = applyJsonEdit(header, e, 'base64');
      return `${Buffer.from(JSON.stringify(header) ?? '').toString('base64url')}.${p}.${s}`;
    }
    let body = payload;
    for (const e of m.edits) body = applyJsonEdit(body, e, 'base64');
    if (m.level === 'payload') return `${h}.${Buffer.from(JSON.stringify(body) ?? '').toString('base64url')}.${s}`;
    return createTestMdsBlob(signer, { entries: [], payloadText: JSON.stringify(body) ?? 'null' });
  }
});
