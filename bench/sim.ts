import { createECDH, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { Authenticator, MemoryStorage } from '../authenticator-sim/index.ts';
import {
  CtapCommand,
  decodeCbor,
  decodeMakeCredentialResponse,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  parseAuthenticatorData,
} from '../harness/protocol/index.ts';
import { figure, opsPerSecond, type BenchFigure } from './measure.ts';

/**
 * Simulator throughput (in-process `handleCbor`, no transport) against the raw node:crypto cost of the same
 * cryptography: makeCredential = a P-256 key pair + the attestation signature; getAssertion = one P-256
 * signature with a key rebuilt from its 32-byte scalar (what unwrapping a credential ID leads to).
 */
export async function benchSimulator(): Promise<BenchFigure[]> {
  const sim = await Authenticator.create({ storage: new MemoryStorage(), allowResetAnytime: true });
  const cdh = new Uint8Array(32).fill(7);
  const mc = encodeCanonicalCbor(
    encodeMakeCredentialRequest({
      clientDataHash: cdh,
      rp: { id: 'bench.example' },
      user: { id: Uint8Array.of(1) },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    }),
  );
  const made = await sim.handleCbor(CtapCommand.authenticatorMakeCredential, mc);
  const credId = parseAuthenticatorData(decodeMakeCredentialResponse(decodeCbor(made.payload).value).authData)
    .attestedCredentialData!.credentialId;
  const ga = encodeCanonicalCbor(
    encodeGetAssertionRequest({ rpId: 'bench.example', clientDataHash: cdh, allowList: [{ type: 'public-key', id: credId }] }),
  );
  const attestationKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const data = new Uint8Array(200);

  const simMc = await opsPerSecond(() => sim.handleCbor(CtapCommand.authenticatorMakeCredential, mc));
  const rawMc = await opsPerSecond(() => {
    generateKeyPairSync('ec', { namedCurve: 'P-256' });
    sign('sha256', data, attestationKey);
  });
  const simGa = await opsPerSecond(() => sim.handleCbor(CtapCommand.authenticatorGetAssertion, ga));
  const scalar = Buffer.alloc(32, 9);
  const rawGa = await opsPerSecond(() => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(scalar);
    const pub = ecdh.getPublicKey();
    const key = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: scalar.toString('base64url'), x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') },
      format: 'jwk',
    });
    sign('sha256', data, key);
  });
  return [
    figure('sim.makeCredential', simMc, 'ops/s', rawMc, 'raw node:crypto P-256 keygen + 1 signature'),
    figure('sim.getAssertion', simGa, 'ops/s', rawGa, 'raw node:crypto key import + 1 P-256 signature'),
  ];
}
