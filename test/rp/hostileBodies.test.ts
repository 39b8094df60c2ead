// Bad input: every hostile body gets a 4xx with a clear errorMessage, never a 5xx,
// and the RP stores nothing (no credential, no counter change).
import { describe, expect, it } from 'vitest';
import { buildAttestationObject, encodeCanonicalCbor, parseAttestationObject, parseAuthenticatorData } from '../../harness/protocol/index.ts';
import { rpFixture, ORIGIN } from './rpFixture.ts';
import { simAuthenticate, simRegister, TestSession } from './simCeremony.ts';

type Fixture = Awaited<ReturnType<typeof rpFixture>>;
const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const fromB64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

/** rebuilds a response's attestation object after `edit` changed its parts */
function editAttestation(response: any, edit: (parts: { fmt: string; authData: Uint8Array; attStmt: Map<any, any> }) => void): any {
  const att = parseAttestationObject(fromB64u(response.response.attestationObject));
  const parts = { fmt: att.fmt, authData: new Uint8Array(att.authData.raw), attStmt: new Map(att.attStmt) };
  edit(parts);
  return { ...response, response: { ...response.response, attestationObject: b64u(buildAttestationObject(parts.fmt, parts.authData, parts.attStmt)) } };
}
function withAttestationBytes(response: any, bytes: Uint8Array): any {
  return { ...response, response: { ...response.response, attestationObject: b64u(bytes) } };
}
function withClientData(response: any, text: string | Uint8Array): any {
  return { ...response, response: { ...response.response, clientDataJSON: b64u(text) } };
}
function withAuthData(response: any, edit: (a: Uint8Array) => Uint8Array): any {
  return { ...response, response: { ...response.response, authenticatorData: b64u(edit(fromB64u(response.response.authenticatorData))) } };
}

interface Attempt {
  path: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  session?: TestSession;
}
interface HostileCase {
  name: string;
  status: number;
  code: string;
  message: RegExp;
  /** builds the request against a fixture (which may already hold registered credentials) */
  attempt: (f: Fixture) => Promise<Attempt>;
}

const regVerify = (ceremonyId: string, response: unknown): Attempt => ({ path: '/api/registration/verify', body: { ceremonyId, response } });
const authVerify = (ceremonyId: string, response: unknown): Attempt => ({ path: '/api/authentication/verify', body: { ceremonyId, response } });
async function reg(f: Fixture, edit: (r: any) => any, options: Record<string, unknown> = {}): Promise<Attempt> {
  const a = await f.registrationAttempt(options);
  return regVerify(a.ceremonyId, edit(a.response));
}
async function auth(f: Fixture, edit: (r: any) => any, body: Record<string, unknown> = { username: 'alice' }): Promise<Attempt> {
  const a = await f.authenticationAttempt(body);
  return authVerify(a.ceremonyId, edit(a.response));
}
function nested(depth: number): Uint8Array {
  // [[[[...0...]]]]: a one-element array (0x81) repeated `depth` times
  return Uint8Array.from([...new Array(depth).fill(0x81), 0x00]);
}

