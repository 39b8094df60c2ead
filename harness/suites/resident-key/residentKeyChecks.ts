import { CtapRequest } from '../../ctap/index.ts';
import { randomBytes } from 'node:crypto';
import { CtapStatus, verifyCoseSignature, type CborMap } from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { decodeAssertion, gaRequest, getAssertion, makeCredential, makeCredentialUv, sha256 } from '../ops.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { poolMember, pooled } from '../credentialPool.ts';
import { rkOption } from '../ops.ts';
import { all, needsRk, needsAlwaysUvOff } from '../needs.ts';

const suite = 'resident-key';

/**
 * Discoverable-credential checks run with no PIN set, so that makeCredential with rk=true needs no token
 * (with a PIN, CTAP 2.1 §6.1.2 step 11 demands one; the client-pin suite covers that path).
 */
const base = { suite, needs: { pin: 'unset' as const }, destructive: true, requires: needsRk };

/** Silent assertions (CTAP 2.1 §6.2.2 step 9, up false): these checks are about finding credentials, not presence. */
const silent = () => new Map([['up', false]]);

/**
 * The run's two accounts on one RP (credentialPool.ts, `rkPair`, 2 touches): discoverable credentials with
 * user names, made in order, and remainingDiscoverableCredentials before and after.
 */
export function rkPair(ctx: SuiteContext, signal: AbortSignal) {
  return poolMember(ctx, 'rkPair', async () => {
    const rpId = 'pool-rk.fido-harness.test';
    const before = (await ctx.refreshInfo()).remainingDiscoverableCredentials;
    // The names are stored and never read back (no check verifies the user); one id changed alone leaves the two distinct.
    const users = [
      // Stryker disable next-line StringLiteral: data no check reads back (see above)
      { id: sha256(`u1-${randomBytes(8).toString('hex')}`), name: 'private@example.com', displayName: 'Private' },
      // Stryker disable next-line StringLiteral: data no check reads back (see above)
      { id: sha256(`u2-${randomBytes(8).toString('hex')}`), name: 'private2@example.com', displayName: 'Private 2' },
    ];
    const made = [];
    // with a PIN set a discoverable credential needs user verification (CTAP 2.1 §6.1.2 step 11): a PIN token
    // Stryker disable next-line OptionalChaining: these checks need rk, so getInfo has options here
    const make = ctx.info.options?.clientPin === true ? makeCredentialUv : makeCredential;
    for (const user of users) made.push(await make(ctx, rpId, { options: rkOption(), user }, signal));
    const after = (await ctx.refreshInfo()).remainingDiscoverableCredentials;
    return { rpId, users, made, make, remaining: { before, after } };
  });
}

const pair = { touches: 0, uses: ['rkPair'] } as const;

