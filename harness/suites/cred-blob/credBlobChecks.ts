import { randomBytes } from 'node:crypto';
import { CredProtect, CtapExtension, type CborValue } from '../../protocol/index.ts';
import { ensure, hex } from '../expect.ts';
import { gaRequest, getAssertion, makeCredentialUv, rkOption } from '../ops.ts';
import { needsClientPin, needsExtension, needsRk } from '../needs.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { leveled } from '../cred-protect/credProtectChecks.ts';

const suite = 'cred-blob';
const EXT = CtapExtension.credBlob;
/** CTAP 2.1 §6.4: maxCredBlobLength, when credBlob is supported, is at least 32. */
const MIN_MAX_CRED_BLOB_LENGTH = 32;

/**
 * credBlob (CTAP 2.1 §12.2) on discoverable credentials (made with UV by PIN token, so a PIN is set). A
 * blob of at most maxCredBlobLength bytes is stored (output true) and returned by getAssertion with
 * credBlob: true; a longer one is not stored (output false), and getAssertion then returns an empty one.
 */
const base = {
  suite,
  needs: { pin: 'set' as const },
  destructive: true,
  requires: (ctx: SuiteContext) => needsExtension(EXT)(ctx) ?? needsRk(ctx) ?? needsClientPin()(ctx),
};

const ext = (value: CborValue) => new Map<CborValue, CborValue>([[EXT, value]]);

/** A credBlob output as a message names it: its length, or what stands where a byte string should. */
const described = (v: CborValue | undefined) => (v instanceof Uint8Array ? `${v.length} bytes` : v === undefined ? 'missing' : `${JSON.stringify(v)} (not a byte string)`);

async function readBlob(ctx: SuiteContext, rpId: string, signal: AbortSignal): Promise<CborValue | undefined> {
  // silent (up false, CTAP 2.1 §6.2.2 step 9): the blob is returned without presence (§12.2)
  const got = await getAssertion(ctx, gaRequest(rpId, { extensions: ext(true), options: new Map([['up', false]]) }), signal);
  return got.authData.extensions?.get(EXT);
}

export const credBlobChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'CREDBLOB-STORE-001',
    title: 'a credBlob of maxCredBlobLength bytes is stored (output true) and returned by getAssertion',
    specRef: 'CTAP 2.1 §12.2, §6.4 maxCredBlobLength (at least 32)',
    touches: 1,
    async run(ctx, signal) {
      const stated = ctx.info.maxCredBlobLength;
      const max = stated ?? 0;
      ensure(max >= MIN_MAX_CRED_BLOB_LENGTH, `getInfo maxCredBlobLength is ${stated ?? 'absent'}; with credBlob it must be at least 32`, {
        expected: '>= 32',
        actual: String(stated),
      });
      const rpId = ctx.rpIdFor('CREDBLOB-STORE-001');
      const blob = new Uint8Array(randomBytes(max));
      const made = await makeCredentialUv(ctx, rpId, { options: rkOption(), extensions: ext(blob) }, signal);
      const out = made.authData.extensions?.get(EXT);
      ensure(out === true, `makeCredential credBlob output is ${out === undefined ? 'missing' : JSON.stringify(out)} for a ${max}-byte blob, expected true`);
      const back = await readBlob(ctx, rpId, signal);
      ensure(back instanceof Uint8Array && hex(back) === hex(blob), 'getAssertion returned a different credBlob', {
        expected: hex(blob),
        actual: back instanceof Uint8Array ? hex(back) : String(back),
      });
    },
  },
  {
    ...base,
    id: 'CREDBLOB-OVERSIZE-001',
    title: 'a credBlob one byte over maxCredBlobLength is not stored (output false; getAssertion returns an empty blob)',
    specRef: 'CTAP 2.1 §12.2',
    touches: 1,
    async run(ctx, signal) {
      const max = ctx.info.maxCredBlobLength ?? MIN_MAX_CRED_BLOB_LENGTH;
      const rpId = ctx.rpIdFor('CREDBLOB-OVERSIZE-001');
      const made = await makeCredentialUv(ctx, rpId, { options: rkOption(), extensions: ext(new Uint8Array(randomBytes(max + 1))) }, signal);
      const out = made.authData.extensions?.get(EXT);
      ensure(out === false, `makeCredential credBlob output is ${out === undefined ? 'missing' : JSON.stringify(out)} for a ${max + 1}-byte blob, expected false`);
      const back = await readBlob(ctx, rpId, signal);
      ensure(back instanceof Uint8Array && back.length === 0, `getAssertion credBlob is ${described(back)}, expected an empty byte string`);
    },
  },
  {
    ...base,
    id: 'CREDBLOB-NONE-001',
    title: 'getAssertion with credBlob: true for a credential made without one returns an empty byte string',
    specRef: 'CTAP 2.1 §12.2 (getAssertion: the stored credBlob, or an empty byte string)',
    touches: 0,
    uses: ['credProtect'],
    async run(ctx, signal) {
      // the run's level-1 credProtect credential (cred-protect), made without credBlob; alone on its RP
      const { rpId } = (await leveled(ctx, signal)).get(CredProtect.userVerificationOptional)!;
      const back = await readBlob(ctx, rpId, signal);
      ensure(back instanceof Uint8Array && back.length === 0, `getAssertion credBlob is ${described(back)}, expected an empty byte string`);
    },
  },
];
