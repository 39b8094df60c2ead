import { describe, expect, it } from 'vitest';
import { CtapStatus as S, type CborValue } from '../../harness/protocol/index.ts';
import { bioEnrollmentChecks } from '../../harness/suites/bio-enrollment/bioEnrollmentChecks.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { expectEveryCheckPasses, expectFailures, type Fault, outcomes, rewriteResponse, rewriteStatus, runAgainst, swallow } from './faultyDevice.ts';

const BIO = 0x09;
const sub = (n: number) => (p: Map<unknown, unknown> | undefined) => p?.get(0x02) === n;

describe('bio-enrollment suite (CTAP 2.1 §6.7, §6.5.5.7.3)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['bio-enrollment'] });
    expectEveryCheckPasses(results, bioEnrollmentChecks.map((c) => c.id));
    expect(results.get('BIO-SENSOR-001')!.message).toBe('touch sensor, 4 samples per enrollment');
    expect(results.get('BIO-ENROLL-001')!.message).toMatch(/^enrolled in 4 good samples \(\d+ captures\)$/);
    const swipe = await runAgainst({ checks: ['BIO-SENSOR-001'], fault: rewriteResponse(BIO, (b) => b.has(0x02) && b.set(0x02, 2)) });
    expect(swipe.get('BIO-SENSOR-001')).toEqual({ status: 'pass', message: 'swipe sensor, 4 samples per enrollment' });
  });

  it('should skip every check with a reason on a key without a fingerprint sensor', async () => {
    const results = await runAgainst({ suites: ['bio-enrollment'], fingerprint: false });
    expect([...results.keys()].sort()).toEqual(bioEnrollmentChecks.map((c) => c.id).sort());
    for (const [id, r] of results) expect(`${r.status}: ${r.message}`, id).toBe('skip: bio enrollment not offered (getInfo bioEnroll / userVerificationMgmtPreview absent)');
  });

  it('should skip, with the reason, on a key without clientPin or without permission tokens', async () => {
    const noPin = await runAgainst({ checks: ['BIO-MODALITY-001'], fault: infoOptions({ clientPin: undefined }) });
    expect(outcomes(noPin)).toEqual({ 'BIO-MODALITY-001': 'skip: clientPin option absent: the device has no PIN' });
    // a FIDO_2_1_PRE bio key without pinUvAuthToken: no permissions, no UV token (CTAP 2.1 §6.5.5.7)
    const noToken = await runAgainst({ checks: ['BIO-PERM-001', 'BIO-UV-001', 'BIO-MODALITY-001'], fault: infoOptions({ pinUvAuthToken: undefined }) });
    expect(outcomes(noToken)).toEqual({
      'BIO-MODALITY-001': 'pass: as specified',
      'BIO-PERM-001': 'skip: pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)',
      'BIO-UV-001': 'skip: pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)',
    });
  });

  it('should use the prototype command 0x40 and judge userVerificationMgmtPreview on a FIDO_2_1_PRE key', async () => {
    const commands = new Set<number>();
    const previewOnly = infoOptions({ bioEnroll: undefined });
    const recorded: Fault = async (cmd, p, next) => {
      if (cmd === BIO || cmd === 0x40) commands.add(cmd);
      return previewOnly(cmd, p, next);
    };
    const r = await runAgainst({ checks: ['BIO-ENROLL-002', 'BIO-MODALITY-001'], fault: recorded });
    expect(outcomes(r)).toEqual({ 'BIO-ENROLL-002': 'pass: as specified', 'BIO-MODALITY-001': 'pass: as specified' });
    expect([...commands]).toEqual([0x40]);
    const kept = await runAgainst({ checks: ['BIO-ENROLL-002'], fault: both(previewOnly, infoOptionAfter(0x06, 'userVerificationMgmtPreview', true, 0x40)) });
    expect(outcomes(kept)).toEqual({ 'BIO-ENROLL-002': 'fail: userVerificationMgmtPreview is true after the only enrollment was removed, expected false' });
  });

  it('should plan the sensor touches of a real key, none on the simulator (whose sensor the harness drives)', () => {
    const touches = (id: string, kind: string) => {
      const t = bioEnrollmentChecks.find((c) => c.id === id)!.touches;
      return typeof t === 'number' ? t : t({ device: { kind } } as unknown as SuiteContext);
    };
    expect(['hid', 'nfc', 'sim'].map((k) => touches('BIO-ENROLL-001', k))).toEqual([5, 5, 0]);
    expect(['hid', 'nfc', 'sim'].map((k) => touches('BIO-CANCEL-001', k))).toEqual([1, 1, 0]);
    expect(['hid', 'sim'].map((k) => touches('BIO-UV-001', k))).toEqual([6, 0]);
    expect(['hid', 'sim'].map((k) => touches('BIO-UV-004', k))).toEqual([7, 0]);
    expect(touches('BIO-ENROLL-002', 'hid')).toBe(5);
    expect(touches('BIO-NAME-001', 'hid')).toBe(5);
    expect(touches('BIO-REMOVE-001', 'hid')).toBe(5);
  });

  const NEVER = 'enrollment not complete after 8 good samples (maxCaptureSamplesRequiredForEnroll 4); remainingSamples still 1';
  const cases: Array<[string, { fault?: Fault; quirks?: string[] }, Record<string, string | RegExp>]> = [
    ['getModality answers another modality', { fault: rewriteResponse(BIO, (b, p) => p?.get(0x06) === true && b.set(0x01, 2)) }, { 'BIO-MODALITY-001': 'modality is 2, expected 1 (fingerprint)' }],
    ['the sensor info has no fingerprintKind', { fault: rewriteResponse(BIO, (b) => b.delete(0x02)) }, { 'BIO-SENSOR-001': 'fingerprintKind is undefined, expected 1 or 2' }],
    ['the sensor info has fingerprintKind 3', { fault: rewriteResponse(BIO, (b) => b.has(0x02) && b.set(0x02, 3)) }, { 'BIO-SENSOR-001': 'fingerprintKind is 3, expected 1 or 2' }],
    ['the sensor info has no maxCaptureSamplesRequiredForEnroll', { fault: rewriteResponse(BIO, (b) => b.has(0x02) && b.delete(0x03)) }, { 'BIO-SENSOR-001': 'maxCaptureSamplesRequiredForEnroll is undefined' }],
    ['maxCaptureSamplesRequiredForEnroll is 0', { fault: rewriteResponse(BIO, (b) => b.has(0x03) && b.set(0x03, 0)) }, { 'BIO-SENSOR-001': 'maxCaptureSamplesRequiredForEnroll is 0' }],
    ['enrollment never completes', { quirks: ['bio-enroll-never-completes'] }, { 'BIO-ENROLL-001': NEVER, 'BIO-NAME-001': NEVER, 'BIO-UV-001': NEVER, 'BIO-UV-004': NEVER }],
    ['getInfo keeps bioEnroll false', { fault: rewriteResponse(0x04, (b) => (b.get(0x04) as Map<string, boolean>).set('bioEnroll', false)) }, { 'BIO-ENROLL-002': 'bioEnroll is false after an enrollment, expected true' }],
    ['getInfo says bioEnroll true with no enrollment', { fault: rewriteResponse(0x04, (b) => (b.get(0x04) as Map<string, boolean>).set('bioEnroll', true)) }, { 'BIO-ENROLL-002': 'bioEnroll is true with no enrollment, expected false' }],
    ['getInfo keeps uv false', { fault: infoOptionAfter(0x01, 'uv', false) }, { 'BIO-ENROLL-002': 'uv is false after an enrollment (built-in UV is now configured)' }],
    ['getInfo keeps bioEnroll true after the removal', { fault: infoOptionAfter(0x06, 'bioEnroll', true) }, { 'BIO-ENROLL-002': 'bioEnroll is true after the only enrollment was removed, expected false' }],
    ['getInfo keeps uv true after the removal', { fault: infoOptionAfter(0x06, 'uv', true) }, { 'BIO-ENROLL-002': 'uv is still true after the only enrollment was removed' }],
    ['an enrollment is there before the first', { fault: listing([new Map<CborValue, CborValue>([[0x01, new Uint8Array(4)]])]) }, { 'BIO-ENROLL-002': 'the device already has enrollments: cannot observe the first one' }],
    ['a templateInfo has no templateId', { fault: listing([new Map<CborValue, CborValue>([[0x02, 'x']])]) }, { 'BIO-ENROLL-002': 'a templateInfo has no templateId (0x01)' }],
    ['the template is not listed', { fault: rewriteResponse(BIO, (b, p) => sub(0x04)(p) && b.set(0x07, [])) }, { 'BIO-ENROLL-001': /^template [0-9a-f]+ is not listed by enumerateEnrollments$/ }],
    ['a poor sample counts as good', { fault: rewriteResponse(BIO, (b) => b.has(0x05) && b.set(0x05, 0)) }, { 'BIO-ENROLL-003': 'a poor-quality sample was reported CTAP2_ENROLL_FEEDBACK_FP_GOOD' }],
    ['a poor sample counts', { fault: remainingDropsOnPoorSample() }, { 'BIO-ENROLL-003': /^remainingSamples went from \d+ to \d+ on an unusable sample$/ }],
    ['a timeout is answered CTAP2_OK', { fault: rewriteStatus(BIO, S.CTAP2_ERR_USER_ACTION_TIMEOUT, S.CTAP2_OK) }, { 'BIO-ENROLL-004': 'enrollBegin with no finger on the sensor: expected 0x2f CTAP2_ERR_USER_ACTION_TIMEOUT, got 0x00 CTAP2_OK' }],
    ['cancel is ignored', { fault: swallow(BIO, sub(0x03)) }, { 'BIO-CANCEL-001': 'enrollCaptureNextSample after cancelCurrentEnrollment answered CTAP2_OK' }],
    ['cancel is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x03)) }, { 'BIO-CANCEL-001': `cancelCurrentEnrollment: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['the cancelled enrollment is listed', { fault: listedAfterCancel() }, { 'BIO-CANCEL-001': 'the cancelled enrollment is listed' }],
    ['setFriendlyName does nothing', { fault: swallow(BIO, sub(0x05)) }, { 'BIO-NAME-001': 'listed name is "", expected "harness finger"' }],
    ['setFriendlyName is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x05)) }, { 'BIO-NAME-001': `setFriendlyName: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['removing an unknown template succeeds', { fault: rewriteStatus(BIO, S.CTAP2_ERR_INVALID_OPTION, S.CTAP2_OK) }, { 'BIO-REMOVE-001': 'enumerateEnrollments answered no templateInfos (0x07)' }],
    ['removeEnrollment does nothing', { fault: swallow(BIO, sub(0x06)) }, { 'BIO-REMOVE-001': 'the removed template is still listed' }],
    ['removing a template that no longer exists succeeds', { fault: rewriteStatus(BIO, S.CTAP2_ERR_INVALID_OPTION, S.CTAP2_OK, sub(0x06)) }, { 'BIO-REMOVE-001': 'removeEnrollment of a template that no longer exists: expected 0x2c CTAP2_ERR_INVALID_OPTION, got 0x00 CTAP2_OK' }],
    ['enrollBegin answers no templateId', { fault: rewriteResponse(BIO, (b, p) => sub(0x01)(p) && b.delete(0x04)) }, { 'BIO-ENROLL-001': 'enrollBegin answered no templateId (0x04)' }],
    ['enrollBegin answers an empty templateId', { fault: rewriteResponse(BIO, (b, p) => sub(0x01)(p) && b.set(0x04, new Uint8Array(0))) }, { 'BIO-ENROLL-001': 'enrollBegin answered no templateId (0x04)' }],
    ['enrollBegin answers no lastEnrollSampleStatus', { fault: rewriteResponse(BIO, (b, p) => sub(0x01)(p) && b.delete(0x05)) }, { 'BIO-ENROLL-001': 'enrollBegin answered no lastEnrollSampleStatus (0x05)' }],
    ['enrollBegin answers no remainingSamples', { fault: rewriteResponse(BIO, (b, p) => sub(0x01)(p) && b.delete(0x06)) }, { 'BIO-ENROLL-001': 'enrollBegin answered no remainingSamples (0x06)' }],
    ['a next sample answers no lastEnrollSampleStatus', { fault: rewriteResponse(BIO, (b, p) => sub(0x02)(p) && b.delete(0x05)) }, { 'BIO-ENROLL-001': 'enrollCaptureNextSample answered no lastEnrollSampleStatus (0x05)' }],
    ['a next sample answers no remainingSamples', { fault: rewriteResponse(BIO, (b, p) => sub(0x02)(p) && b.delete(0x06)) }, { 'BIO-ENROLL-001': 'enrollCaptureNextSample answered no remainingSamples (0x06)' }],
    ['a next sample is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x02)) }, { 'BIO-ENROLL-001': `enrollCaptureNextSample: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['getFingerprintSensorInfo is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x07)) }, { 'BIO-SENSOR-001': `getFingerprintSensorInfo: expected 0x00 CTAP2_OK, got ${OTHER}`, 'BIO-ENROLL-001': `getFingerprintSensorInfo: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['maxCaptureSamplesRequiredForEnroll is 0 when enrolling', { fault: rewriteResponse(BIO, (b) => b.has(0x03) && b.set(0x03, 0)) }, { 'BIO-ENROLL-001': 'maxCaptureSamplesRequiredForEnroll is 0' }],
    ['getModality is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, (p) => p?.get(0x06) === true) }, { 'BIO-MODALITY-001': `getModality: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['enumerateEnrollments is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x04)) }, { 'BIO-ENROLL-001': `enumerateEnrollments: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['the enrollment is not removed afterwards', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x06)) }, { 'BIO-ENROLL-001': `removeEnrollment: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['a PIN token does not restore uvRetries', { fault: uvRetriesNotRestored() }, { 'BIO-UV-003': /^uvRetries is 0 after a PIN token, expected \d+ again$/ }],
    ['removeEnrollment is refused', { fault: rewriteStatus(BIO, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x06)) }, { 'BIO-REMOVE-001': `removeEnrollment: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['bad tokens are accepted', { fault: rewriteStatus(BIO, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK) }, { 'BIO-PERM-001': 'enrollBegin with an mc-only token: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK', 'BIO-PERM-002': 'enumerateEnrollments with a flipped pinUvAuthParam: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK' }],
    ['another finger answers another error', { fault: rewriteStatus(0x06, S.CTAP2_ERR_UV_INVALID, S.CTAP1_ERR_OTHER) }, { 'BIO-UV-002': `a UV token for a finger that is not enrolled: expected 0x3f CTAP2_ERR_UV_INVALID, got ${OTHER}`, 'BIO-UV-003': /^a finger that is not enrolled answered 0x7f CTAP1_ERR_OTHER(, 0x7f CTAP1_ERR_OTHER)*$/ }],
    ['UV matches any finger', { quirks: ['bio-uv-any-finger'] }, { 'BIO-UV-002': 'a UV token for a finger that is not enrolled: expected 0x3f CTAP2_ERR_UV_INVALID, got 0x00 CTAP2_OK', 'BIO-UV-003': /^a finger that is not enrolled answered 0x00 CTAP2_OK(, 0x00 CTAP2_OK)*$/ }],
    ['uvRetries does not move', { fault: rewriteResponse(0x06, (b, p) => p?.get(2) === 7 && b.set(0x05, 8)) }, { 'BIO-UV-002': 'uvRetries went from 8 to 8, expected 7' }],
    ['getUVRetries answers no count', { fault: rewriteResponse(0x06, (b, p) => p?.get(2) === 7 && b.delete(0x05)) }, { 'BIO-UV-002': 'getUVRetries answered no uvRetries (0x05)' }],
    ['getUVRetries is refused', { fault: rewriteStatus(0x06, S.CTAP2_OK, S.CTAP1_ERR_OTHER, (p) => p?.get(2) === 7) }, { 'BIO-UV-002': `getUVRetries: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['UV with retries spent is not blocked', { fault: rewriteStatus(0x06, S.CTAP2_ERR_UV_BLOCKED, S.CTAP2_ERR_UV_INVALID) }, { 'BIO-UV-003': 'UV with uvRetries 0, even with the enrolled finger: expected 0x3c CTAP2_ERR_UV_BLOCKED, got 0x3f CTAP2_ERR_UV_INVALID' }],
    ['a fingerprint token refused', { fault: rewriteStatus(0x06, S.CTAP2_OK, S.CTAP1_ERR_OTHER, (p) => p?.get(2) === 6) }, { 'BIO-UV-001': `getPinUvAuthTokenUsingUvWithPermissions with the enrolled finger: expected 0x00 CTAP2_OK, got ${OTHER}` }],
    ['UV clear after a fingerprint token', { fault: clearMcFlags(0x04) }, { 'BIO-UV-001': 'UV flag clear after makeCredential with a token from fingerprint UV', 'BIO-UV-004': 'UV flag clear after makeCredential with uv=true and the enrolled finger' }],
    ['UP clear after a fingerprint touch', { fault: clearMcFlags(0x01) }, { 'BIO-UV-004': 'UP flag clear after a fingerprint touch' }],
  ];
  for (const [what, layer, expected] of cases) {
    const ids = Object.keys(expected);
    it(`should fail ${ids.join(', ')} when ${what}`, async () => {
      expectFailures(await runAgainst({ checks: ids, ...layer }), expected);
    });
  }
});

const OTHER = '0x7f CTAP1_ERR_OTHER';

/** getInfo reports `option` as `value` once bio subcommand `after` went through (on `command`, 0x09 or the prototype 0x40). */
function infoOptionAfter(after: number, option: string, value: boolean, command = BIO): Fault {
  let seen = false;
  return async (cmd, p, next) => {
    const a = await next(p);
    if (cmd === command && sub(after)(p) && a.status === 0) seen = true;
    if (cmd === 0x04 && seen && a.body) (a.body.get(0x04) as Map<string, boolean>).set(option, value);
    return a;
  };
}

/** enumerateEnrollments answers `infos`. */
function listing(infos: CborValue[]): Fault {
  return async (cmd, p, next) => (cmd === BIO && sub(0x04)(p) ? { status: 0, body: new Map<CborValue, CborValue>([[0x07, infos]]) } : next(p));
}

/** A poor sample (status other than good) still lowers remainingSamples. */
function remainingDropsOnPoorSample(): Fault {
  return rewriteResponse(BIO, (b) => {
    const status = b.get(0x05);
    const left = b.get(0x06);
    if (typeof status === 'number' && status !== 0 && typeof left === 'number') b.set(0x06, Math.max(0, left - 1));
  });
}

/** After cancelCurrentEnrollment, enumerateEnrollments lists the enrollment begun before it. */
function listedAfterCancel(): Fault {
  let begun: Uint8Array | undefined;
  let cancelled = false;
  return async (cmd, p, next) => {
    const a = await next(p);
    if (cmd !== BIO) return a;
    if (sub(0x01)(p) && a.body?.get(0x04) instanceof Uint8Array) begun = a.body.get(0x04) as Uint8Array;
    if (sub(0x03)(p)) cancelled = true;
    if (sub(0x04)(p) && cancelled && begun) {
      const infos = [new Map<CborValue, CborValue>([[0x01, begun]])];
      return { status: 0, body: new Map<CborValue, CborValue>([[0x07, infos]]) };
    }
    return a;
  };
}

/** Clears flag bits of makeCredential's authenticatorData. */
function clearMcFlags(mask: number): Fault {
  return rewriteResponse(0x01, (b) => {
    const raw = b.get(0x02);
    if (!(raw instanceof Uint8Array)) return;
    const copy = Uint8Array.from(raw);
    copy[32] = copy[32]! & ~mask;
    b.set(0x02, copy);
  });
}

/** getInfo options changed (undefined removes one). */
function infoOptions(options: Record<string, boolean | undefined>): Fault {
  return rewriteResponse(0x04, (b) => {
    const o = new Map(b.get(0x04) as Map<string, boolean>);
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) o.delete(k);
      else o.set(k, v);
    }
    b.set(0x04, o);
  });
}

/** `outer` wraps `inner`: both faults apply. */
function both(outer: Fault, inner: Fault): Fault {
  return (cmd, params, next) => outer(cmd, params, (p) => inner(cmd, p, next));
}

/** getUVRetries answers 0 once UV has been blocked, even after a PIN token (which must restore it, §6.5.5.7.2). */
function uvRetriesNotRestored(): Fault {
  let blocked = false;
  return async (cmd, p, next) => {
    const a = await next(p);
    if (cmd === 0x06 && a.status === S.CTAP2_ERR_UV_BLOCKED) blocked = true;
    if (cmd === 0x06 && blocked && p?.get(2) === 7 && a.body) a.body.set(0x05, 0);
    return a;
  };
}
