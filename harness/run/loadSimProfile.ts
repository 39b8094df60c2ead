import { profileFromGetInfo, ProfileError, type DeviceProfile } from '../../authenticator-sim/profile/profileFromGetInfo.ts';
import { aaguidToString, type MdsStore } from '../../mds/index.ts';

/**
 * A device profile from a verified MDS3 BLOB: the entry for `aaguid` and its metadata statement's
 * `authenticatorGetInfo` (FIDO Metadata Statement §4, MDS3 §3.1.1). Throws with one line saying why when
 * the AAGUID is not there or its entry has no getInfo (U2F and UAF entries have none).
 */
export function loadSimProfile(store: MdsStore, aaguid: string, source: string): DeviceProfile {
  let key: string;
  try {
    key = aaguidToString(aaguid);
  } catch {
    throw new ProfileError(`--sim-profile ${aaguid} is not an AAGUID (8-4-4-4-12 hex, or 32 hex digits)`);
  }
  const entry = store.byAaguid(key);
  if (!entry) throw new ProfileError(`${source} has no entry for AAGUID ${key} (fido-harness mds lookup ${key} --mds ${source})`);
  const statement = entry.metadataStatement;
  const getInfo = statement?.authenticatorGetInfo;
  if (!getInfo) throw new ProfileError(`the ${source} entry for ${key} has no authenticatorGetInfo (a ${statement?.protocolFamily ?? 'non-FIDO2'} entry?)`);
  const profile = profileFromGetInfo(getInfo, statement?.description);
  // The entry's AAGUID names the model; a getInfo that says another is a finding (MDS3 §3.1.1).
  const entryAaguid = Uint8Array.from(Buffer.from(key.replace(/-/g, ''), 'hex'));
  if (Buffer.compare(entryAaguid, profile.aaguid) !== 0) {
    profile.findings.push(`the metadata statement's getInfo aaguid ${Buffer.from(profile.aaguid).toString('hex')} differs from the entry's ${key}; the entry's is used`);
    profile.aaguid = entryAaguid;
  }
  return profile;
}

/** Every FIDO2 model of a BLOB that a profile can be made from (an AAGUID and an authenticatorGetInfo). */
export function profilableEntries(store: MdsStore): { aaguid: string; description: string }[] {
  return store.entries
    .filter((e) => e.aaguid && e.metadataStatement?.authenticatorGetInfo)
    .map((e) => ({ aaguid: aaguidToString(e.aaguid!), description: String(e.metadataStatement?.description ?? '') }));
}
