import { describe, expect, it } from 'vitest';
import {
  BioEnrollmentSubCommand as B,
  CtapCommand,
  CtapStatus as S,
  encodeCanonicalCbor,
  EnrollSampleStatus as F,
  PinUvAuthPermission as P,
} from '../../harness/protocol/index.ts';
import { SimulatedFingerprintSensor, type FingerprintSensor, type FingerSample } from '../../authenticator-sim/bio/fingerprintSensor.ts';
import { tokenAuthenticate } from '../helpers/pinClient.ts';
import { PinDriver, PROTOCOLS, type Token } from '../helpers/pinDriver.ts';

const PIN = '1234';
const FINGERPRINT = 0x01;

/**
 * authenticatorBioEnrollment (CTAP 2.1 §6.7) with pinUvAuthParam = authenticate(token, modality ||
 * subCommand || subCommandParams) when a token is given.
 */
function bio(
  d: PinDriver,
  sub: number | undefined,
  token?: Token,
  subParams?: Map<number, unknown>,
  o: { modality?: number | null; command?: number; signal?: AbortSignal } = {},
) {
  const modality = o.modality === undefined ? FINGERPRINT : o.modality;
  const req = new Map<number, unknown>();
  if (modality !== null) req.set(1, modality);
  if (sub !== undefined) req.set(2, sub);
  if (subParams) req.set(3, subParams);
  if (token) {
    const message = Buffer.concat([Uint8Array.of(modality ?? FINGERPRINT, sub ?? 0), subParams ? encodeCanonicalCbor(subParams) : new Uint8Array(0)]);
    req.set(4, token.version);
    req.set(5, tokenAuthenticate(token.version, token.token, new Uint8Array(message)));
  }
  return d.call(o.command ?? CtapCommand.authenticatorBioEnrollment, req);
}

const id = (templateId: Uint8Array) => new Map<number, unknown>([[1, templateId]]);

async function keyWithSensor(v: 1 | 2, sensor: FingerprintSensor = new SimulatedFingerprintSensor()) {
  const d = await PinDriver.create({ fingerprint: sensor });
  expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
  const t = (await d.token(v, PIN, P.be)).token!;
  return { d, t };
}

/** Enrolls one finger to the end (4 good samples) and answers its template ID. */
async function enroll(d: PinDriver, t: Token): Promise<Uint8Array> {
  const begin = await bio(d, B.enrollBegin, t);
  expect(begin.status).toBe(S.CTAP2_OK);
  const templateId = begin.body!.get(4) as Uint8Array;
  for (let left = begin.body!.get(6) as number; left > 0; ) {
    const next = await bio(d, B.enrollCaptureNextSample, t, id(templateId));
    expect(next.status).toBe(S.CTAP2_OK);
    left = next.body!.get(6) as number;
  }
  return templateId;
}

const templateIds = async (d: PinDriver, t: Token) =>
  ((await bio(d, B.enumerateEnrollments, t)).body?.get(7) as Map<number, unknown>[] | undefined)?.map((i) => i.get(1) as Uint8Array);

