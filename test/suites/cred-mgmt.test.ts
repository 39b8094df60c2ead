import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { CtapStatus as S, type CborValue } from '../../harness/protocol/index.ts';
import { credMgmtChecks } from '../../harness/suites/cred-mgmt/credMgmtChecks.ts';
import { acceptInstead, expectEveryCheckPasses, expectFailures, type Fault, outcomes, rewriteResponse, rewriteStatus, runAgainst, swallow } from './faultyDevice.ts';

const CM = 0x0a;
const sub = (n: number) => (p: Map<unknown, unknown> | undefined) => p?.get(0x01) === n;
const sha256 = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
const OK = '0x00 CTAP2_OK';
const OTHER = '0x7f CTAP1_ERR_OTHER';
const AUTH_INVALID = '0x33 CTAP2_ERR_PIN_AUTH_INVALID';

describe('cred-mgmt suite (CTAP 2.1 §6.8)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['cred-mgmt'] });
    expectEveryCheckPasses(results, credMgmtChecks.map((c) => c.id));
  });

  const cases: Array<[string, Fault, Record<string, string | RegExp>]> = [
    ['getCredsMetadata counts stay put', rewriteResponse(CM, (b) => b.has(0x01) && b.set(0x01, 3)), { 'CM-META-001': 'existing count went from 3 to 3, expected +2' }],
    ['rpIDHash is wrong', rewriteResponse(CM, (b) => b.has(0x04) && b.set(0x04, new Uint8Array(32))), { 'CM-RP-001': 'rpIDHash of pool-cm.fido-harness.test is not SHA-256 of its id' }],
    ['totalCredentials overstates', rewriteResponse(CM, (b) => b.has(0x09) && b.set(0x09, 3)), { 'CM-CRED-001': `enumerateCredentialsGetNextCredential #3: expected ${OK}, got 0x30 CTAP2_ERR_NOT_ALLOWED` }],
    ['the public key listed differs', rewriteResponse(CM, (b) => b.has(0x08) && b.set(0x08, new Map([[1, 2]]))), { 'CM-CRED-001': 'listed publicKey differs from the attested one' }],
    ['deleteCredential does nothing', swallow(CM, sub(0x06)), { 'CM-DEL-001': 'after deleting one of two, 2 listed' }],
    ['updateUserInformation does nothing', swallow(CM, sub(0x07)), { 'CM-UPD-001': 'listed user is {"name":"user1@pool-cm.fido-harness.test","displayName":"User 1"}' }],
    ['another user.id is accepted', rewriteStatus(CM, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK), { 'CM-UPD-002': `updateUserInformation with another user.id: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got ${OK}` }],
    [
      'bad tokens are accepted',
      rewriteStatus(CM, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
      {
        'CM-AUTH-001': `getCredsMetadata with a token of permissions 0x10 (no cm): expected ${AUTH_INVALID}, got ${OK}`,
        'CM-AUTH-002': `getCredsMetadata with a flipped pinUvAuthParam bit: expected ${AUTH_INVALID}, got ${OK}`,
        'CM-RPID-001': `enumerateCredentialsBegin with a token for another RP: expected ${AUTH_INVALID}, got ${OK}`,
      },
    ],
    ['a missing pinUvAuthParam is accepted', rewriteStatus(CM, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK), { 'CM-AUTH-003': `getCredsMetadata without pinUvAuthParam: expected 0x36 CTAP2_ERR_PUAT_REQUIRED, got ${OK}` }],
    ['the preview command 0x41 is unknown', async (cmd, p, next) => (cmd === 0x41 ? { status: S.CTAP1_ERR_INVALID_COMMAND } : next(p)), { 'CM-PREVIEW-001': 'getCredsMetadata on 0x41: expected 0x00 CTAP2_OK, got 0x01 CTAP1_ERR_INVALID_COMMAND' }],
    // getCredsMetadata (subcommand 1)
    ['the existing count is missing', rewriteResponse(CM, (b, p) => sub(0x01)(p) && b.delete(0x01)), { 'CM-META-001': 'existingResidentCredentialsCount (0x01) missing' }],
    ['the remaining count is missing', rewriteResponse(CM, (b, p) => sub(0x01)(p) && b.delete(0x02)), { 'CM-META-001': 'maxPossibleRemainingResidentCredentialsCount (0x02) missing' }],
    ['the remaining count does not drop', rewriteResponse(CM, (b, p) => sub(0x01)(p) && b.set(0x02, 10)), { 'CM-META-001': 'remaining count went from 10 to 10 after two new credentials' }],
    ['the existing count rises by three', rewriteResponse(CM, (b, p) => sub(0x01)(p) && b.set(0x01, (b.get(0x01) as number) === 0 ? 0 : 3)), { 'CM-META-001': 'existing count went from 0 to 3, expected +2' }],
    // enumerateRPs (2, 3)
    ['totalRPs is missing', rewriteResponse(CM, (b) => b.delete(0x05)), { 'CM-RP-001': 'totalRPs is missing' }],
    ['totalRPs is 0', rewriteResponse(CM, (b) => b.has(0x05) && b.set(0x05, 0)), { 'CM-RP-001': 'totalRPs is 0' }],
    ['totalRPs overstates', rewriteResponse(CM, (b) => b.has(0x05) && b.set(0x05, 2)), { 'CM-RP-001': `enumerateRPsGetNextRP #2: expected ${OK}, got 0x30 CTAP2_ERR_NOT_ALLOWED` }],
    ['another RP is listed', rewriteResponse(CM, (b) => b.has(0x03) && (b.set(0x03, new Map([['id', 'x.test']])), b.set(0x04, sha256('x.test')))), { 'CM-RP-001': 'the RP pool-cm.fido-harness.test is not listed (listed: x.test)' }],
    ['the RP is listed twice', rpListedTwice(), { 'CM-RP-001': 'an RP is listed twice: pool-cm.fido-harness.test, pool-cm.fido-harness.test' }],
    ['a next RP past the last', async (cmd, p, next) => (cmd === CM && sub(0x03)(p) ? { status: 0, body: new Map() } : next(p)), { 'CM-RP-001': `enumerateRPsGetNextRP past the last RP: expected 0x30 CTAP2_ERR_NOT_ALLOWED, got ${OK}` }],
    ['enumerateRPsBegin refused', rewriteStatus(CM, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x02)), { 'CM-RP-001': `enumerateRPsBegin: expected ${OK}, got ${OTHER}` }],
    // enumerateCredentials (4, 5)
    ['totalCredentials is missing', rewriteResponse(CM, (b, p) => sub(0x04)(p) && b.delete(0x09)), { 'CM-CRED-001': 'enumerateCredentialsBegin totalCredentials is missing' }],
    ['totalCredentials understates', rewriteResponse(CM, (b) => b.has(0x09) && b.set(0x09, 1)), { 'CM-CRED-001': 'listed 1 credentials (totalCredentials 1), expected 2' }],
    ['no credentials are listed', rewriteStatus(CM, S.CTAP2_OK, S.CTAP2_ERR_NO_CREDENTIALS, sub(0x04)), { 'CM-CRED-001': 'listed 0 credentials (totalCredentials undefined), expected 2' }],
    ['enumerateCredentialsBegin refused', rewriteStatus(CM, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x04)), { 'CM-CRED-001': `enumerateCredentialsBegin: expected ${OK}, got ${OTHER}` }],
    ['other credential ids are listed', rewriteResponse(CM, (b) => b.has(0x07) && b.set(0x07, new Map<CborValue, CborValue>([['id', new Uint8Array(16)], ['type', 'public-key']]))), { 'CM-CRED-001': /^credential [0-9a-f]{16}… is not listed$/ }],
    ['another user.id is listed', rewriteResponse(CM, (b) => b.has(0x06) && b.set(0x06, new Map<CborValue, CborValue>([['id', new Uint8Array(16)], ['name', 'x']]))), { 'CM-CRED-001': 'listed user.id differs from the one made' }],
    // deleteCredential (6)
    ['deleteCredential refused', rewriteStatus(CM, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x06)), { 'CM-DEL-001': `deleteCredential: expected ${OK}, got ${OTHER}` }],
    ['the deleted credential still asserts', acceptInstead(0x02, S.CTAP2_ERR_NO_CREDENTIALS), { 'CM-DEL-001': `getAssertion with the deleted credential: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got ${OK}` }],
    ['another credential is found', rewriteResponse(0x02, (b, p) => !p?.has(0x03) && b.set(0x01, new Map<CborValue, CborValue>([['id', new Uint8Array(16)], ['type', 'public-key']]))), { 'CM-DEL-001': 'the remaining credential is not the one found' }],
    // updateUserInformation (7)
    ['updateUserInformation refused', rewriteStatus(CM, S.CTAP2_OK, S.CTAP1_ERR_OTHER, sub(0x07)), { 'CM-UPD-001': `updateUserInformation: expected ${OK}, got ${OTHER}` }],
    ['the updated credential is listed under another id', updatedThenRenamed(), { 'CM-UPD-001': 'the credential is no longer listed' }],
    // RP binding and the preview command
    ['a token for the RP refused', rewriteStatus(CM, S.CTAP2_OK, S.CTAP2_ERR_PIN_AUTH_INVALID, sub(0x04)), { 'CM-RPID-001': `enumerateCredentialsBegin with a token for this RP: expected ${OK}, got ${AUTH_INVALID}` }],
    ['0x41 counts otherwise', async (cmd, p, next) => { const a = await next(p); if (cmd === 0x41 && a.body) a.body.set(0x01, 99); return a; }, { 'CM-PREVIEW-001': '0x0A counts 2 credentials, 0x41 counts 99' }],
    ['getCredsMetadata on 0x0A refused after the pool was made', refuseMetadataAfter(2), { 'CM-PREVIEW-001': `getCredsMetadata on 0x0A: expected ${OK}, got ${OTHER}` }],
    ['getCredsMetadata refused while the pool is made', refuseMetadataAfter(0), { 'CM-META-001': `making the pool credential "cmAccounts": getCredsMetadata: expected ${OK}, got ${OTHER}` }],
    ['getCredsMetadata refused after the pool credentials were made', refuseMetadataAfter(1), { 'CM-META-001': `making the pool credential "cmAccounts": getCredsMetadata: expected ${OK}, got ${OTHER}` }],
    ['totalCredentials is 0', rewriteResponse(CM, (b, p) => sub(0x04)(p) && b.set(0x09, 0)), { 'CM-CRED-001': 'enumerateCredentialsBegin totalCredentials is 0' }],
    ['the listed RP has no id', rewriteResponse(CM, (b) => b.has(0x03) && b.set(0x03, new Map([['name', 'x']]))), { 'CM-RP-001': /^rp is malformed: / }],
    ['the listed user has no id', rewriteResponse(CM, (b) => b.has(0x06) && b.set(0x06, new Map([['name', 'x']]))), { 'CM-CRED-001': /^user is malformed: / }],
    ['two other RPs are listed', otherRpsListed(), { 'CM-RP-001': 'the RP pool-cm.fido-harness.test is not listed (listed: x.test, y.test)' }],
    ['the deleted credential is still counted', deletedStillCounted(), { 'CM-DEL-001': 'after deleting one of two, 2 listed' }],
    ['another credential is listed after the deletion', listedAfterDelete(), { 'CM-DEL-001': 'after deleting one of two, 1 listed' }],
    ['only the name is updated', listedUserKeeps('displayName'), { 'CM-UPD-001': 'listed user is {"name":"renamed@fido-harness.test","displayName":"User 1"}' }],
    ['only the displayName is updated', listedUserKeeps('name'), { 'CM-UPD-001': 'listed user is {"name":"user1@pool-cm.fido-harness.test","displayName":"Renamed User"}' }],
  ];
  for (const [what, fault, expected] of cases) {
    const ids = Object.keys(expected);
    it(`should fail ${ids.join(', ')} when ${what}`, async () => {
      expectFailures(await runAgainst({ checks: ids, fault }), expected);
    });
  }

  it('should give the expected user in CM-UPD-001\'s evidence', async () => {
    const r = await runAgainst({ checks: ['CM-UPD-001'], fault: swallow(CM, sub(0x07)), evidence: true });
    expect(r.get('CM-UPD-001')).toEqual({
      status: 'fail',
      message: 'listed user is {"name":"user1@pool-cm.fido-harness.test","displayName":"User 1"}',
      expected: '{"name":"renamed@fido-harness.test","displayName":"Renamed User"}',
    });
  });

  it('should send what its messages say: the tokens\' permissions and RP IDs, the credential descriptor, silent assertions', async () => {
    const sent: string[] = [];
    const record: Fault = async (cmd, p, next) => {
      // getPinUvAuthTokenUsingPinWithPermissions (0x09): permissions 0x09, rpId 0x0a (CTAP 2.1 §6.5.5.7.2)
      if (cmd === 0x06 && p?.get(0x02) === 0x09) sent.push(`token 0x${(p.get(0x09) as number).toString(16)} ${String(p.get(0x0a))}`);
      if (cmd === CM && sub(0x06)(p)) {
        const id = (p!.get(0x02) as Map<unknown, unknown>).get(0x02) as Map<unknown, unknown>;
        sent.push(`delete ${String(id.get('type'))} ${(id.get('id') as Uint8Array).length}`);
      }
      if (cmd === 0x02) sent.push(`ga up=${String((p?.get(0x05) as Map<string, boolean> | undefined)?.get('up'))}`);
      return next(p);
    };
    const auth = await runAgainst({ checks: ['CM-AUTH-001'], fault: record });
    expect(outcomes(auth)).toEqual({ 'CM-AUTH-001': 'pass: as specified' });
    expect(sent).toEqual(['token 0x10 undefined']);
    sent.length = 0;
    const rp = await runAgainst({ checks: ['CM-RPID-001'], fault: record });
    expect(outcomes(rp)).toEqual({ 'CM-RPID-001': 'pass: as specified' });
    expect(sent.slice(-2)).toEqual(['token 0x4 other.pool-cm.fido-harness.test', 'token 0x4 pool-cm.fido-harness.test']);
    sent.length = 0;
    const del = await runAgainst({ checks: ['CM-DEL-001'], fault: record });
    expect(outcomes(del)).toEqual({ 'CM-DEL-001': 'pass: as specified' });
    // the pooled accounts are made with a PIN token first; then the deletion and two silent assertions (touches 0)
    const after = sent.slice(sent.findIndex((x) => x.startsWith('delete')));
    expect(after.filter((x) => !x.startsWith('token'))).toEqual([expect.stringMatching(/^delete public-key \d+$/), 'ga up=false', 'ga up=false']);
  });

  it('should offer credential management on credMgmt alone, and skip when getInfo has no options at all', async () => {
    const noPreview = await runAgainst({ checks: ['CM-META-001'], fault: rewriteResponse(0x04, (b) => (b.get(0x04) as Map<string, boolean>).delete('credentialMgmtPreview')) });
    expect(outcomes(noPreview)).toEqual({ 'CM-META-001': 'pass: as specified' });
    const noOptions = await runAgainst({ checks: ['CM-META-001', 'CM-PREVIEW-001'], fault: rewriteResponse(0x04, (b) => b.delete(0x04)) });
    expect(outcomes(noOptions)).toEqual({
      'CM-META-001': 'skip: credential management not offered (credMgmt / credentialMgmtPreview)',
      'CM-PREVIEW-001': 'skip: credential management not offered (credMgmt / credentialMgmtPreview)',
    });
  });

  it('should skip, with the reason, what the key does not offer', async () => {
    const info = (edit: (o: Map<string, boolean>, info: Map<CborValue, CborValue>) => void) =>
      rewriteResponse(0x04, (b) => {
        const o = new Map(b.get(0x04) as Map<string, boolean>);
        edit(o, b);
        b.set(0x04, o);
      });
    const none = await runAgainst({ checks: ['CM-META-001'], fault: info((o) => (o.set('credMgmt', false), o.delete('credentialMgmtPreview'))) });
    expect(none.get('CM-META-001')).toEqual({ status: 'skip', message: 'credential management not offered (credMgmt / credentialMgmtPreview)' });
    // the preview option alone offers it (on 0x41)
    const previewOnly = await runAgainst({ checks: ['CM-AUTH-003', 'CM-PREVIEW-001'], fault: info((o) => (o.set('credMgmt', false), o.set('credentialMgmtPreview', true))) });
    expect(previewOnly.get('CM-AUTH-003')!.status).toBe('pass');
    expect(previewOnly.get('CM-PREVIEW-001')).toEqual({ status: 'skip', message: 'credMgmt (0x0A) not offered' });
    const no21pre = await runAgainst({ checks: ['CM-PREVIEW-001'], fault: info((_, b) => b.set(0x01, (b.get(0x01) as string[]).filter((v) => v !== 'FIDO_2_1_PRE'))) });
    expect(no21pre.get('CM-PREVIEW-001')).toEqual({ status: 'skip', message: 'FIDO_2_1_PRE not advertised' });
    const onlyCm = await runAgainst({
      checks: ['CM-AUTH-001'],
      fault: info((o) => {
        for (const name of ['largeBlobs', 'authnrCfg', 'bioEnroll', 'userVerificationMgmtPreview']) o.delete(name);
        o.set('noMcGaPermissionsWithClientPin', true);
      }),
    });
    expect(onlyCm.get('CM-AUTH-001')).toEqual({ status: 'skip', message: 'the key grants no permission but cm to a token by PIN' });
  });
});

