import { randomBytes } from 'node:crypto';
import { ensure } from '../expect.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { needsAlwaysUvOff, needsRk } from '../needs.ts';
import { authenticate, discoverableSignIn, ENTRA_SELECTION, entraAccount, register, webauthnAccount } from './ceremonies.ts';

const suite = 'webauthn';
const user = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@fido-harness.test`;
// The ceremonies verify the user with a PIN they set (clientPIN, CTAP 2.1 §6.5).
const needsPin = (ctx: SuiteContext) => ('clientPin' in (ctx.info.options ?? {}) ? undefined : 'the ceremonies verify the user with a PIN, and the key has no clientPin');

export const webauthnChecks: SuiteCheck[] = [
  {
    id: 'WEBAUTHN-REG-001',
    suite,
    title: 'a registration with default options verifies at the relying party (@simplewebauthn/server)',
    specRef: 'WebAuthn L3 §7.1 (registering a new credential)',
    touches: 0,
    uses: ['webauthnAccount'],
    requires: needsAlwaysUvOff,
    async run(ctx) {
      // the shared account is registered and signed in once, both verified by the relying party
      await webauthnAccount(ctx);
    },
  },
  {
    id: 'WEBAUTHN-ENTRA-001',
    suite,
    title: "Entra ID's registration profile (rk, UV required, direct attestation, ES256) verifies with the UV flag set",
    specRef: 'docs/microsoft-entra.md EN-UV, EN-RK, EN-ES256 (S6 creationOptions); WebAuthn L3 §7.1 steps 15-16',
    needs: { pin: 'set' },
    destructive: true,
    requires: (ctx) => needsRk(ctx) ?? needsPin(ctx),
    touches: 0,
    uses: ['entraAccount'],
    async run(ctx) {
      const result = (await entraAccount(ctx)).registration;
      // that the key kept the credential (rk) is shown by the discoverable sign-ins of ENTRA-002 and ENTRA-003
      // Stryker disable next-line StringLiteral: never shown: the relying party refuses a UV-required registration without UV first (WebAuthn L3 §7.1 step 16)
      ensure(result.authenticatorData.uv, 'UV flag clear in a registration that required user verification');
      // Stryker disable next-line OptionalChaining: the relying party refuses authData without attested credential data first (WebAuthn L3 §7.1 step 18)
      ensure(result.authenticatorData.attestedCredentialData?.credentialPublicKey.get(3) === -7, 'the credential is not ES256');
      ensure(result.response.fmt !== 'none', 'direct attestation was asked for but "none" came back');
    },
  },
  {
    id: 'WEBAUTHN-ENTRA-002',
    suite,
    title: "Entra ID's sign-in (discoverable, UV required) verifies with the UV flag set",
    specRef: 'docs/microsoft-entra.md EN-UV; WebAuthn L3 §7.2 step 17',
    needs: { pin: 'set' },
    destructive: true,
    requires: (ctx) => needsRk(ctx) ?? needsPin(ctx),
    touches: 1,
    uses: ['entraAccount'],
    async run(ctx) {
      const { c } = await entraAccount(ctx);
      const result = await discoverableSignIn(c, 'required');
      // Stryker disable next-line StringLiteral: never shown: the relying party refuses a UV-required sign-in without UV first (WebAuthn L3 §7.2 step 17)
      ensure(result.authenticatorData.uv, 'UV flag clear in a sign-in that required user verification');
    },
  },
  {
    id: 'WEBAUTHN-ENTRA-003',
    suite,
    title: 'a second account on the same relying party: both sign in, and discoverable sign-in offers both',
    specRef: 'docs/microsoft-entra.md MS-MULTI-ACCOUNT (S2); CTAP 2.1 §6.2.2 numberOfCredentials',
    needs: { pin: 'set' },
    destructive: true,
    requires: (ctx) => needsRk(ctx) ?? needsPin(ctx),
    // the second registration, a sign-in for each account, and the discoverable sign-in
    touches: 4,
    uses: ['entraAccount'],
    async run(ctx) {
      // The shared account's relying party has an RP ID of its own: it holds exactly these two accounts.
      const { c, name: first, registration: a } = await entraAccount(ctx);
      // Stryker disable next-line StringLiteral: the tag only names the account; any unique user name serves
      const second = user('second');
      const b = await register(c, second, ENTRA_SELECTION, 'direct', true);
      // Stryker disable next-line ConditionalExpression,StringLiteral: never reached: the relying party refuses a credential id it holds with HTTP 409 first (WebAuthn L3 §7.1 step 26)
      ensure(a.credential.id !== b.credential.id, 'both accounts got the same credential');
      await authenticate(c, first, 'required');
      await authenticate(c, second, 'required');
      const discoverable = await discoverableSignIn(c, 'required');
      ensure(discoverable.responses.length >= 2, `discoverable sign-in offered ${discoverable.responses.length} account(s), expected 2`);
    },
  },
  {
    id: 'WEBAUTHN-COUNTER-001',
    suite,
    title: 'the relying party sees the signature counter rise from registration to sign-in (no clone warning)',
    specRef: 'WebAuthn L3 §7.2 step 22 (signature counter)',
    // the relying party's first sign-in compares with the counter stored at registration (§7.2 step 22)
    touches: 0,
    uses: ['webauthnAccount'],
    // the shared account is registered without user verification, as in WEBAUTHN-REG-001
    requires: needsAlwaysUvOff,
    async run(ctx) {
      const { registration, signIn } = await webauthnAccount(ctx);
      const [x, y] = [registration.authenticatorData.signCount, signIn.authenticatorData.signCount];
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral: the relying party's counter rule (WebAuthn L3 §7.2 step 22) refuses such a sign-in first
      ensure((x === 0 && y === 0) || y > x, `signature counter went from ${x} to ${y}: a relying party flags a possible clone`);
    },
  },
];
