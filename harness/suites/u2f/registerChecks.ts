import { U2fInstruction, U2fStatusWord } from '../../protocol/index.ts';
import { ensure, hex } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { apdu, attestationCertificate, expectSw, needsU2f, pooledU2f, suite, userPublicKey, verifiesEs256 } from './u2fOps.ts';

export const registerChecks: SuiteCheck[] = [
  {
    id: 'U2F-VER-001',
    suite,
    title: 'U2F_VERSION answers "U2F_V2" with SW_NO_ERROR',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §6.1; CTAP 2.1 §11.2.9.1.1',
    requires: needsU2f,
    touches: 0,
    async run(ctx) {
      const res = await ctx.device.ctap1!.sendApdu(apdu(U2fInstruction.U2F_VERSION, 0, new Uint8Array(0)));
      expectSw(res, U2fStatusWord.SW_NO_ERROR, 'U2F_VERSION');
      const text = Buffer.from(res.data).toString('latin1');
      ensure(text === 'U2F_V2', `U2F_VERSION answered "${text}"`, { expected: 'U2F_V2', actual: text });
    },
  },
  {
    id: 'U2F-REG-001',
    suite,
    title: 'U2F_REGISTER response layout: 0x05, 65-byte uncompressed P-256 point, key handle length and key handle, X.509 attestation certificate, signature',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §4.3',
    requires: needsU2f,
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      const { reg } = await pooledU2f(ctx);
      // the reserved byte 0x05, the uncompressed point's 0x04 and the key handle length byte are the
      // registration's layout: parseU2fRegistration refuses an answer that breaks them (u2fRegister fails)
      userPublicKey(reg.publicKey);
      ensure(reg.keyHandle.length > 0, 'the key handle is empty (length byte 0)');
      const cert = attestationCertificate(reg.certificate);
      ensure(cert.publicKey.asymmetricKeyType === 'ec', `attestation certificate key is ${cert.publicKey.asymmetricKeyType}, not EC`);
      ensure(reg.signature.length >= 8 && reg.signature[0] === 0x30, `signature is not a DER ECDSA signature (${hex(reg.signature.subarray(0, 4))}…, ${reg.signature.length} bytes)`);
      return { message: `key handle ${reg.keyHandle.length} bytes, certificate ${reg.certificate.length} bytes, signature ${reg.signature.length} bytes` };
    },
  },
  {
    id: 'U2F-REG-002',
    suite,
    title: 'the U2F_REGISTER signature verifies with the attestation certificate over 0x00 || application || challenge || key handle || public key',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §4.3',
    requires: needsU2f,
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      const { reg, challenge, application } = await pooledU2f(ctx);
      const cert = attestationCertificate(reg.certificate);
      const signed = new Uint8Array(Buffer.concat([Uint8Array.of(0x00), application, challenge, reg.keyHandle, reg.publicKey]));
      ensure(verifiesEs256(cert.publicKey, signed, reg.signature), 'the registration signature does not verify with the attestation certificate', { actual: hex(reg.signature) });
    },
  },
];