/** enumerateRPsGetNextRP answers the first RP again (and enumerateRPsBegin says there are two). */
function rpListedTwice(): Fault {
  let first: Map<CborValue, CborValue> | undefined;
  return async (cmd, p, next) => {
    if (cmd === CM && sub(0x03)(p) && first) return { status: 0, body: new Map(first) };
    const a = await next(p);
    if (cmd === CM && sub(0x02)(p) && a.body) {
      a.body.set(0x05, 2);
      first = new Map(a.body);
      first.delete(0x05);
    }
    return a;
  };
}

/** getCredsMetadata on 0x0A answered CTAP1_ERR_OTHER after the first `n`. */
function refuseMetadataAfter(n: number): Fault {
  let seen = 0;
  return async (cmd, p, next) => (cmd === CM && sub(0x01)(p) && ++seen > n ? { status: S.CTAP1_ERR_OTHER } : next(p));
}

/** After an updateUserInformation, the credentials are listed under other ids. */
function updatedThenRenamed(): Fault {
  let updated = false;
  return async (cmd, p, next) => {
    if (cmd === CM && sub(0x07)(p)) updated = true;
    const a = await next(p);
    if (updated && cmd === CM && a.body?.has(0x07)) a.body.set(0x07, new Map<CborValue, CborValue>([['id', new Uint8Array(16)], ['type', 'public-key']]));
    return a;
  };
}

