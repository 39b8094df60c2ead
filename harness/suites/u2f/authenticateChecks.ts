import { U2fControl, U2fStatusWord } from '../../protocol/index.ts';
import { ensure, hex } from '../expect.ts';
import { sha256 } from '../ops.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import {
  authenticationSignedData,
  expectSw,
  needsU2f,
  parseAuthentication,
  random32,
  suite,
  pooledU2f,
  u2fAuthenticate,
  userPublicKey,
  verifiesEs256,
} from './u2fOps.ts';

const { CHECK_ONLY, ENFORCE_USER_PRESENCE_AND_SIGN: ENFORCE, DONT_ENFORCE_USER_PRESENCE_AND_SIGN: DONT_ENFORCE } = U2fControl;

/** A key handle no token made: 64 random bytes. */
const foreignKeyHandle = () => new Uint8Array(Buffer.concat([random32(), random32()]));

export const authenticateChecks: SuiteCheck[] = [
  {
    id: 'U2F-AUTH-001',
    suite,
    title: 'check-only (0x07) with a key handle of this token answers SW_CONDITIONS_NOT_SATISFIED (0x6985)',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.1 (check-only)',
    requires: needsU2f,
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      const { reg, application } = await pooledU2f(ctx);
      const res = await u2fAuthenticate(ctx, CHECK_ONLY, random32(), application, reg.keyHandle);
      expectSw(res, U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED, 'check-only with a valid key handle');
      ensure(res.data.length === 0, `check-only answered ${res.data.length} data bytes; it signs nothing`);
    },
  },
  {
    id: 'U2F-AUTH-002',
    suite,
    title: 'check-only (0x07) with a key handle not of this token answers SW_WRONG_DATA (0x6A80)',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.1 (check-only), §3.3',
    requires: needsU2f,
    touches: 0,
    async run(ctx) {
      // Stryker disable next-line StringLiteral: any application parameter serves: the key handle is foreign to the token
      const application = sha256(ctx.rpIdFor('U2F-AUTH-002'));
      const res = await u2fAuthenticate(ctx, CHECK_ONLY, random32(), application, foreignKeyHandle());
      expectSw(res, U2fStatusWord.SW_WRONG_DATA, 'check-only with a foreign key handle');
    },
  },
  {
    id: 'U2F-AUTH-003',
    suite,
    title: 'enforce-user-presence-and-sign (0x03): user presence bit set, signature verifies over application || flags || counter || challenge',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.1, §5.4',
    requires: needsU2f,
    // the one U2F check about presence: enforce-user-presence-and-sign waits for a touch (§5.1)
    touches: 1,
    uses: ['u2f'],
    async run(ctx) {
      const { reg, application } = await pooledU2f(ctx);
      const challenge = random32();
      const res = await u2fAuthenticate(ctx, ENFORCE, challenge, application, reg.keyHandle, true);
      expectSw(res, U2fStatusWord.SW_NO_ERROR, 'enforce-user-presence-and-sign');
      const a = parseAuthentication(res.data);
      ensure((a.flags & 0x01) === 0x01, `user presence byte 0x${a.flags.toString(16)} has bit 0 clear after an enforced touch`);
      const signed = authenticationSignedData(application, a.flags, a.counterBytes, challenge);
      ensure(verifiesEs256(userPublicKey(reg.publicKey), signed, a.signature), 'the authentication signature does not verify with the registered public key', { actual: hex(a.signature) });
      return { message: `counter ${a.counter}` };
    },
  },
  {
    id: 'U2F-AUTH-004',
    suite,
    title: 'the U2F counter increases from one authentication to the next',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.4 (counter); CTAP 2.1 §6.1.2 step 17 (signature counter)',
    requires: needsU2f,
    // dont-enforce (0x08) signs and counts like enforce (§5.1, §5.4) without asking for a touch
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      const { reg, application } = await pooledU2f(ctx);
      const counters: number[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await u2fAuthenticate(ctx, DONT_ENFORCE, random32(), application, reg.keyHandle);
        expectSw(res, U2fStatusWord.SW_NO_ERROR, `authentication ${i + 1}`);
        counters.push(parseAuthentication(res.data).counter);
      }
      ensure(counters[1]! > counters[0]!, `the counter did not increase: ${counters.join(' then ')}`, { expected: `> ${counters[0]}`, actual: String(counters[1]) });
      return { message: `counters ${counters.join(', ')}` };
    },
  },
  {
    id: 'U2F-AUTH-005',
    suite,
    title: "dont-enforce-user-presence-and-sign (0x08) signs without a touch and the signature verifies",
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.1 (0x08), §5.4; CTAP 2.1 §11.2.9.1.1',
    requires: needsU2f,
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      const { reg, application } = await pooledU2f(ctx);
      const challenge = random32();
      const res = await u2fAuthenticate(ctx, DONT_ENFORCE, challenge, application, reg.keyHandle);
      expectSw(res, U2fStatusWord.SW_NO_ERROR, 'dont-enforce-user-presence-and-sign');
      const a = parseAuthentication(res.data);
      const signed = authenticationSignedData(application, a.flags, a.counterBytes, challenge);
      ensure(verifiesEs256(userPublicKey(reg.publicKey), signed, a.signature), 'the dont-enforce signature does not verify with the registered public key', { actual: hex(a.signature) });
      return { message: `user presence byte 0x${a.flags.toString(16).padStart(2, '0')}` };
    },
  },
  {
    id: 'U2F-AUTH-006',
    suite,
    title: 'enforce-user-presence-and-sign with a key handle not of this token answers SW_WRONG_DATA (0x6A80) and signs nothing',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.1, §3.3',
    requires: needsU2f,
    touches: 0,
    async run(ctx) {
      // Stryker disable next-line StringLiteral: any application parameter serves: the key handle is foreign to the token
      const application = sha256(ctx.rpIdFor('U2F-AUTH-006'));
      const res = await u2fAuthenticate(ctx, ENFORCE, random32(), application, foreignKeyHandle());
      expectSw(res, U2fStatusWord.SW_WRONG_DATA, 'enforce with a foreign key handle');
      ensure(res.data.length === 0, `a refused authentication returned ${res.data.length} data bytes`);
    },
  },
  {
    id: 'U2F-AUTH-007',
    suite,
    title: "a valid key handle presented with another application parameter answers SW_WRONG_DATA (0x6A80), check-only and enforce",
    specRef: 'FIDO U2F Raw Message Formats v1.2 §5.1 (the key handle is bound to the application parameter)',
    requires: needsU2f,
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      // Stryker disable next-line StringLiteral: any text but the pool's RP ID gives an application parameter other than the registration's
      const other = sha256(`other.${ctx.rpIdFor('U2F-AUTH-007')}`);
      const { reg } = await pooledU2f(ctx);
      expectSw(await u2fAuthenticate(ctx, CHECK_ONLY, random32(), other, reg.keyHandle), U2fStatusWord.SW_WRONG_DATA, 'check-only with another application parameter');
      const res = await u2fAuthenticate(ctx, ENFORCE, random32(), other, reg.keyHandle);
      expectSw(res, U2fStatusWord.SW_WRONG_DATA, 'enforce with another application parameter');
    },
  },
];
