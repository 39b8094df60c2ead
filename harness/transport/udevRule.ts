/**
 * The udev rule that gives the logged-in user access to FIDO security keys on Linux (hidraw). systemd 244+
 * ships `60-fido-id.rules`, which tags keys found by their HID usage page 0xF1D0 (its `fido_id` helper
 * reads the report descriptor); older systems, and containers without it, need a rule of their own.
 */
export const FIDO_UDEV_RULE_PATH = '/etc/udev/rules.d/70-fido-harness.rules';

export const FIDO_UDEV_RULE = [
  '# FIDO security keys (CTAPHID usage page 0xF1D0), as systemd 60-fido-id.rules does:',
  'ACTION=="remove", GOTO="fido_harness_end"',
  'SUBSYSTEM=="hidraw", IMPORT{program}="fido_id"',
  'SUBSYSTEM=="hidraw", ENV{ID_FIDO_TOKEN}=="1", TAG+="uaccess", GROUP="plugdev", MODE="0660"',
  'LABEL="fido_harness_end"',
].join('\n');

/** The text given with TRANSPORT_PERMISSION: what to do, in the order a user would do it. */
export function hidPermissionHelp(path: string): string {
  return [
    `Permission denied opening ${path}.`,
    `Give your user access to FIDO keys with a udev rule, e.g. in ${FIDO_UDEV_RULE_PATH}:`,
    '',
    FIDO_UDEV_RULE.split('\n').map((l) => `  ${l}`).join('\n'),
    '',
    '(without systemd\'s fido_id, match the key by vendor instead:',
    '  KERNEL=="hidraw*", SUBSYSTEM=="hidraw", ATTRS{idVendor}=="VVVV", TAG+="uaccess", GROUP="plugdev", MODE="0660")',
    'then: sudo udevadm control --reload-rules && sudo udevadm trigger, and re-plug the key',
    '(and add yourself to the plugdev group if you use GROUP).',
  ].join('\n');
}