const cases: HostileCase[] = [
  { name: 'malformed JSON', status: 400, code: 'BODY_NOT_JSON', message: /not JSON/, attempt: async () => ({ path: '/api/registration/verify', raw: '{"ceremonyId":' }) },
  { name: 'empty body', status: 400, code: 'BODY_NOT_JSON', message: /not JSON/, attempt: async () => ({ path: '/api/registration/options', raw: '' }) },
  { name: 'JSON array instead of object', status: 400, code: 'BODY_INVALID', message: /body: /, attempt: async () => ({ path: '/api/registration/verify', body: [1, 2] }) },
  { name: 'JSON null', status: 400, code: 'BODY_INVALID', message: /invalid request/, attempt: async () => ({ path: '/api/authentication/verify', body: null }) },
  { name: 'text/plain content type', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /application\/json/, attempt: async () => ({ path: '/api/registration/options', body: { username: 'x' }, contentType: 'text/plain' }) },
  { name: 'username wrong type', status: 400, code: 'BODY_INVALID', message: /username/, attempt: async () => ({ path: '/api/registration/options', body: { username: 42 } }) },
  { name: 'username with control characters', status: 400, code: 'BODY_INVALID', message: /control characters/, attempt: async () => ({ path: '/api/registration/options', body: { username: 'a\u0000b' } }) },
  { name: 'username too long', status: 400, code: 'BODY_INVALID', message: /64/, attempt: async () => ({ path: '/api/registration/options', body: { username: 'x'.repeat(65) } }) },
  { name: 'unknown attestation conveyance', status: 400, code: 'BODY_INVALID', message: /attestation/, attempt: async () => ({ path: '/api/registration/options', body: { username: 'x', attestation: 'everything' } }) },
  { name: 'oversized body (70 KiB)', status: 413, code: 'BODY_TOO_LARGE', message: /larger than 65536 bytes/, attempt: async () => ({ path: '/api/registration/verify', raw: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) }) },
  { name: 'ceremonyId wrong type', status: 400, code: 'BODY_INVALID', message: /ceremonyId/, attempt: async (f) => { const a = await f.registrationAttempt(); return { path: '/api/registration/verify', body: { ceremonyId: 7, response: a.response } }; } },
  { name: 'response missing', status: 400, code: 'BODY_INVALID', message: /response/, attempt: async (f) => { const a = await f.registrationAttempt(); return { path: '/api/registration/verify', body: { ceremonyId: a.ceremonyId } }; } },
  { name: 'type not public-key', status: 400, code: 'BODY_INVALID', message: /response.type/, attempt: (f) => reg(f, (r) => ({ ...r, type: 'private-key' })) },
  { name: 'attestationObject not base64url', status: 400, code: 'BODY_INVALID', message: /attestationObject: not base64url/, attempt: (f) => reg(f, (r) => ({ ...r, response: { ...r.response, attestationObject: '***' } })) },
  { name: 'attestationObject too long', status: 400, code: 'BODY_INVALID', message: /attestationObject: longer than/, attempt: (f) => reg(f, (r) => ({ ...r, response: { ...r.response, attestationObject: 'A'.repeat(50_000) } })) },
  { name: 'clientDataJSON not JSON', status: 400, code: 'CLIENT_DATA_MALFORMED', message: /not UTF-8 JSON/, attempt: (f) => reg(f, (r) => withClientData(r, 'not json')) },
  { name: 'clientDataJSON invalid UTF-8', status: 400, code: 'CLIENT_DATA_MALFORMED', message: /not UTF-8 JSON/, attempt: (f) => reg(f, (r) => withClientData(r, Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]))) },
  { name: 'clientDataJSON nested 2000 deep', status: 400, code: 'CLIENT_DATA_MALFORMED', message: /clientDataJSON/, attempt: (f) => reg(f, (r) => withClientData(r, '['.repeat(2000) + ']'.repeat(2000))) },
  { name: 'clientDataJSON challenge wrong type', status: 400, code: 'CLIENT_DATA_MALFORMED', message: /challenge/, attempt: (f) => reg(f, (r) => withClientData(r, JSON.stringify({ type: 'webauthn.create', challenge: 5, origin: ORIGIN }))) },
  { name: 'clientData type webauthn.get at registration', status: 400, code: 'CLIENT_DATA_TYPE', message: /expected "webauthn.create"/, attempt: async (f) => { const a = await f.registrationAttempt(); const r = await simRegister(f.sim, a.options, ORIGIN, { clientData: { type: 'webauthn.get' } }); return regVerify(a.ceremonyId, r); } },
  { name: 'challenge of another ceremony', status: 400, code: 'CHALLENGE_MISMATCH', message: /challenge/, attempt: async (f) => { const a = await f.registrationAttempt(); const r = await simRegister(f.sim, a.options, ORIGIN, { clientData: { challenge: b64u(new Uint8Array(32)) } }); return regVerify(a.ceremonyId, r); } },
  { name: 'wrong origin (registration)', status: 403, code: 'ORIGIN_MISMATCH', message: /origin is "https:\/\/evil.example"/, attempt: async (f) => { const a = await f.registrationAttempt(); const r = await simRegister(f.sim, a.options, 'https://evil.example'); return regVerify(a.ceremonyId, r); } },
  { name: 'crossOrigin true', status: 403, code: 'ORIGIN_MISMATCH', message: /crossOrigin/, attempt: async (f) => { const a = await f.registrationAttempt(); const r = await simRegister(f.sim, a.options, ORIGIN, { clientData: { crossOrigin: true } }); return regVerify(a.ceremonyId, r); } },
  { name: 'attestationObject random bytes', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /attestationObject/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, Uint8Array.from([0xff, 0x00, 0x13, 0x37]))) },
  { name: 'CBOR deep nesting (10000 arrays)', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /CBOR_DEPTH_EXCEEDED/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, nested(10_000))) },
  { name: 'CBOR bomb: array of 2^32-1 items', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /CBOR_TOO_LARGE/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, Uint8Array.from([0x9a, 0xff, 0xff, 0xff, 0xff, 0x00]))) },
  { name: 'CBOR bomb: byte string of 2^63 bytes', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /CBOR_TOO_LARGE/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, Uint8Array.from([0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]))) },
  { name: 'CBOR bomb: map of 2^32-1 pairs', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /CBOR_TOO_LARGE/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, Uint8Array.from([0xba, 0xff, 0xff, 0xff, 0xff]))) },
  { name: 'attestation object with trailing bytes', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /attestationObject/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, Uint8Array.from([...fromB64u(r.response.attestationObject), 0x00]))) },
  { name: 'attestation object not a map', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /not a CBOR map/, attempt: (f) => reg(f, (r) => withAttestationBytes(r, encodeCanonicalCbor(['fmt', 'none']))) },
  { name: 'authData truncated to 20 bytes', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /20 bytes/, attempt: (f) => reg(f, (r) => editAttestation(r, (p) => { p.authData = p.authData.slice(0, 20); })) },
  { name: 'CBOR deep nesting inside attStmt', status: 400, code: 'ATTESTATION_OBJECT_MALFORMED', message: /CBOR_DEPTH_EXCEEDED/, attempt: (f) => reg(f, (r) => { const inner = nested(500); /* {"fmt":"packed","attStmt":{"sig":[[[...]]]},"authData":h'00..'} */ return withAttestationBytes(r, Uint8Array.from([0xa3, 0x63, 0x66, 0x6d, 0x74, 0x66, 0x70, 0x61, 0x63, 0x6b, 0x65, 0x64, 0x67, 0x61, 0x74, 0x74, 0x53, 0x74, 0x6d, 0x74, 0xa1, 0x63, 0x73, 0x69, 0x67, ...inner, 0x68, 0x61, 0x75, 0x74, 0x68, 0x44, 0x61, 0x74, 0x61, 0x58, 0x25, ...new Uint8Array(37)])); }) },
  { name: 'wrong rpIdHash', status: 400, code: 'RPID_HASH_MISMATCH', message: /rpIdHash/, attempt: async (f) => { const a = await f.registrationAttempt(); const r = await simRegister(f.sim, a.options, ORIGIN, { rpId: 'evil.example' }); return regVerify(a.ceremonyId, r); } },
  { name: 'UP flag clear', status: 400, code: 'USER_PRESENCE_MISSING', message: /UP flag/, attempt: (f) => reg(f, (r) => editAttestation(r, (p) => { p.authData[32] = p.authData[32]! & ~0x01; })) },
  { name: 'BS set without BE (registration)', status: 400, code: 'VERIFICATION_FAILED', message: /ATT_FLAGS/, attempt: (f) => reg(f, (r) => editAttestation(r, (p) => { p.authData[32] = (p.authData[32]! & ~0x08) | 0x10; })) },
  { name: 'UV required (Entra profile) but not performed', status: 400, code: 'USER_VERIFICATION_MISSING', message: /UV flag is not set/, attempt: (f) => reg(f, (r) => r, { profile: 'entra' }) },
  { name: 'id differs from rawId', status: 400, code: 'CREDENTIAL_ID_MISMATCH', message: /id and rawId differ/, attempt: (f) => reg(f, (r) => ({ ...r, id: b64u('other') })) },
  { name: 'rawId differs from the credential in authData', status: 400, code: 'CREDENTIAL_ID_MISMATCH', message: /differs from rawId/, attempt: (f) => reg(f, (r) => ({ ...r, id: b64u('other'), rawId: b64u('other') })) },
  { name: 'algorithm that was not offered', status: 400, code: 'ALGORITHM_NOT_ALLOWED', message: /not offered/, attempt: async (f) => { const o = await f.session.post('/api/registration/options', { username: 'dave', attestation: 'direct', algorithms: [-257] }); const r = await simRegister(f.sim, { ...o.json.options, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] }, ORIGIN); return regVerify(o.json.ceremonyId, r); } },
  { name: 'attestation signature tampered', status: 400, code: 'VERIFICATION_FAILED', message: /attestation not verified/, attempt: (f) => reg(f, (r) => editAttestation(r, (p) => { const sig = new Uint8Array(p.attStmt.get('sig')); sig[sig.length - 1] = sig[sig.length - 1]! ^ 1; p.attStmt.set('sig', sig); })) },
  { name: 'unknown ceremony id', status: 400, code: 'CEREMONY_UNKNOWN', message: /unknown or already used/, attempt: async (f) => { const a = await f.registrationAttempt(); return regVerify(b64u(new Uint8Array(24)), a.response); } },
  { name: 'replayed registration', status: 400, code: 'CEREMONY_UNKNOWN', message: /already used/, attempt: async (f) => { const a = await f.registrationAttempt({ username: 'replay' }); await f.session.post('/api/registration/verify', { ceremonyId: a.ceremonyId, response: a.response }); return regVerify(a.ceremonyId, a.response); } },
  { name: 'expired challenge', status: 400, code: 'CEREMONY_EXPIRED', message: /expired/, attempt: async (f) => { const a = await f.registrationAttempt(); f.clock.advance(120_001); return regVerify(a.ceremonyId, a.response); } },
  { name: 'ceremony of another session', status: 403, code: 'CEREMONY_SESSION_MISMATCH', message: /another session/, attempt: async (f) => { const a = await f.registrationAttempt(); return { ...regVerify(a.ceremonyId, a.response), session: new TestSession(f.app) }; } },
  { name: 'authentication ceremony used for registration', status: 400, code: 'CEREMONY_WRONG_KIND', message: /issued for authentication/, attempt: async (f) => { const r = await f.registrationAttempt(); const a = await f.authenticationAttempt(); return regVerify(a.ceremonyId, r.response); } },
  // sign-in
  { name: 'unknown credential id', status: 400, code: 'CREDENTIAL_UNKNOWN', message: /unknown credential id/, attempt: (f) => auth(f, (r) => ({ ...r, id: b64u('nobody'), rawId: b64u('nobody') })) },
  { name: 'credential of another user', status: 400, code: 'CREDENTIAL_NOT_ALLOWED', message: /allowCredentials/, attempt: async (f) => { const bob = f.state.credentials.credentialsOf('bob')[0]!; return auth(f, (r) => ({ ...r, id: bob.id, rawId: bob.id })); } },
  { name: 'wrong origin (sign-in)', status: 403, code: 'ORIGIN_MISMATCH', message: /origin/, attempt: async (f) => { const o = await f.session.post('/api/authentication/options', { username: 'alice' }); const r = await simAuthenticate(f.sim, o.json.options, 'http://localhost:9999'); return authVerify(o.json.ceremonyId, r); } },
  { name: 'assertion BE flag differs from the registration', status: 400, code: 'BACKUP_ELIGIBILITY_CHANGED', message: /BE flag is set but was clear/, attempt: (f) => auth(f, (r) => withAuthData(r, (a) => { const b = new Uint8Array(a); b[32] = b[32]! | 0x08; return b; })) },
  { name: 'assertion BS set without BE', status: 400, code: 'AUTHENTICATOR_DATA_MALFORMED', message: /BS \(backed up\)/, attempt: (f) => auth(f, (r) => withAuthData(r, (a) => { const b = new Uint8Array(a); b[32] = b[32]! | 0x10; return b; })) },
  { name: 'assertion rpIdHash of another RP', status: 400, code: 'RPID_HASH_MISMATCH', message: /rpIdHash/, attempt: (f) => auth(f, (r) => withAuthData(r, (a) => { const b = new Uint8Array(a); b[0] = b[0]! ^ 0xff; return b; })) },
  { name: 'authenticatorData truncated', status: 400, code: 'AUTHENTICATOR_DATA_MALFORMED', message: /authenticatorData/, attempt: (f) => auth(f, (r) => withAuthData(r, (a) => a.slice(0, 30))) },
  { name: 'assertion signature tampered', status: 400, code: 'VERIFICATION_FAILED', message: /assertion not verified|signature/, attempt: (f) => auth(f, (r) => { const s = fromB64u(r.response.signature); s[s.length - 1] = s[s.length - 1]! ^ 1; return { ...r, response: { ...r.response, signature: b64u(s) } }; }) },
  { name: 'userHandle of another user', status: 400, code: 'USER_HANDLE_MISMATCH', message: /userHandle/, attempt: (f) => auth(f, (r) => ({ ...r, response: { ...r.response, userHandle: b64u('someone else') } })) },
  { name: 'discoverable sign-in without userHandle', status: 400, code: 'USER_HANDLE_MISMATCH', message: /userHandle/, attempt: (f) => auth(f, (r) => ({ ...r, response: { ...r.response, userHandle: null } }), {}) },
  { name: 'counter regression (clone)', status: 400, code: 'COUNTER_REGRESSION', message: /possible cloned authenticator/, attempt: async (f) => { const early = await f.authenticationAttempt(); const late = await f.authenticationAttempt(); const ok = await f.session.post('/api/authentication/verify', { ceremonyId: late.ceremonyId, response: late.response }); expect(ok.status).toBe(200); return authVerify(early.ceremonyId, early.response); } },
  { name: 'UV required at sign-in but not performed', status: 400, code: 'USER_VERIFICATION_MISSING', message: /UV flag/, attempt: (f) => auth(f, (r) => r, { username: 'alice', userVerification: 'required' }) },
  { name: 'replayed assertion', status: 400, code: 'CEREMONY_UNKNOWN', message: /already used/, attempt: async (f) => { const a = await f.authenticationAttempt(); const ok = await f.session.post('/api/authentication/verify', { ceremonyId: a.ceremonyId, response: a.response }); expect(ok.status).toBe(200); return authVerify(a.ceremonyId, a.response); } },
  { name: 'signature too long', status: 400, code: 'BODY_INVALID', message: /signature: longer than/, attempt: (f) => auth(f, (r) => ({ ...r, response: { ...r.response, signature: 'A'.repeat(3000) } })) },
  { name: 'sign-in options for an unknown user', status: 404, code: 'USER_UNKNOWN', message: /no credentials registered/, attempt: async () => ({ path: '/api/authentication/options', body: { username: 'mallory' } }) },
  // conformance API
  { name: 'conformance result with an unissued challenge', status: 400, code: 'CEREMONY_UNKNOWN', message: /unknown or already used/, attempt: async (f) => { const a = await f.registrationAttempt(); return { path: '/conformance/attestation/result', body: a.response }; } },
  { name: 'conformance options without username', status: 400, code: 'BODY_INVALID', message: /username/, attempt: async () => ({ path: '/conformance/attestation/options', body: { displayName: 'x' } }) },
  { name: 'conformance assertion result with garbage clientDataJSON', status: 400, code: 'CLIENT_DATA_MALFORMED', message: /clientDataJSON/, attempt: async (f) => { const a = await f.authenticationAttempt(); return { path: '/conformance/assertion/result', body: withClientData(a.response, '{') }; } },
];

