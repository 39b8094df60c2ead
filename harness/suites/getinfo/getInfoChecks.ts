import { CtapCommand, CtapExtension, CtapOption, CtapVersion, decodeCbor } from '../../protocol/index.ts';
import { CheckWarning } from '../../runner/Check.ts';
import { ensure, hex } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';

const suite = 'getinfo';
const KNOWN_VERSIONS: string[] = Object.values(CtapVersion);
const KNOWN_EXTENSIONS: string[] = Object.values(CtapExtension);
const KNOWN_OPTIONS: string[] = Object.values(CtapOption);

export const getInfoChecks: SuiteCheck[] = [
  {
    id: 'INFO-VERSIONS-001',
    suite,
    title: 'versions lists a FIDO2 version',
    specRef: 'CTAP 2.1 §6.4 versions; Microsoft S1 (FIDO2, not U2F-only)',
    touches: 0,
    async run(ctx) {
      const v = ctx.info.versions;
      ensure(Array.isArray(v) && v.some((x) => /^FIDO_2_/.test(String(x))), `versions ${JSON.stringify(v)} has no FIDO_2_x`);
    },
  },
  {
    id: 'INFO-VERSIONS-002',
    suite,
    title: 'versions are known identifiers without duplicates',
    specRef: 'CTAP 2.1 §6.4 versions',
    touches: 0,
    async run(ctx) {
      const v = ctx.info.versions.map(String);
      ensure(new Set(v).size === v.length, `versions has duplicates: ${JSON.stringify(v)}`);
      const unknown = v.filter((x) => !KNOWN_VERSIONS.includes(x));
      if (unknown.length) throw new CheckWarning(`unknown version strings: ${JSON.stringify(unknown)}`);
    },
  },
  {
    id: 'INFO-AAGUID-001',
    suite,
    title: 'aaguid is 16 bytes and not all zeros',
    specRef: 'CTAP 2.1 §6.4 aaguid; WebAuthn L3 §6.5.1; Entra S3 (AAGUID identifies the model)',
    touches: 0,
    async run(ctx) {
      const a = ctx.info.aaguid;
      // Stryker disable next-line OptionalChaining: the getInfo decoder refuses an answer without aaguid (required, CTAP 2.1 §6.4)
      ensure(a instanceof Uint8Array && a.length === 16, `aaguid is ${a?.length} bytes, expected 16`);
      ensure(a.some((b) => b !== 0), 'aaguid is all zeros: relying parties and MDS cannot identify the model', {
        actual: hex(a),
      });
    },
  },
  {
    id: 'INFO-AAGUID-002',
    suite,
    title: 'aaguid is the same on every getInfo',
    specRef: 'CTAP 2.1 §6.4 aaguid',
    touches: 0,
    async run(ctx) {
      const first = hex(ctx.info.aaguid);
      const again = hex((await ctx.refreshInfo()).aaguid);
      ensure(first === again, `aaguid changed between two getInfo calls: ${first} then ${again}`);
    },
  },
  {
    id: 'INFO-ENCODING-001',
    suite,
    title: 'getInfo response is CTAP2 canonical CBOR',
    specRef: 'CTAP 2.1 §8 (CTAP2 canonical CBOR encoding form)',
    touches: 0,
    async run(ctx) {
      const r = await ctx.call(CtapCommand.authenticatorGetInfo);
      ensure(r.status === 0, `getInfo answered status ${r.status}`);
      const problems = r.findings.map((f) => `${f.code} at byte ${f.offset}: ${f.message}`);
      ensure(problems.length === 0, `getInfo response is not canonical: ${problems.join('; ')}`);
      // strict decoding must accept it too
      decodeCbor(r.raw.subarray(1));
    },
  },
  {
    id: 'INFO-TYPES-001',
    suite,
    title: 'getInfo members have the types the spec gives them',
    specRef: 'CTAP 2.1 §6.4 (authenticatorGetInfo response structure)',
    touches: 0,
    async run(ctx) {
      const i = ctx.info;
      const bad: string[] = [];
      if (!i.versions.every((x) => typeof x === 'string')) bad.push('versions: not all text');
      if (i.extensions && !i.extensions.every((x) => typeof x === 'string')) bad.push('extensions: not all text');
      if (i.options && !Object.values(i.options).every((x) => typeof x === 'boolean')) bad.push('options: values not boolean');
      if (i.pinUvAuthProtocols && !i.pinUvAuthProtocols.every((x) => Number.isInteger(x) && x > 0)) bad.push('pinUvAuthProtocols: not unsigned integers');
      if (i.transports && !i.transports.every((x) => typeof x === 'string')) bad.push('transports: not all text');
      if (i.algorithms && !i.algorithms.every((a) => a && typeof a.type === 'string' && Number.isInteger(a.alg))) {
        bad.push('algorithms: elements are not {type: text, alg: int}');
      }
      ensure(bad.length === 0, bad.join('; '));
    },
  },
  {
    id: 'INFO-OPTIONS-001',
    suite,
    title: 'options are known identifiers; up is not false',
    specRef: 'CTAP 2.1 §6.4 options (option IDs), CTAP 2.2 §6.4 (perCredMgmtRO)',
    touches: 0,
    async run(ctx) {
      const o = ctx.info.options ?? {};
      ensure(o.up !== false, 'option up is false: a roaming authenticator must test user presence');
      const unknown = Object.keys(o).filter((k) => !KNOWN_OPTIONS.includes(k));
      if (unknown.length) throw new CheckWarning(`unknown option IDs: ${unknown.join(', ')}`);
    },
  },
  {
    id: 'INFO-OPTIONS-002',
    suite,
    title: 'plat is false for a roaming authenticator',
    specRef: 'CTAP 2.1 §6.4 options plat',
    touches: 0,
    async run(ctx) {
      if (ctx.info.options?.plat === true) throw new CheckWarning('plat is true: this device says it is a platform authenticator');
    },
  },
  {
    id: 'INFO-EXTENSIONS-001',
    suite,
    title: 'extensions are known identifiers without duplicates',
    specRef: 'CTAP 2.1 §6.4 extensions, §12',
    touches: 0,
    async run(ctx) {
      const e = (ctx.info.extensions ?? []).map(String);
      ensure(new Set(e).size === e.length, `extensions has duplicates: ${JSON.stringify(e)}`);
      const unknown = e.filter((x) => !KNOWN_EXTENSIONS.includes(x));
      if (unknown.length) throw new CheckWarning(`unknown extension identifiers: ${unknown.join(', ')}`);
    },
  },
  {
    id: 'INFO-PROTOCOLS-001',
    suite,
    title: 'pinUvAuthProtocols is present, non-empty, without duplicates when PIN/UV is offered',
    specRef: 'CTAP 2.1 §6.4 pinUvAuthProtocols',
    touches: 0,
    async run(ctx) {
      const o = ctx.info.options ?? {};
      const offersPin = 'clientPin' in o || o.pinUvAuthToken === true;
      const p = ctx.info.pinUvAuthProtocols;
      if (!offersPin) {
        ensure(p === undefined || p.length > 0, 'pinUvAuthProtocols is empty');
        return;
      }
      ensure(p && p.length > 0, 'clientPin/pinUvAuthToken offered but pinUvAuthProtocols is missing or empty');
      ensure(new Set(p).size === p.length, `pinUvAuthProtocols has duplicates: ${JSON.stringify(p)}`);
      ensure(p.every((x) => x === 1 || x === 2), `unknown PIN/UV auth protocol in ${JSON.stringify(p)}`);
    },
  },
  {
    id: 'INFO-PROTOCOLS-002',
    suite,
    title: 'a FIDO_2_1 authenticator supports PIN/UV auth protocol two and pinUvAuthToken',
    specRef: 'CTAP 2.1 §6.4 pinUvAuthToken; §6.5.7',
    touches: 0,
    requires: (ctx) => (ctx.info.versions.includes('FIDO_2_1') ? undefined : 'device does not claim FIDO_2_1'),
    async run(ctx) {
      ensure(ctx.info.options?.pinUvAuthToken === true, 'FIDO_2_1 claimed but option pinUvAuthToken is not true');
      ensure(ctx.info.pinUvAuthProtocols?.includes(2), 'FIDO_2_1 claimed but pinUvAuthProtocols lacks 2');
    },
  },
  {
    id: 'INFO-ALGORITHMS-001',
    suite,
    title: 'algorithms offers ES256',
    specRef: 'CTAP 2.1 §6.4 algorithms; Entra S6 (ES256 required)',
    touches: 0,
    async run(ctx) {
      const algs = ctx.info.algorithms;
      if (!algs) throw new CheckWarning('algorithms is absent: the platform must guess (CTAP 2.1 says ES256 is then assumed)');
      ensure(algs.some((a) => a.alg === -7 && a.type === 'public-key'), `algorithms ${JSON.stringify(algs)} lacks ES256 (-7)`);
    },
  },
  {
    id: 'INFO-LIMITS-001',
    suite,
    title: 'maxMsgSize, maxCredentialCountInList and maxCredentialIdLength are usable values',
    specRef: 'CTAP 2.1 §6.4 maxMsgSize, maxCredentialCountInList, maxCredentialIdLength',
    touches: 0,
    async run(ctx) {
      const i = ctx.info;
      if (i.maxMsgSize !== undefined) ensure(i.maxMsgSize >= 1024, `maxMsgSize ${i.maxMsgSize} is below 1024`);
      if (i.maxCredentialCountInList !== undefined) ensure(i.maxCredentialCountInList >= 1, 'maxCredentialCountInList is 0');
      if (i.maxCredentialIdLength !== undefined) ensure(i.maxCredentialIdLength >= 16, `maxCredentialIdLength ${i.maxCredentialIdLength} is below 16`);
      if (i.maxMsgSize === undefined) throw new CheckWarning('maxMsgSize absent: platforms assume 1024 bytes');
    },
  },
  {
    id: 'INFO-TRANSPORTS-001',
    suite,
    title: 'transports includes the transport the device is reached over: usb over USB HID, nfc over NFC',
    specRef: 'CTAP 2.1 §6.4 transports',
    touches: 0,
    requires: (ctx) => (ctx.device.kind === 'hid' || ctx.device.kind === 'nfc' ? undefined : `device reached over ${ctx.device.kind}, neither USB nor NFC`),
    async run(ctx) {
      const t = ctx.info.transports;
      if (!t) throw new CheckWarning('transports absent');
      const over = ctx.device.kind === 'nfc' ? 'nfc' : 'usb';
      ensure(t.includes(over), `transports ${JSON.stringify(t)} lacks ${over}, the transport it was reached over`);
    },
  },
  {
    id: 'INFO-MINPIN-001',
    suite,
    title: 'minPINLength is at least 4',
    specRef: 'CTAP 2.1 §6.4 minPINLength; §6.5.1 (minimum 4 code points)',
    touches: 0,
    requires: (ctx) => (ctx.info.minPINLength === undefined ? 'minPINLength not reported' : undefined),
    async run(ctx) {
      ensure(ctx.info.minPINLength! >= 4, `minPINLength ${ctx.info.minPINLength} is below 4`);
    },
  },
  {
    id: 'INFO-FIRMWARE-001',
    suite,
    title: 'firmwareVersion is reported',
    specRef: 'CTAP 2.1 §6.4 firmwareVersion; MDS3 (firmware matching)',
    touches: 0,
    async run(ctx) {
      if (ctx.info.firmwareVersion === undefined) throw new CheckWarning('firmwareVersion absent: MDS entries cannot be matched to firmware');
    },
  },
  {
    id: 'INFO-NOPARAMS-001',
    suite,
    title: 'getInfo takes no parameters: the device still answers getInfo afterwards',
    specRef: 'CTAP 2.1 §6.4 (no parameters)',
    touches: 0,
    async run(ctx) {
      // The spec names no status for parameters sent to getInfo; either an answer or an error is allowed,
      // but the device must keep working.
      await ctx.callBytes(CtapCommand.authenticatorGetInfo, Uint8Array.of(0xa0));
      const again = await ctx.call(CtapCommand.authenticatorGetInfo);
      ensure(again.status === 0, `getInfo failed after a parameterised getInfo (status ${again.status})`);
    },
  },
];