describe('authenticatorBioEnrollment without a token (CTAP 2.1 §6.7)', () => {
  it('a key without a fingerprint sensor does not have the command (CTAP1_ERR_INVALID_COMMAND)', async () => {
    const d = await PinDriver.create({ fingerprint: false });
    expect((await bio(d, B.getFingerprintSensorInfo)).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
    expect((await d.call(CtapCommand.authenticatorBioEnrollment, new Map([[6, true]]))).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
  });

  it('getModality answers exactly {modality: fingerprint}; the sensor info its four members', async () => {
    const d = await PinDriver.create();
    const modality = await d.call(CtapCommand.authenticatorBioEnrollment, new Map([[6, true]]));
    expect(modality.status).toBe(S.CTAP2_OK);
    expect([...modality.body!]).toEqual([[1, FINGERPRINT]]);
    const info = await bio(d, B.getFingerprintSensorInfo);
    expect(info.status).toBe(S.CTAP2_OK);
    // modality 1, fingerprintKind touch (1), maxCaptureSamplesRequiredForEnroll 4, maxTemplateFriendlyName 32
    expect([...info.body!].sort(([x], [y]) => (x as number) - (y as number))).toEqual([[1, 1], [2, 1], [3, 4], [8, 32]]);
    // getModality false is no getModality request: the subcommand is then missing.
    expect((await d.call(CtapCommand.authenticatorBioEnrollment, new Map([[6, false]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
  });

  it('a missing subCommand or modality is CTAP2_ERR_MISSING_PARAMETER; another modality CTAP2_ERR_UNSUPPORTED_OPTION', async () => {
    const d = await PinDriver.create();
    expect((await bio(d, undefined)).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await bio(d, B.getFingerprintSensorInfo, undefined, undefined, { modality: null })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await bio(d, B.getFingerprintSensorInfo, undefined, undefined, { modality: 2 })).status).toBe(S.CTAP2_ERR_UNSUPPORTED_OPTION);
  });

  it('an unknown subCommand is CTAP2_ERR_INVALID_SUBCOMMAND; cancel with nothing under way is OK', async () => {
    const d = await PinDriver.create();
    expect((await bio(d, 0x08)).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect((await bio(d, 0x00)).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    const cancel = await bio(d, B.cancelCurrentEnrollment);
    expect(cancel).toEqual({ status: S.CTAP2_OK, body: undefined });
  });
});

describe.each(PROTOCOLS)('authenticatorBioEnrollment with a be token (CTAP 2.1 §6.7), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  it(name('each subcommand that changes or lists enrollments needs pinUvAuthParam, the protocol, a verifying param and be'), async () => {
    const { d } = await keyWithSensor(v);
    for (const [sub, params] of [
      [B.enrollBegin, undefined],
      [B.enrollCaptureNextSample, id(new Uint8Array(16))],
      [B.enumerateEnrollments, undefined],
      [B.setFriendlyName, new Map<number, unknown>([[1, new Uint8Array(16)], [2, 'x']])],
      [B.removeEnrollment, id(new Uint8Array(16))],
    ] as const) {
      expect((await bio(d, sub, undefined, params)).status, `sub ${sub} without a param`).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
      const req = new Map<number, unknown>([[1, FINGERPRINT], [2, sub], [5, new Uint8Array(16)]]);
      if (params) req.set(3, params);
      expect((await d.call(CtapCommand.authenticatorBioEnrollment, req)).status, `sub ${sub} without a protocol`).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      req.set(4, v);
      expect((await d.call(CtapCommand.authenticatorBioEnrollment, req)).status, `sub ${sub} with a wrong param`).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    }
    // A token without be (mc, bound to an RP): the param verifies but the permission is missing.
    const mc = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    expect((await bio(d, B.enrollBegin, mc)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const t = (await d.token(v, PIN, P.be)).token!;
    // The param covers the modality byte: one computed over subCommand || subCommandParams alone fails.
    const req = new Map<number, unknown>([[1, FINGERPRINT], [2, B.enumerateEnrollments], [4, v], [5, tokenAuthenticate(v, t.token, Uint8Array.of(B.enumerateEnrollments))]]);
    expect((await d.call(CtapCommand.authenticatorBioEnrollment, req)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    // With be: enumerate reaches its own answer (no enrollments: CTAP2_ERR_INVALID_OPTION).
    expect((await bio(d, B.enumerateEnrollments, t)).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect(d.a.state.bioTemplates ?? []).toEqual([]);
  });

  it(name('enrollBegin takes the first sample; four good samples store the template, bioEnroll turns true'), async () => {
    const { d, t } = await keyWithSensor(v);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('bioEnroll')).toBe(false);
    const begin = await bio(d, B.enrollBegin, t);
    expect(begin.status).toBe(S.CTAP2_OK);
    const templateId = begin.body!.get(4) as Uint8Array;
    expect(templateId).toHaveLength(16);
    expect(begin.body!.get(5)).toBe(F.CTAP2_ENROLL_FEEDBACK_FP_GOOD);
    expect(begin.body!.get(6)).toBe(3);
    expect(d.a.state.bioTemplates).toEqual([]);
    for (const left of [2, 1, 0]) {
      const next = await bio(d, B.enrollCaptureNextSample, t, id(templateId));
      expect(next.status).toBe(S.CTAP2_OK);
      // enrollCaptureNextSample answers no templateId, only the sample's status and what is left
      expect([...next.body!.keys()].sort()).toEqual([5, 6]);
      expect(next.body!.get(5)).toBe(F.CTAP2_ENROLL_FEEDBACK_FP_GOOD);
      expect(next.body!.get(6)).toBe(left);
      expect(d.a.state.bioTemplates!.length).toBe(left === 0 ? 1 : 0);
    }
    expect(((await d.info()).get(4) as Map<string, boolean>).get('bioEnroll')).toBe(true);
    // The finished enrollment is no longer under way.
    expect((await bio(d, B.enrollCaptureNextSample, t, id(templateId))).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    const infos = (await bio(d, B.enumerateEnrollments, t)).body!.get(7) as Map<number, unknown>[];
    expect(infos.map((i) => [...i])).toEqual([[[1, templateId], [2, '']]]);
    // It is kept in storage.
    expect(d.storage.load()).toContain('bioTemplates');
  });

  it(name('a poor sample, another finger and an enrolled finger do not count; no finger is USER_ACTION_TIMEOUT'), async () => {
    const sensor = new SimulatedFingerprintSensor();
    const { d, t } = await keyWithSensor(v, sensor);
    const first = await enroll(d, t);
    sensor.present('right-index', 'left-thumb', 'poor', 'right-index', 'left-thumb', 'timeout');
    // The enrolled finger first: FP_EXISTS, nothing counted.
    const begin = await bio(d, B.enrollBegin, t);
    expect(begin.status).toBe(S.CTAP2_OK);
    const templateId = begin.body!.get(4) as Uint8Array;
    expect(Buffer.compare(templateId, first)).not.toBe(0);
    expect([begin.body!.get(5), begin.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_EXISTS, 4]);
    const next = () => bio(d, B.enrollCaptureNextSample, t, id(templateId));
    let r = await next(); // left-thumb: the enrolling finger from now on
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_GOOD, 3]);
    r = await next(); // poor
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_POOR_QUALITY, 3]);
    r = await next(); // right-index: enrolled already
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_EXISTS, 3]);
    sensor.queue.unshift({ kind: 'finger', finger: 'right-ring' });
    r = await next(); // right-ring: another finger than the one being enrolled
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_MERGE_FAILURE, 3]);
    r = await next(); // left-thumb again
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_GOOD, 2]);
    expect((await next()).status).toBe(S.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect(d.a.state.bioTemplates!.length).toBe(1);
    sensor.finger = 'left-thumb';
    r = await next();
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_GOOD, 1]);
    r = await next();
    expect([r.body!.get(5), r.body!.get(6)]).toEqual([F.CTAP2_ENROLL_FEEDBACK_FP_GOOD, 0]);
    expect(d.a.state.bioTemplates!.map((x) => x.finger)).toEqual(['right-index', 'left-thumb']);
  });

  it(name('enrollCaptureNextSample: templateId missing, unknown, or after cancel'), async () => {
    const { d, t } = await keyWithSensor(v);
    const begin = await bio(d, B.enrollBegin, t);
    const templateId = begin.body!.get(4) as Uint8Array;
    expect((await bio(d, B.enrollCaptureNextSample, t)).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await bio(d, B.enrollCaptureNextSample, t, new Map([[3, 1000]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    const other = Uint8Array.from(templateId);
    other[15] = other[15]! ^ 1;
    expect((await bio(d, B.enrollCaptureNextSample, t, id(other))).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    // still under way after a wrong ID
    expect((await bio(d, B.enrollCaptureNextSample, t, id(templateId))).body!.get(6)).toBe(2);
    expect((await bio(d, B.cancelCurrentEnrollment)).status).toBe(S.CTAP2_OK);
    expect((await bio(d, B.enrollCaptureNextSample, t, id(templateId))).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect(d.a.state.bioTemplates).toEqual([]);
  });

  it(name('the sample timeout is timeoutMilliseconds, 30 s when absent; a cancelled wait is KEEPALIVE_CANCEL'), async () => {
    const asked: (number | undefined)[] = [];
    const inner = new SimulatedFingerprintSensor();
    const sensor: FingerprintSensor = {
      capture: (req) => {
        asked.push(req.timeoutMs);
        return inner.capture();
      },
    };
    const { d, t } = await keyWithSensor(v, sensor);
    const begin = await bio(d, B.enrollBegin, t, new Map([[3, 1234]]));
    expect(begin.status).toBe(S.CTAP2_OK);
    const templateId = begin.body!.get(4) as Uint8Array;
    await bio(d, B.enrollCaptureNextSample, t, id(templateId));
    expect(asked).toEqual([1234, 30_000]);
    // A sensor that answers after the platform cancelled: the answer is dropped.
    const controller = new AbortController();
    const late: FingerprintSensor = {
      capture: async (): Promise<FingerSample> => {
        controller.abort();
        return { kind: 'finger', finger: 'right-index' };
      },
    };
    const k = await keyWithSensor(v, late);
    const message = Buffer.concat([Uint8Array.of(FINGERPRINT, B.enrollBegin)]);
    const req = new Map<number, unknown>([[1, FINGERPRINT], [2, B.enrollBegin], [4, v], [5, tokenAuthenticate(v, k.t.token, new Uint8Array(message))]]);
    const r = await k.d.a.handleCbor(CtapCommand.authenticatorBioEnrollment, encodeCanonicalCbor(req), { signal: controller.signal });
    expect(r.status).toBe(S.CTAP2_ERR_KEEPALIVE_CANCEL);
  });

  it(name('five templates fill the database: a sixth enrollBegin is CTAP2_ERR_FP_DATABASE_FULL'), async () => {
    const sensor = new SimulatedFingerprintSensor();
    const { d, t } = await keyWithSensor(v, sensor);
    for (const finger of ['f1', 'f2', 'f3', 'f4', 'f5']) {
      sensor.finger = finger;
      await enroll(d, t);
    }
    expect((await templateIds(d, t))!.length).toBe(5);
    sensor.finger = 'f6';
    expect((await bio(d, B.enrollBegin, t)).status).toBe(S.CTAP2_ERR_FP_DATABASE_FULL);
    expect(sensor.captures).toBe(4 * 5);
  });

  it(name('setFriendlyName: names a template (up to 32 bytes of UTF-8); missing members, unknown IDs and longer names refused'), async () => {
    const { d, t } = await keyWithSensor(v);
    const templateId = await enroll(d, t);
    const set = (tid: Uint8Array | undefined, nameText: string | undefined) => {
      const p = new Map<number, unknown>();
      if (tid) p.set(1, tid);
      if (nameText !== undefined) p.set(2, nameText);
      return bio(d, B.setFriendlyName, t, p);
    };
    expect((await set(templateId, undefined)).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await set(undefined, 'x')).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await set(new Uint8Array(16), 'x')).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    // 16 two-byte characters = 32 bytes: accepted; one more byte is not.
    const longest = 'é'.repeat(16);
    expect((await set(templateId, longest)).status).toBe(S.CTAP2_OK);
    expect((await set(templateId, `${longest}a`)).status).toBe(S.CTAP1_ERR_INVALID_LENGTH);
    const infos = (await bio(d, B.enumerateEnrollments, t)).body!.get(7) as Map<number, unknown>[];
    expect(infos[0]!.get(2)).toBe(longest);
    expect(d.storage.load()).toContain(longest);
    // An empty name is a name.
    expect((await set(templateId, '')).status).toBe(S.CTAP2_OK);
    expect(d.a.state.bioTemplates![0]!.friendlyName).toBe('');
  });

  it(name('removeEnrollment removes that template only; unknown or missing templateId refused'), async () => {
    const sensor = new SimulatedFingerprintSensor();
    const { d, t } = await keyWithSensor(v, sensor);
    const a = await enroll(d, t);
    sensor.finger = 'left-index';
    const b = await enroll(d, t);
    expect((await bio(d, B.removeEnrollment, t)).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await bio(d, B.removeEnrollment, t, new Map([[2, 'x']]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await bio(d, B.removeEnrollment, t, id(new Uint8Array(16)))).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect((await bio(d, B.removeEnrollment, t, id(a))).status).toBe(S.CTAP2_OK);
    expect(await templateIds(d, t)).toEqual([b]);
    expect(d.a.state.bioTemplates!.length).toBe(1);
    expect((await bio(d, B.removeEnrollment, t, id(a))).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect((await bio(d, B.removeEnrollment, t, id(b))).status).toBe(S.CTAP2_OK);
    expect((await bio(d, B.enumerateEnrollments, t)).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('bioEnroll')).toBe(false);
  });

  it(name('the prototype command 0x40 behaves as 0x09'), async () => {
    const { d, t } = await keyWithSensor(v);
    const begin = await bio(d, B.enrollBegin, t, undefined, { command: CtapCommand.prototypeBioEnrollment });
    expect(begin.status).toBe(S.CTAP2_OK);
    expect(begin.body!.get(6)).toBe(3);
    expect((await bio(d, B.enrollBegin, undefined, undefined, { command: CtapCommand.prototypeBioEnrollment })).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
  });
});

describe('authenticatorBioEnrollment sensor requests and stored state (CTAP 2.1 §6.7)', () => {
  it('asks the sensor for an enrollment sample with the request\'s cancel signal', async () => {
    const asked: { purpose: string; signal: AbortSignal | undefined }[] = [];
    const inner = new SimulatedFingerprintSensor();
    const sensor: FingerprintSensor = {
      capture: (req) => {
        asked.push({ purpose: req.purpose, signal: req.signal });
        return inner.capture();
      },
    };
    const { d, t } = await keyWithSensor(2, sensor);
    const controller = new AbortController();
    const req = new Map<number, unknown>([[1, FINGERPRINT], [2, B.enrollBegin], [4, 2], [5, tokenAuthenticate(2, t.token, Uint8Array.of(FINGERPRINT, B.enrollBegin))]]);
    const r = await d.a.handleCbor(CtapCommand.authenticatorBioEnrollment, encodeCanonicalCbor(req), { signal: controller.signal });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.purpose).toBe('enroll');
    expect(asked[0]!.signal).toBe(controller.signal);
  });

  it('a state stored before bio enrollment existed (no bioTemplates) has no enrollments, and enrolls', async () => {
    const { d, t } = await keyWithSensor(2);
    delete d.a.state.bioTemplates;
    expect((await bio(d, B.enumerateEnrollments, t)).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    const templateId = await enroll(d, t);
    expect(await templateIds(d, t)).toEqual([templateId]);
  });
});
