import { fileURLToPath } from 'node:url';

/** python-fido2's high-level APIs step by step (UDP: HOST:PORT, or a card: pcsc:READER). */
export const CLIENT_SCRIPT = fileURLToPath(new URL('./fido2_client.py', import.meta.url));

/** The steps fido2_client.py must report "ok" for (over NFC the CTAPHID-only ones say skipped). */
export const CLIENT_STEPS = [
  'CTAPHID ping/wink/lock/cancel',
  'getInfo member by member',
  'ClientPin protocol 1',
  'ClientPin protocol 2',
  'PIN blocked after 8 wrong PINs',
  'Fido2Client rk + UV',
  'silent pre-flight keeps the token',
  'built-in UV by fingerprint',
  'excludeCredentials and allowCredentials',
  'hmac-secret via Fido2Client',
  'credProtect levels',
  'credBlob',
  'largeBlobKey + LargeBlobs',
  'minPinLength + setMinPINLength',
  'CredentialManagement',
  'Config toggleAlwaysUv / enterprise attestation',
  'selection and reset',
  'CTAP1/U2F via Ctap1',
  'malformed requests',
];