/** enumerateRPsBegin answers x.test of two RPs, enumerateRPsGetNextRP y.test: the check's RP is not among them. */
function otherRpsListed(): Fault {
  const rp = (id: string) => new Map<CborValue, CborValue>([[0x03, new Map([['id', id]])], [0x04, sha256(id)]]);
  return async (cmd, p, next) => {
    if (cmd === CM && sub(0x02)(p)) return { status: 0, body: new Map([...rp('x.test'), [0x05, 2]]) };
    if (cmd === CM && sub(0x03)(p)) return { status: 0, body: rp('y.test') };
    return next(p);
  };
}

/** After a deleteCredential, enumerateCredentials says two and answers the remaining one twice. */
function deletedStillCounted(): Fault {
  let deleted = false;
  let first: Map<CborValue, CborValue> | undefined;
  return async (cmd, p, next) => {
    if (cmd === CM && sub(0x06)(p)) deleted = true;
    if (deleted && cmd === CM && sub(0x05)(p) && first) return { status: 0, body: new Map(first) };
    const a = await next(p);
    if (deleted && cmd === CM && sub(0x04)(p) && a.body) {
      a.body.set(0x09, 2);
      first = new Map(a.body);
      first.delete(0x09);
    }
    return a;
  };
}

/** After a deleteCredential, enumerateCredentials lists one credential, but under another id. */
function listedAfterDelete(): Fault {
  let deleted = false;
  return async (cmd, p, next) => {
    if (cmd === CM && sub(0x06)(p)) deleted = true;
    const a = await next(p);
    if (deleted && cmd === CM && sub(0x04)(p) && a.body) a.body.set(0x07, new Map<CborValue, CborValue>([['id', new Uint8Array(16)], ['type', 'public-key']]));
    return a;
  };
}

/** The renamed credential is listed with its old `member`: updateUserInformation changed only the other one. */
function listedUserKeeps(member: 'name' | 'displayName'): Fault {
  return rewriteResponse(CM, (b) => {
    const user = b.get(0x06);
    if (!(user instanceof Map) || user.get('name') !== 'renamed@fido-harness.test') return;
    const copy = new Map(user);
    copy.set(member, member === 'name' ? 'user1@pool-cm.fido-harness.test' : 'User 1');
    b.set(0x06, copy);
  });
}