describe('hostile bodies', () => {
  it('has at least 30 kinds', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s → 4xx, clear errorMessage, nothing stored', async (_name, c) => {
    const f = await rpFixture();
    await f.register('alice', { residentKey: 'required' });
    await f.register('bob');
    const attempt = await c.attempt(f);
    const before = snapshot(f);
    const who = attempt.session ?? f.session;
    const res = await who.post(attempt.path, attempt.body, { ...(attempt.raw !== undefined ? { raw: attempt.raw } : {}), ...(attempt.contentType ? { contentType: attempt.contentType } : {}) });
    if (attempt.path.startsWith('/conformance/')) {
      // the conformance API's failure shape is exactly {status, errorMessage}; the code is in a header
      expect(Object.keys(res.json).sort()).toEqual(['errorMessage', 'status']);
      expect(res.headers.get('x-error-code')).toBe(c.code);
    } else {
      expect(res.json.code).toBe(c.code);
    }
    expect(res.json.status).toBe('failed');
    expect(res.status).toBe(c.status);
    expect(res.json.errorMessage).toMatch(c.message);
    expect(snapshot(f)).toEqual(before);
  });
});

/** everything a refused request must leave alone */
function snapshot(f: Fixture) {
  const users = ['alice', 'bob', 'dave', 'replay', 'x', 'mallory'];
  return {
    credentials: f.state.credentials.credentialCount,
    users: f.state.credentials.userCount,
    perUser: users.map((u) => f.state.credentials.credentialsOf(u).map((c) => [c.id, c.counter, c.signIns, c.lastUsedAt])),
  };
}