export const residentKeyChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'RK-DISCOVER-001',
    title: 'a discoverable credential is found without an allowList',
    specRef: 'CTAP 2.1 §6.1.2 step 17, §6.2.2 step 7; Microsoft S1/S2 (discoverable credentials)',
    ...pair,
    async run(ctx, signal) {
      const { rpId, users, made: both } = await rkPair(ctx, signal);
      const userId = users[1]!.id;
      const made = both[1]!; // the most recent is found first (§6.2.2 step 7)
      const got = await getAssertion(ctx, gaRequest(rpId, { options: silent() }), signal);
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
    ...pair,
    async run(ctx, signal) {
      const pool = await rkPair(ctx, signal);
      const rpId = pool.rpId;
      const users = pool.users.map((u) => u.id);
      const first = await getAssertion(ctx, gaRequest(rpId, { options: silent() }), signal);
      ensure(first.response.numberOfCredentials === 2, `numberOfCredentials is ${first.response.numberOfCredentials}, expected 2`);
      const next = await ctx.request(CtapRequest.getNextAssertion, undefined, signal);
      expectStatus(next, CtapStatus.CTAP2_OK, 'getNextAssertion');
      const second = decodeAssertion(next);
      const seen = [hex(first.response.user?.id), hex(second.response.user?.id)].sort();
      ensure(JSON.stringify(seen) === JSON.stringify(users.map(hex).sort()), 'the two assertions are not for the two accounts');
      // most recently created first (§6.2.2 step 7)
      // Stryker disable next-line OptionalChaining: without a user in the first assertion the check above has failed already
      ensure(hex(first.response.user?.id) === hex(users[1]), 'the first assertion is not for the most recent credential');
    },
  },
  {
    ...base,
    id: 'RK-MULTI-002',
    title: 'getNextAssertion past the last credential is refused with CTAP2_ERR_NOT_ALLOWED',
    specRef: 'CTAP 2.1 §6.3 step 2',
    ...pair,
    async run(ctx, signal) {
      const { rpId } = await rkPair(ctx, signal);
      await getAssertion(ctx, gaRequest(rpId, { options: silent() }), signal);
      expectStatus(await ctx.request(CtapRequest.getNextAssertion, undefined, signal), CtapStatus.CTAP2_OK, 'second');
      expectStatus(await ctx.request(CtapRequest.getNextAssertion, undefined, signal), CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'third of two');
    },
  },
  {
    ...base,
    id: 'RK-MULTI-003',
    title: 'signatures of getNextAssertion verify over the same clientDataHash',
    specRef: 'CTAP 2.1 §6.3',
    ...pair,
    async run(ctx, signal) {
      const { rpId, made } = await rkPair(ctx, signal);
      const keys = new Map<string, CborMap>(made.map((m) => [hex(m.credentialId), m.publicKey]));
      const req = gaRequest(rpId, { options: silent() });
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
    // one new credential for the second pooled account (same RP, same user): it must replace that account's
    touches: 1,
    uses: ['rkPair'],
    async run(ctx, signal) {
      // made the way the pair was (with a PIN token where the key says it has a PIN)
      const { rpId, users, make } = await rkPair(ctx, signal);
      const second = await make(ctx, rpId, { options: rkOption(), user: users[1]! }, signal);
      const got = await getAssertion(ctx, gaRequest(rpId, { options: silent() }), signal);
      // Stryker disable next-line EqualityOperator: the message is built only when numberOfCredentials is not 2
      ensure(got.response.numberOfCredentials === 2, `numberOfCredentials ${got.response.numberOfCredentials} for two accounts: ${(got.response.numberOfCredentials ?? 0) > 2 ? 'the old credential was kept' : 'an account is missing'}`);
      ensure(hex(got.response.credential.id) === hex(second.credentialId), 'the newer credential was not the one found');
    },
  },
  {
    ...base,
    id: 'RK-USER-001',
    title: 'without user verification no user name or displayName is returned',
    specRef: 'CTAP 2.1 §6.2.2 step 11 (user: identifiable information only after UV)',
    requires: all(needsRk, needsAlwaysUvOff),
    ...pair,
    async run(ctx, signal) {
      const { rpId } = await rkPair(ctx, signal);
      const got = await getAssertion(ctx, gaRequest(rpId, { options: silent() }), signal);
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
    ...pair,
    requires: (ctx) => needsRk(ctx) ?? (ctx.info.remainingDiscoverableCredentials === undefined ? 'remainingDiscoverableCredentials not reported' : undefined),
    async run(ctx, signal) {
      // read around the making of the pooled pair: two new discoverable credentials
      const { before, after } = (await rkPair(ctx, signal)).remaining;
      // Stryker disable next-line ConditionalExpression: with before undefined, after === NaN is false as well
      ensure(before !== undefined && after === before - 2, `remainingDiscoverableCredentials went from ${before} to ${after} over two new credentials`);
    },
  },
  {
    ...base,
    id: 'RK-NONRK-001',
    title: 'a non-discoverable credential is not found without an allowList',
    specRef: 'CTAP 2.1 §6.2.2 step 7',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const plain = await pooled(ctx, 'plain', signal);
      const r = await ctx.request(CtapRequest.getAssertion, gaRequest(plain.request.rp.id, { options: silent() }), signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion without allowList for a non-discoverable credential');
    },
  },
];

