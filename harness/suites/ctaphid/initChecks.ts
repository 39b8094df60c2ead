import {
  BROADCAST_CID,
  CTAPHID_PROTOCOL_VERSION,
  CtaphidCapability,
  CtaphidCommand,
  CtaphidErrorCode,
  CtapCommand,
  CtapStatus,
} from '../../protocol/index.ts';
import { ensure, hex } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { needsHid, randomPayload, suite, withRaw } from './common.ts';
import { describe } from './RawSession.ts';

const hex32 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export const initChecks: SuiteCheck[] = [
  {
    id: 'CTAPHID-INIT-001',
    suite,
    title: 'INIT on the broadcast CID is answered on the broadcast CID with the 8-byte nonce echoed (17 bytes)',
    specRef: 'CTAP 2.1 §11.2.9.1.3',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const nonce = randomPayload(8);
        s.watch(BROADCAST_CID);
        await s.sendMessage(BROADCAST_CID, CtaphidCommand.INIT, nonce);
        const { message } = await s.nextAnswer(BROADCAST_CID, 2_000);
        ensure(message, 'no INIT answer on the broadcast CID within 2 s');
        ensure(message.cmd === CtaphidCommand.INIT, `INIT answered with ${describe(message)}`);
        ensure(message.payload.length === 17, `INIT answer of ${message.payload.length} bytes; §11.2.9.1.3 defines 17`, { expected: '17', actual: String(message.payload.length) });
        ensure(Buffer.from(message.payload.subarray(0, 8)).equals(Buffer.from(nonce)), 'INIT answer does not echo the nonce', { expected: hex(nonce), actual: hex(message.payload.subarray(0, 8)) });
      });
    },
  },
  {
    id: 'CTAPHID-INIT-002',
    suite,
    title: 'INIT on the broadcast CID allocates a usable channel, not 0 nor 0xFFFFFFFF, a different one each time',
    specRef: 'CTAP 2.1 §11.2.3, §11.2.9.1.3',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const a = await s.initBroadcast();
        const b = await s.initBroadcast();
        for (const cid of [a.cid, b.cid]) {
          ensure(cid !== 0 && cid !== BROADCAST_CID, `INIT allocated the reserved channel ID ${hex32(cid)}`);
        }
        ensure(a.cid !== b.cid, `two INITs on the broadcast CID allocated the same channel ${hex32(a.cid)}`);
        // the allocated channel works: PING on it is echoed
        s.watch(b.cid);
        const data = randomPayload(16);
        await s.sendMessage(b.cid, CtaphidCommand.PING, data);
        const { message } = await s.nextAnswer(b.cid, 2_000);
        ensure(message?.cmd === CtaphidCommand.PING && Buffer.from(message.payload).equals(Buffer.from(data)), `PING on the allocated channel ${hex32(b.cid)} answered ${message ? describe(message) : 'nothing'}`);
      });
      return { message: 'two channels allocated and usable' };
    },
  },
  {
    id: 'CTAPHID-INIT-003',
    suite,
    title: `INIT reports CTAPHID protocol version ${CTAPHID_PROTOCOL_VERSION}`,
    specRef: 'CTAP 2.1 §11.2.9.1.3 (CTAPHID protocol version identifier)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const a = await s.initBroadcast();
        ensure(a.protocolVersion === CTAPHID_PROTOCOL_VERSION, `INIT reports protocol version ${a.protocolVersion}`, { expected: String(CTAPHID_PROTOCOL_VERSION), actual: String(a.protocolVersion) });
      });
    },
  },
  {
    id: 'CTAPHID-INIT-004',
    suite,
    title: 'INIT capability flags match behaviour: CBOR set and CTAPHID_CBOR works, WINK set iff WINK is answered, NMSG clear iff CTAPHID_MSG works',
    specRef: 'CTAP 2.1 §11.2.9.1.3 (CAPABILITY_WINK, CAPABILITY_CBOR, CAPABILITY_NMSG), §11.2.9.1.1, §11.2.9.2.1',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      const findings: string[] = [];
      let caps = 0;
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const a = await s.initBroadcast();
        caps = a.capabilities;
        const ask = async (cmd: number, payload: Uint8Array) => {
          await s.sendMessage(cid, cmd, payload);
          return (await s.nextAnswer(cid, 5_000)).message;
        };
        // CBOR: getInfo must work on a CTAP2 device (§11.2.9.1.2), and the flag must say so.
        const info = await ask(CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorGetInfo));
        const cborWorks = info?.cmd === CtaphidCommand.CBOR && info.payload[0] === CtapStatus.CTAP2_OK;
        if (!(caps & CtaphidCapability.CBOR)) findings.push('CAPABILITY_CBOR is clear on a device that answers authenticatorGetInfo');
        if (!cborWorks) findings.push(`CTAPHID_CBOR getInfo answered ${info ? describe(info) : 'nothing'}`);
        // WINK: answered with an empty WINK when advertised; INVALID_CMD when not (§11.2.9.2.1 "optional").
        const wink = await ask(CtaphidCommand.WINK, new Uint8Array(0));
        const winkWorks = wink?.cmd === CtaphidCommand.WINK;
        if (caps & CtaphidCapability.WINK && !winkWorks) findings.push(`CAPABILITY_WINK is set but WINK answered ${wink ? describe(wink) : 'nothing'}`);
        if (!(caps & CtaphidCapability.WINK) && winkWorks) findings.push('CAPABILITY_WINK is clear but WINK is answered');
        // MSG: NMSG set means CTAPHID_MSG is not implemented (§11.2.9.1.3).
        const msg = await ask(CtaphidCommand.MSG, Uint8Array.of(0x00, 0x03, 0x00, 0x00, 0x00)); // U2F_VERSION
        const msgWorks = msg?.cmd === CtaphidCommand.MSG;
        const msgRefused = msg?.cmd === CtaphidCommand.ERROR && msg.payload[0] === CtaphidErrorCode.ERR_INVALID_CMD;
        if (caps & CtaphidCapability.NMSG && msgWorks) findings.push('CAPABILITY_NMSG is set but CTAPHID_MSG is answered');
        if (!(caps & CtaphidCapability.NMSG) && !msgWorks) findings.push(`CAPABILITY_NMSG is clear but CTAPHID_MSG answered ${msg ? describe(msg) : 'nothing'}`);
        if (caps & CtaphidCapability.NMSG && !msgRefused && !msgWorks) findings.push(`CAPABILITY_NMSG is set; CTAPHID_MSG should be ERR_INVALID_CMD, got ${msg ? describe(msg) : 'nothing'}`);
      });
      ensure(findings.length === 0, findings.join('; '), { actual: `capabilities 0x${caps.toString(16).padStart(2, '0')}` });
      return { message: `capabilities 0x${caps.toString(16).padStart(2, '0')} agree with behaviour` };
    },
  },
  {
    id: 'CTAPHID-INIT-005',
    suite,
    title: 'INIT on an allocated CID resynchronises it: answered on that CID, nonce echoed, the same CID kept',
    specRef: 'CTAP 2.1 §11.2.9.1.3',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const nonce = randomPayload(8);
        const a = await s.init(cid, nonce);
        ensure(a.cid === cid, `INIT on ${hex32(cid)} answered with channel ${hex32(a.cid)}; the channel is resynchronised, not replaced`, { expected: hex32(cid), actual: hex32(a.cid) });
        const data = randomPayload(8);
        await s.sendMessage(cid, CtaphidCommand.PING, data);
        const { message } = await s.nextAnswer(cid, 2_000);
        ensure(message?.cmd === CtaphidCommand.PING && Buffer.from(message.payload).equals(Buffer.from(data)), `after the resync, PING answered ${message ? describe(message) : 'nothing'}`);
      });
    },
  },
];
