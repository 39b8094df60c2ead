import {
  CtaphidCommand,
  CtapCommand,
  CtapStatus,
  decodeCbor,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  frameCount,
  INIT_DATA_SIZE,
  MAX_MESSAGE_SIZE,
} from '../../protocol/index.ts';
import { ensure, hex } from '../expect.ts';
import { allowListOf, gaRequest } from '../ops.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { all, needsAlwaysUvOff } from '../needs.ts';
import { needsHid, randomPayload, suite, withRaw } from './common.ts';
import { describe } from './RawSession.ts';

/**
 * PING sizes (§11.2.9.1.4: the data is echoed): empty, one byte, a full initialization packet (57), one byte
 * into the first continuation packet (58), a mid-size message, and the largest message CTAPHID can frame
 * (57 + 128 × 59 = 7609, §11.2.4).
 */
const PING_SIZES: Array<[string, number]> = [
  ['CTAPHID-PING-001', 0],
  ['CTAPHID-PING-002', 1],
  ['CTAPHID-PING-003', INIT_DATA_SIZE],
  ['CTAPHID-PING-004', INIT_DATA_SIZE + 1],
  ['CTAPHID-PING-005', 1024],
  ['CTAPHID-PING-006', MAX_MESSAGE_SIZE],
];

const pingChecks: SuiteCheck[] = PING_SIZES.map(([id, size]) => ({
  id,
  suite,
  title: `PING of ${size} byte${size === 1 ? '' : 's'} (${frameCount(size)} packet${frameCount(size) === 1 ? '' : 's'}) is echoed exactly`,
  specRef: 'CTAP 2.1 §11.2.9.1.4, §11.2.4',
  touches: 0,
  requires: needsHid,
  async run(ctx, signal) {
    return withRaw(ctx, signal, async (s) => {
      const cid = await s.allocate();
      const data = randomPayload(size);
      const t0 = performance.now();
      await s.sendMessage(cid, CtaphidCommand.PING, data);
      const { message } = await s.nextAnswer(cid, 5_000);
      ensure(message, `no answer to a ${size}-byte PING within 5 s`);
      ensure(message.cmd === CtaphidCommand.PING, `a ${size}-byte PING answered ${describe(message)}`, { expected: 'CTAPHID_PING', actual: describe(message) });
      ensure(message.payload.length === size, `a ${size}-byte PING echoed ${message.payload.length} bytes`, { expected: String(size), actual: String(message.payload.length) });
      const diff = message.payload.findIndex((b, i) => b !== data[i]);
      ensure(diff < 0, `the echo differs from the ${size} bytes sent at offset ${diff}`, { expected: hex(data.subarray(diff, diff + 16)), actual: hex(message.payload.subarray(diff, diff + 16)) });
      return { message: `echoed in ${Math.round(message.at - t0)} ms` };
    });
  },
}));

const fragmentationChecks: SuiteCheck[] = [
  {
    id: 'CTAPHID-FRAG-001',
    suite,
    title: 'a CTAPHID_CBOR request spread over several packets is reassembled (getAssertion with a long allowList -> CTAP2_ERR_NO_CREDENTIALS)',
    specRef: 'CTAP 2.1 §11.2.4 (fragmentation), §11.2.9.1.2; §6.2.2 step 7',
    requires: all(needsHid, needsAlwaysUvOff),
    touches: 0,
    async run(ctx, signal) {
      // Three unknown 64-byte credential IDs: about 280 bytes, five packets. A device that reassembles it
      // finds no credential; a broken reassembly shows as CBOR errors or CTAPHID errors.
      const ids = [randomPayload(64), randomPayload(64), randomPayload(64)];
      const params = encodeCanonicalCbor(encodeGetAssertionRequest(gaRequest(ctx.rpIdFor('CTAPHID-FRAG-001'), { allowList: allowListOf(...ids) })));
      const payload = new Uint8Array(1 + params.length);
      payload[0] = CtapCommand.authenticatorGetAssertion;
      payload.set(params, 1);
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: a guard for future edits, never met: three 64-byte IDs always make six packets
      ensure(frameCount(payload.length) >= 4, 'internal: the request should span at least four packets');
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        await s.sendMessage(cid, CtaphidCommand.CBOR, payload);
        const { message } = await s.nextAnswer(cid, 10_000);
        ensure(message, `no answer to a ${payload.length}-byte (${frameCount(payload.length)} packets) CTAPHID_CBOR request within 10 s`);
        ensure(
          message.cmd === CtaphidCommand.CBOR && message.payload[0] === CtapStatus.CTAP2_ERR_NO_CREDENTIALS,
          `a ${frameCount(payload.length)}-packet getAssertion with unknown credentials answered ${describe(message)}; expected CTAP2_ERR_NO_CREDENTIALS`,
          { expected: 'CTAPHID_CBOR status 0x2e', actual: describe(message) },
        );
      });
      return { message: `${payload.length} bytes in ${frameCount(payload.length)} packets reassembled` };
    },
  },
  {
    id: 'CTAPHID-FRAG-002',
    suite,
    title: 'a multi-packet CTAPHID_CBOR answer (getInfo) comes with SEQ 0, 1, 2… and decodes to the same getInfo',
    specRef: 'CTAP 2.1 §11.2.4 (fragmentation), §11.2.9.1.2, §6.4',
    touches: 0,
    requires: (ctx) => needsHid(ctx),
    async run(ctx, signal) {
      return withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        await s.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorGetInfo));
        // RawSession fails the check on a continuation packet out of sequence or without its start.
        const { message } = await s.nextAnswer(cid, 5_000);
        ensure(message?.cmd === CtaphidCommand.CBOR && message.payload[0] === CtapStatus.CTAP2_OK, `getInfo over raw CTAPHID answered ${message ? describe(message) : 'nothing'}`);
        const body = message.payload.subarray(1);
        ensure(decodeCbor(body, { canonical: 'report' }).value instanceof Map, 'the raw getInfo answer is not a CBOR map');
        // The same command through the host channel (its own framing) must give the same bytes.
        await ctx.ctap2.getInfo();
        // getInfo() above returned, so the trace's last entry is its answer: the `?.` and the guard only narrow the type
        // Stryker disable next-line OptionalChaining: see above
        const through = ctx.ctap2.trace.entries.at(-1)?.responseHex;
        // Stryker disable next-line ConditionalExpression,StringLiteral: see above
        ensure(through !== undefined, 'getInfo through the host channel recorded no answer');
        ensure(Buffer.from(message.payload).toString('hex') === through, 'the raw getInfo answer differs from the one read through the host channel', { expected: through.slice(0, 64), actual: hex(message.payload.subarray(0, 32)) });
        if (frameCount(message.payload.length) < 2) return { message: `getInfo fits one packet (${message.payload.length} bytes): no continuation packets to check` };
        return { message: `${message.payload.length} bytes in ${frameCount(message.payload.length)} packets, in sequence` };
      });
    },
  },
];

export const pingAndFragmentationChecks: SuiteCheck[] = [...pingChecks, ...fragmentationChecks];
