/** authenticator API command bytes, CTAP 2.1 §6 (and the 2.1 preview commands of §6.8, §6.7 vendor range). */
export const CtapCommand = {
  authenticatorMakeCredential: 0x01,
  authenticatorGetAssertion: 0x02,
  authenticatorGetInfo: 0x04,
  authenticatorClientPIN: 0x06,
  authenticatorReset: 0x07,
  authenticatorGetNextAssertion: 0x08,
  authenticatorBioEnrollment: 0x09,
  authenticatorCredentialManagement: 0x0a,
  authenticatorSelection: 0x0b,
  authenticatorLargeBlobs: 0x0c,
  authenticatorConfig: 0x0d,
  /** FIDO_2_1_PRE prototype command still sent by host stacks (CTAP 2.1 §6.8) */
  prototypeBioEnrollment: 0x40,
  /** FIDO_2_1_PRE prototype credential management, accepted beside 0x0A (CTAP 2.1 §6.8) */
  prototypeCredentialManagement: 0x41,
} as const;

export type CtapCommandName = keyof typeof CtapCommand;

const names = new Map<number, string>(Object.entries(CtapCommand).map(([k, v]) => [v, k]));

export function ctapCommandName(cmd: number): string {
  return names.get(cmd) ?? `0x${cmd.toString(16).padStart(2, '0')}`;
}
