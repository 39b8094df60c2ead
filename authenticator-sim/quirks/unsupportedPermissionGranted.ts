import type { Quirk } from './Quirk.ts';

/**
 * getInfo leaves large blobs out (no largeBlobs option, maxSerializedLargeBlobArray or largeBlobKey), yet a
 * token by PIN still gets the lbw permission: CTAP 2.1 §6.5.5.7.2 step 4 refuses it with
 * CTAP2_ERR_UNAUTHORIZED_PERMISSION while largeBlobs is false or absent.
 */
export const unsupportedPermissionGranted: Quirk = {
  name: 'unsupported-permission-granted',
  description: 'grants the lbw permission although getInfo does not offer largeBlobs',
  caughtBy: 'CLIENTPIN-UNAUTHPERM-001',
  behaviour: { listLargeBlobs: false },
};
