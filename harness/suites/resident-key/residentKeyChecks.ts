import { CtapRequest } from '../../ctap/index.ts';
import { randomBytes } from 'node:crypto';
import { CtapStatus, verifyCoseSignature, type CborMap } from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { decodeAssertion, gaRequest, getAssertion, makeCredential, sha256 } from '../ops.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { rkOption } from '../ops.ts';
import { all, needsRk, needsAlwaysUvOff } from '../needs.ts';

const suite = 'resident-key';

/**
 * Discoverable-credential checks run with no PIN set, so that makeCredential with rk=true needs no token
 * (with a PIN, CTAP 2.1 §6.1.2 step 11 demands one; the client-pin suite covers that path).
 */
const base = { suite, needs: { pin: 'unset' as const }, destructive: true, requires: needsRk };

export const residentKeyChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'RK-DISCOVER-001',
    title: 'a discoverable credential is found without an allowList',
    specRef: 'CTAP 2.1 §6.1.2 step 17, §6.2.2 step 7; Microsoft S1/S2 (discoverable credentials)',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-DISCOVER-001');
      const userId = new Uint8Array(randomBytes(16));
      const made = await makeCredential(ctx, rpId, { options: rkOption(), user: { id: userId, name: 'rk user' } }, signal);
      const got = await getAssertion(ctx, gaRequest(rpId), signal);
      ensure(hex(got.response.credential.id) === hex(made.credentialId), 'a different credential was found');
      ensure(got.response.user && hex(got.response.user.id) === hex(userId), 'user.id missing or different', {
        expected: hex(userId),
        actual: hex(got.response.user?.id),
      });
    },
  },
  {
    ...base,
    id: 'RK-MULTI-001',
    title: 'two accounts on one RP: numberOfCredentials is 2 and getNextAssertion returns the other',
    specRef: 'CTAP 2.1 §6.2.2 step 11 (numberOfCredentials), §6.3; Microsoft S2 (several accounts per RP)',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-MULTI-001');
      const users = [new Uint8Array(randomBytes(16)), new Uint8Array(randomBytes(16))];
      for (const id of users) await makeCredential(ctx, rpId, { options: rkOption(), user: { id, name: 'account' } }, signal);
      const first = await getAssertion(ctx, gaRequest(rpId), signal);
      ensure(first.response.numberOfCredentials === 2, `numberOfCredentials is ${first.response.numberOfCredentials}, expected 2`);
      const next = await ctx.request(CtapRequest.getNextAssertion, undefined, signal);
      expectStatus(next, CtapStatus.CTAP2_OK, 'getNextAssertion');
      const second = decodeAssertion(next);
      const seen = [hex(first.response.user?.id), hex(second.response.user?.id)].sort();
      ensure(JSON.stringify(seen) === JSON.stringify(users.map(hex).sort()), 'the two assertions are not for the two accounts');
      // most recently created first (§6.2.2 step 7)
      ensure(hex(first.response.user?.id) === hex(users[1]), 'the first assertion is not for the most recent credential');
    },
  },
  {
    ...base,
    id: 'RK-MULTI-002',
    title: 'getNextAssertion past the last credential is refused with CTAP2_ERR_NOT_ALLOWED',
    specRef: 'CTAP 2.1 §6.3 step 2',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-MULTI-002');
      for (let i = 0; i < 2; i++) await makeCredential(ctx, rpId, { options: rkOption() }, signal);
      await getAssertion(ctx, gaRequest(rpId), signal);
      expectStatus(await ctx.request(CtapRequest.getNextAssertion, undefined, signal), CtapStatus.CTAP2_OK, 'second');
      expectStatus(await ctx.request(CtapRequest.getNextAssertion, undefined, signal), CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'third of two');
    },
  },
  {
    ...base,
    id: 'RK-MULTI-003',
    title: 'signatures of getNextAssertion verify over the same clientDataHash',
    specRef: 'CTAP 2.1 §6.3',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-MULTI-003');
      const keys = new Map<string, CborMap>();
      for (let i = 0; i < 2; i++) {
        const m = await makeCredential(ctx, rpId, { options: rkOption() }, signal);
        keys.set(hex(m.credentialId), m.publicKey);
      }
      const req = gaRequest(rpId);
      const first = await getAssertion(ctx, req, signal);
      const second = decodeAssertion(await ctx.request(CtapRequest.getNextAssertion, undefined, signal));
      for (const a of [first, second]) {
        const key = keys.get(hex(a.response.credential.id));
        ensure(key, 'assertion for an unknown credential');
        const signed = new Uint8Array(Buffer.concat([a.response.authData, req.clientDataHash]));
        ensure(verifyCoseSignature(key, signed, a.response.signature), 'a signature does not verify');
      }
    },
  },
  {
    ...base,
    id: 'RK-OVERWRITE-001',
    title: 'a new discoverable credential for the same RP and user.id replaces the old one',
    specRef: 'CTAP 2.1 §6.1.2 step 17',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-OVERWRITE-001');
      const user = { id: new Uint8Array(randomBytes(16)), name: 'same user' };
      await makeCredential(ctx, rpId, { options: rkOption(), user }, signal);
      const second = await makeCredential(ctx, rpId, { options: rkOption(), user }, signal);
      const got = await getAssertion(ctx, gaRequest(rpId), signal);
      ensure(got.response.numberOfCredentials === undefined || got.response.numberOfCredentials === 1, `numberOfCredentials ${got.response.numberOfCredentials}: the old credential was kept`);
      ensure(hex(got.response.credential.id) === hex(second.credentialId), 'the newer credential was not the one found');
    },
  },
  {
    ...base,
    id: 'RK-USER-001',
    title: 'without user verification no user name or displayName is returned',
    specRef: 'CTAP 2.1 §6.2.2 step 11 (user: identifiable information only after UV)',
    requires: all(needsRk, needsAlwaysUvOff),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-USER-001');
      await makeCredential(ctx, rpId, { options: rkOption(), user: { id: sha256('u1'), name: 'private@example.com', displayName: 'Private' } }, signal);
      await makeCredential(ctx, rpId, { options: rkOption(), user: { id: sha256('u2'), name: 'private2@example.com', displayName: 'Private 2' } }, signal);
      const got = await getAssertion(ctx, gaRequest(rpId), signal);
      const u = got.response.user;
      ensure(u !== undefined, 'no user returned for a discoverable credential');
      ensure(u.name === undefined && u.displayName === undefined, `user names returned without verification: ${JSON.stringify({ name: u.name, displayName: u.displayName })}`);
    },
  },
  {
    ...base,
    id: 'RK-REMAINING-001',
    title: 'remainingDiscoverableCredentials goes down by one per new discoverable credential',
    specRef: 'CTAP 2.1 §6.4 remainingDiscoverableCredentials',
    requires: (ctx) => needsRk(ctx) ?? (ctx.info.remainingDiscoverableCredentials === undefined ? 'remainingDiscoverableCredentials not reported' : undefined),
    async run(ctx, signal) {
      const before = (await ctx.refreshInfo()).remainingDiscoverableCredentials!;
      await makeCredential(ctx, ctx.rpIdFor('RK-REMAINING-001'), { options: rkOption() }, signal);
      const after = (await ctx.refreshInfo()).remainingDiscoverableCredentials!;
      ensure(after === before - 1, `remainingDiscoverableCredentials went from ${before} to ${after}`);
    },
  },
  {
    ...base,
    id: 'RK-NONRK-001',
    title: 'a non-discoverable credential is not found without an allowList',
    specRef: 'CTAP 2.1 §6.2.2 step 7',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RK-NONRK-001');
      await makeCredential(ctx, rpId, {}, signal);
      const r = await ctx.request(CtapRequest.getAssertion, gaRequest(rpId), signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion without allowList for a non-discoverable credential');
    },
  },
];

