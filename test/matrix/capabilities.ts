import type { DeviceProfile } from '../../authenticator-sim/profile/profileFromGetInfo.ts';

/**
 * A model's capabilities as the population matrix groups them: one word per dimension the checks gate on
 * (CTAP level, CTAP1, discoverable credentials, PIN, built-in UV, permissions tokens, PIN/UV protocols,
 * alwaysUv, credential management, large blobs, algorithms, extensions).
 */
export function capabilityKey(p: DeviceProfile): string {
  const f = p.features;
  const level = f.versions.includes('FIDO_2_1') ? '2.1' : f.versions.includes('FIDO_2_1_PRE') ? '2.1pre' : f.versions.includes('FIDO_2_0') ? '2.0' : 'u2f-only';
  return [
    level,
    f.versions.includes('U2F_V2') ? 'u2f' : 'no-u2f',
    f.rk ? 'rk' : 'no-rk',
    f.clientPin ? 'pin' : 'no-pin',
    f.builtInUv === undefined ? 'no-uv' : f.builtInUv ? 'uv' : 'uv-unenrolled',
    f.pinUvAuthToken ? 'token' : 'no-token',
    `pinuv${f.pinUvAuthProtocols.join('') || '-'}`,
    f.alwaysUvInitially ? 'alwaysUv' : '',
    f.credMgmt || f.credMgmtPreview ? 'credMgmt' : '',
    f.largeBlobs ? 'largeBlobs' : '',
    f.algorithms.includes(-8) ? 'es256+eddsa' : 'es256',
    [...f.extensions].sort().join('+') || 'no-ext',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * The combination the CI sample stratifies on: what decides which checks apply and how requests must be
 * authorised — the CTAP level, how the user is verified (PIN, built-in UV, both, neither), discoverable
 * credentials and alwaysUv. The finer capabilities (CTAP1, tokens, protocols, algorithms, extensions,
 * credential management, large blobs) are covered by the full matrix.
 */
export function combinationKey(p: DeviceProfile): string {
  const f = p.features;
  const level = f.versions.includes('FIDO_2_1') ? '2.1' : f.versions.includes('FIDO_2_1_PRE') ? '2.1pre' : f.versions.includes('FIDO_2_0') ? '2.0' : 'u2f-only';
  const uv = f.builtInUv !== undefined;
  const verification = f.clientPin && uv ? 'pin+uv' : f.clientPin ? 'pin' : uv ? 'uv' : 'no-verification';
  return [level, verification, f.rk ? 'rk' : 'no-rk', f.alwaysUvInitially ? 'alwaysUv' : ''].filter(Boolean).join(' ');
}

/** One model per combination (the first in BLOB order), so every combination present is run. */
export function stratifiedSample<T extends { combination: string }>(models: readonly T[]): T[] {
  const seen = new Set<string>();
  return models.filter((m) => !seen.has(m.combination) && (seen.add(m.combination), true));
}
