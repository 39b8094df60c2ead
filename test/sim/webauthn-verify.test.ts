import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import {
  buildAttestationObject,
  decodeGetAssertionResponse,
  decodeMakeCredentialResponse,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  parseAuthenticatorData,
} from '../../harness/protocol/index.ts';
import { createTestSim, GA, MC, mcRequest, sha256 } from '../helpers/sim.ts';

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const origin = 'https://example.com';

/** clientDataJSON as a browser writes it (WebAuthn L3 §5.8.1), built here rather than by the harness client. */
function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })));
}

describe('simulator output verified by @simplewebauthn/server', () => {
  it.each(['packed', 'self', 'none'] as const)(
    'should produce a %s registration and an assertion that verify, with the chain validating to the simulator root',
    async (attestation) => {
      const t = await createTestSim({ attestation });
      const challenge = b64u('registration challenge 0123456789');
      const cdj = clientData('webauthn.create', challenge);
      const r = await t.call(
        MC,
        encodeMakeCredentialRequest(mcRequest({ clientDataHash: sha256(cdj), options: new Map([['rk', true]]) })),
      );
      const res = decodeMakeCredentialResponse(r.body);
      const authData = parseAuthenticatorData(res.authData);
      const credentialId = authData.attestedCredentialData!.credentialId;
      const attestationObject = buildAttestationObject(res.fmt, res.authData, res.attStmt);
      const reg = await verifyRegistrationResponse({
        response: {
          id: b64u(credentialId),
          rawId: b64u(credentialId),
          type: 'public-key',
          clientExtensionResults: {},
          response: { clientDataJSON: b64u(cdj), attestationObject: b64u(attestationObject), transports: ['usb'] },
        },
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: 'example.com',
        requireUserVerification: false,
      });
      expect(reg.verified).toBe(true);
      const info = reg.registrationInfo!;
      expect(info.fmt).toBe(attestation === 'none' ? 'none' : 'packed');
      expect(info.aaguid).toBe('be7c888f-f407-45b9-bab1-f1e15cedc047');

      if (attestation === 'packed') {
        const [leafDer, intermediateDer] = res.attStmt.get('x5c') as Uint8Array[];
        const root = new x509.X509Certificate(Uint8Array.from(t.sim.state.attestation.rootCertificate));
        const leaf = new x509.X509Certificate(Uint8Array.from(leafDer!));
        const intermediate = new x509.X509Certificate(Uint8Array.from(intermediateDer!));
        const chain = await new x509.X509ChainBuilder({ certificates: [intermediate, root] }).build(leaf);
        // The builder does not throw on an incomplete path: the last element must be the trusted root.
        expect(chain).toHaveLength(3);
        expect(chain[2]!.equal(root)).toBe(true);
        expect(await leaf.verify({ publicKey: intermediate.publicKey, date: new Date() })).toBe(true);
        expect(await intermediate.verify({ publicKey: root.publicKey, date: new Date() })).toBe(true);
        expect(await root.verify({ date: new Date() })).toBe(true);
        // WebAuthn L3 §8.2.1
        expect(leaf.subject).toContain('OU=Authenticator Attestation');
        expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
        const aaguidExt = leaf.getExtension('1.3.6.1.4.1.45724.1.1.4');
        expect(Buffer.from(aaguidExt!.value).toString('hex')).toBe('0410be7c888ff40745b9bab1f1e15cedc047');
      }

      const authChallenge = b64u('authentication challenge 987654');
      const acdj = clientData('webauthn.get', authChallenge);
      const g = await t.call(GA, encodeGetAssertionRequest({ rpId: 'example.com', clientDataHash: sha256(acdj) }));
      const ga = decodeGetAssertionResponse(g.body);
      const auth = await verifyAuthenticationResponse({
        response: {
          id: b64u(ga.credential.id),
          rawId: b64u(ga.credential.id),
          type: 'public-key',
          clientExtensionResults: {},
          response: {
            clientDataJSON: b64u(acdj),
            authenticatorData: b64u(ga.authData),
            signature: b64u(ga.signature),
            userHandle: b64u(ga.user!.id),
          },
        },
        expectedChallenge: authChallenge,
        expectedOrigin: origin,
        expectedRPID: 'example.com',
        credential: { id: info.credential.id, publicKey: info.credential.publicKey, counter: info.credential.counter },
        requireUserVerification: false,
      });
      expect(auth.verified).toBe(true);
      expect(auth.authenticationInfo.newCounter).toBeGreaterThan(info.credential.counter);

      // A signature over other data must not verify.
      const tampered = Uint8Array.from(ga.signature);
      tampered[tampered.length - 1]! ^= 1;
      await expect(
        verifyAuthenticationResponse({
          response: {
            id: b64u(ga.credential.id),
            rawId: b64u(ga.credential.id),
            type: 'public-key',
            clientExtensionResults: {},
            response: { clientDataJSON: b64u(acdj), authenticatorData: b64u(ga.authData), signature: b64u(tampered) },
          },
          expectedChallenge: authChallenge,
          expectedOrigin: origin,
          expectedRPID: 'example.com',
          credential: { id: info.credential.id, publicKey: info.credential.publicKey, counter: 0 },
          requireUserVerification: false,
        }).then((v) => v.verified),
      ).resolves.toBe(false);
    },
  );
});
