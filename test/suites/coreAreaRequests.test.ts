import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCanonicalCbor, parseAuthenticatorData, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { rewriteResponse, runAgainst, type Answer, type CheckOutcome, type Fault } from './faultyDevice.ts';

const [MAKE_CREDENTIAL, GET_ASSERTION, GET_INFO] = [0x01, 0x02, 0x04];
const PLAIN_RP = 'pool-plain.fido-harness.test';
const TOLERANT_RP = 'pool-tolerant.fido-harness.test';
/** the RP ID a check makes its own credentials on (SuiteContext.rpIdFor) */
const rpOf = (checkId: string) => `${checkId.toLowerCase()}.fido-harness.test`;

/** One CTAP2 request as the harness sent it, decoded (canonical departures reported, not thrown), and its answer. */
interface Exchange {
  command: number;
  payload: Uint8Array;
  /** the decoded request map (undefined when the payload is not CBOR at all) */
  params?: CborMap;
  /** canonical-form departures of the payload (CTAP 2.1 §8) */
  findings: string[];
  answer?: Answer;
}

interface Recorded {
  results: Map<string, CheckOutcome>;
  exchanges: Exchange[];
  /** the signing algorithms getInfo offered (CTAP 2.1 §6.4 algorithms) */
  offeredAlgorithms: number[];
  /** the credential ID of the run's plain pooled credential (made on PLAIN_RP) */
  plainId: string;
  /** the CTAP2 requests to `rpId` (makeCredential rp.id, getAssertion rpId) of `command` */
  to(command: number, rpId: string): CborMap[];
}

const hex = (b: CborValue | undefined) => (b instanceof Uint8Array ? Buffer.from(b).toString('hex') : `(${typeof b})`);
const get = (m: CborValue | undefined, key: CborValue) => (m instanceof Map ? m.get(key) : undefined);
const rpIdOf = (e: Exchange) => (e.command === MAKE_CREDENTIAL ? get(e.params?.get(0x02), 'id') : e.params?.get(0x01));
/** a CBOR map as a plain object, for deep comparison */
const obj = (m: CborValue | undefined) => (m instanceof Map ? Object.fromEntries(m) : m);

/** Runs the checks with every request recorded on its way to the simulator (after `fault`, if any). */
async function record(options: Omit<Parameters<typeof runAgainst>[0], 'sent'>): Promise<Recorded> {
  const exchanges: Exchange[] = [];
  const inner = options.fault;
  const fault: Fault = async (command, params, next) => {
    const answer = inner ? await inner(command, params, next) : await next(params);
    exchanges.at(-1)!.answer = answer;
    return answer;
  };
  const sent = (command: number, payload: Uint8Array) => {
    let params: CborMap | undefined;
    let findings: string[] = [];
    try {
      const d = decodeCbor(payload, { canonical: 'report' });
      if (d.value instanceof Map) params = d.value as CborMap;
      findings = d.findings.map((f) => f.code);
    } catch {
      findings = ['MALFORMED'];
    }
    exchanges.push({ command, payload, ...(params ? { params } : {}), findings });
  };
  const results = await runAgainst({ ...options, fault, sent });
  const info = exchanges.find((e) => e.command === GET_INFO)!.answer!.body!;
  const plain = exchanges.find((e) => e.command === MAKE_CREDENTIAL && rpIdOf(e) === PLAIN_RP && e.answer?.status === 0);
  const plainId = plain ? hex(parseAuthenticatorData(plain.answer!.body!.get(0x02) as Uint8Array).attestedCredentialData!.credentialId) : '(none)';
  return {
    results,
    exchanges,
    offeredAlgorithms: ((info.get(0x0a) as CborMap[] | undefined) ?? []).map((a) => a.get('alg') as number),
    plainId,
    to: (command, rpId) => exchanges.filter((e) => e.command === command && rpIdOf(e) === rpId).map((e) => e.params!),
  };
}

/** The allowList / excludeList of a request as hex credential IDs, each entry checked to be a public-key descriptor. */
function idsOf(list: CborValue | undefined): string[] {
  expect(Array.isArray(list), 'a credential list').toBe(true);
  return (list as CborMap[]).map((d) => {
    expect(d.get('type')).toBe('public-key');
    return hex(d.get('id'));
  });
}

const fill = (length: number, byte: number) => Buffer.alloc(length, byte).toString('hex');

/**
 * The tolerated parts a request to the tolerant RP carries (make-credential/tolerantCredential.ts), each
 * recognised only in its exact form: an algorithm the key does not offer before ES256, an unknown option set
 * true, two credential IDs the key never made, the plain credential (of another RP), a 64-byte user.id.
 */
function partsOf(p: CborMap, r: Recorded): string[] {
  const parts: string[] = [];
  const algs = (p.get(0x04) as CborMap[]).map((a) => `${a.get('type')} ${a.get('alg')}`);
  if (algs.length === 2 && algs[1] === 'public-key -7') {
    const first = (p.get(0x04) as CborMap[])[0]!;
    expect(first.get('type')).toBe('public-key');
    expect(r.offeredAlgorithms).not.toContain(first.get('alg'));
    parts.push('unknownAlgorithm');
  } else expect(algs).toEqual(['public-key -7']);
  const options = obj(p.get(0x07));
  if (options !== undefined) {
    expect(options).toEqual({ 'fido-harness-unknown': true });
    parts.push('unknownOption');
  }
  const excluded = p.has(0x05) ? idsOf(p.get(0x05)) : [];
  const unknown = [fill(32, 1), fill(64, 2)];
  if (unknown.every((id) => excluded.includes(id))) parts.push('unknownExcluded');
  if (excluded.includes(r.plainId)) parts.push('otherRpExcluded');
  expect(excluded.filter((id) => !unknown.includes(id) && id !== r.plainId)).toEqual([]);
  const user = p.get(0x03) as CborMap;
  if ((user.get('id') as Uint8Array).length === 64) {
    expect(hex(user.get('id'))).toBe(fill(64, 7));
    expect(user.get('name')).toEqual(expect.stringMatching(/./));
    parts.push('longUserId');
  }
  return parts;
}
const ALL_PARTS = ['unknownAlgorithm', 'unknownOption', 'unknownExcluded', 'otherRpExcluded', 'longUserId'];

describe('what the make-credential checks send (CTAP 2.1 §6.1)', () => {
  it('should send each check its own request, on its own RP ID, and every tolerated part in one request', async () => {
    const r = await record({ suites: ['make-credential'] });
    expect(r.results.get('MC-BASIC-001')!.status).toBe('pass');
    const one = (id: string) => {
      const sent = r.to(MAKE_CREDENTIAL, rpOf(id));
      expect(sent, id).toHaveLength(1);
      return sent[0]!;
    };
    const algs = (p: CborMap) => (p.get(0x04) as CborMap[]).map(obj);
    // MC-ALG-002: only an algorithm the key does not offer; MC-ALG-003: ES256 under a type that is not "public-key"
    const [unsupported] = algs(one('MC-ALG-002')) as [Record<string, unknown>];
    expect(algs(one('MC-ALG-002'))).toHaveLength(1);
    expect(unsupported.type).toBe('public-key');
    expect(r.offeredAlgorithms).not.toContain(unsupported.alg);
    const [otherType] = algs(one('MC-ALG-003')) as [Record<string, unknown>];
    expect(algs(one('MC-ALG-003'))).toHaveLength(1);
    expect(otherType.alg).toBe(-7);
    expect(otherType.type).not.toBe('public-key');
    expect(algs(one('MC-ALG-004'))).toEqual([{ type: 'public-key', alg: -8 }]);
    expect(obj(one('MC-OPTION-001').get(0x07))).toEqual({ up: false });
    expect(obj(one('MC-OPTION-002').get(0x07))).toEqual({ uv: true });
    expect(one('MC-EP-001').get(0x0a)).toBe(1);
    // pinUvAuthParam without its protocol; an unknown protocol; a zero-length one with the key's first protocol
    const protocols = r.exchanges.find((e) => e.command === GET_INFO)!.answer!.body!.get(0x06) as number[];
    expect(protocols[0]).toBe(2);
    expect([one('MC-PINAUTH-001').has(0x09), (one('MC-PINAUTH-001').get(0x08) as Uint8Array).length]).toEqual([false, 32]);
    expect([one('MC-PINAUTH-002').get(0x09), (one('MC-PINAUTH-002').get(0x08) as Uint8Array).length]).toEqual([254, 32]);
    expect([one('MC-PINAUTH-003').get(0x09), (one('MC-PINAUTH-003').get(0x08) as Uint8Array).length]).toEqual([2, 0]);
    // a forged pinUvAuthParam as long as the protocol's (CTAP 2.1 §6.5.6: 32 bytes for protocol two)
    expect([one('MC-PINAUTH-004').get(0x09), hex(one('MC-PINAUTH-004').get(0x08))]).toEqual([2, fill(32, 0x5a)]);
    // MC-EXCLUDE-001: the plain credential excluded on its own RP
    const excluding = r.to(MAKE_CREDENTIAL, PLAIN_RP).filter((p) => p.has(0x05));
    expect(excluding.map((p) => idsOf(p.get(0x05)))).toEqual([[r.plainId]]);
    // the tolerant credential: every part in one request (one touch), no request with a part alone
    expect(r.to(MAKE_CREDENTIAL, TOLERANT_RP).map((p) => partsOf(p, r))).toEqual([ALL_PARTS]);
    // the CBOR checks: a truncated map, an array, the keys of a valid request in descending order
    const notMaps = r.exchanges.filter((e) => e.command === MAKE_CREDENTIAL && !e.params);
    expect(notMaps.map((e) => hex(e.payload))).toEqual(['a501', expect.stringMatching(/^8/)]);
    const outOfOrder = r.exchanges.filter((e) => e.command === MAKE_CREDENTIAL && e.findings.includes('CBOR_MAP_KEY_ORDER'));
    expect(outOfOrder.map(rpIdOf)).toEqual([rpOf('MC-CBOR-004')]);
  });

  it('should send rk=true to a key without discoverable credentials (MC-OPTION-004)', async () => {
    const r = await record({ checks: ['MC-OPTION-004'], quirks: ['no-resident-keys'] });
    expect(r.to(MAKE_CREDENTIAL, rpOf('MC-OPTION-004')).map((p) => obj(p.get(0x07)))).toEqual([{ rk: true }]);
  });

  it('should forge a 16-byte pinUvAuthParam for PIN/UV auth protocol one (MC-PINAUTH-004)', async () => {
    const r = await record({ checks: ['MC-PINAUTH-004'], fault: rewriteResponse(GET_INFO, (info) => info.set(0x06, [1])) });
    expect(r.to(MAKE_CREDENTIAL, rpOf('MC-PINAUTH-004')).map((p) => [p.get(0x09), hex(p.get(0x08))])).toEqual([[1, fill(16, 0x5a)]]);
  });

  it('should assume PIN/UV auth protocol one where getInfo lists clientPin but no protocols (MC-PINAUTH-003)', async () => {
    const r = await record({ checks: ['MC-PINAUTH-003'], fault: rewriteResponse(GET_INFO, (info) => info.delete(0x06)) });
    expect(r.to(MAKE_CREDENTIAL, rpOf('MC-PINAUTH-003')).map((p) => [p.get(0x09), (p.get(0x08) as Uint8Array).length])).toEqual([[1, 0]]);
    expect(r.results.get('MC-PINAUTH-003')).toEqual({ status: 'pass', message: 'as specified' });
  });

  it('should try each tolerated part alone once the key refused the request with all of them, and only then', async () => {
    // the key refuses an option it does not know (CTAP 2.1 §6.1.2 step 5: it must ignore it)
    const refusesUnknownOption: Fault = async (cmd, p, next) => (cmd === MAKE_CREDENTIAL && (p?.get(0x07) as Map<string, boolean> | undefined)?.has('fido-harness-unknown') ? { status: 0x2c } : next(p));
    const r = await record({ checks: ['MC-ALG-001', 'MC-OPTION-003', 'MC-EXCLUDE-002', 'MC-EXCLUDE-003', 'MC-USERID-001', 'MC-COUNTER-001'], fault: refusesUnknownOption });
    const sent = r.to(MAKE_CREDENTIAL, TOLERANT_RP).map((p) => partsOf(p, r));
    expect(sent[0]).toEqual(ALL_PARTS);
    // one request per check after the refusal; MC-OPTION-003 and MC-COUNTER-001 both send the unknown option
    expect(sent.slice(1).map((p) => p.join()).sort()).toEqual(['longUserId', 'otherRpExcluded', 'unknownAlgorithm', 'unknownExcluded', 'unknownOption', 'unknownOption']);
  });

  it('should not take an error of the transport for a refusal of the tolerated parts (the check errors, nothing is retried)', async () => {
    const unplugged: Fault = async (cmd, p, next) => {
      if (cmd === MAKE_CREDENTIAL && get(p?.get(0x02), 'id') === TOLERANT_RP) throw new Error('device unplugged');
      return next(p);
    };
    const r = await record({ checks: ['MC-ALG-001'], fault: unplugged });
    expect(r.results.get('MC-ALG-001')!.status).toBe('error');
    expect(r.results.get('MC-ALG-001')!.message).toMatch(/device unplugged/);
    expect(r.to(MAKE_CREDENTIAL, TOLERANT_RP).map((p) => partsOf(p, r))).toEqual([ALL_PARTS]);
  });
});

describe('what the get-assertion checks send (CTAP 2.1 §6.2)', () => {
  it('should send each check its own request, silent (up=false) unless presence is what it judges', async () => {
    const r = await record({ suites: ['get-assertion'] });
    expect(r.results.get('GA-SIGNATURE-001')!.status).toBe('pass');
    const one = (rpId: string) => {
      const sent = r.to(GET_ASSERTION, rpId);
      expect(sent, rpId).toHaveLength(1);
      return sent[0]!;
    };
    // on the plain credential: only GA-FLAGS-001 asks for presence; every other assertion is silent
    const plain = r.to(GET_ASSERTION, PLAIN_RP);
    const options = plain.map((p) => JSON.stringify(obj(p.get(0x05)) ?? {}));
    expect(options.filter((o) => o !== '{"up":false}').sort()).toEqual(['{"uv":true}', '{}']);
    expect(plain.filter((p) => p.get(0x03) !== undefined && idsOf(p.get(0x03)).at(-1) !== r.plainId)).toEqual([]);
    // GA-UP-001 makes its own credential and asserts it silently
    const made = r.to(MAKE_CREDENTIAL, rpOf('GA-UP-001'));
    expect(made).toHaveLength(1);
    expect(obj(one(rpOf('GA-UP-001')).get(0x05))).toEqual({ up: false });
    // GA-NOCRED-001: one credential the key never made; -002: the plain credential under another RP ID; -003: no allowList
    expect(idsOf(one(rpOf('GA-NOCRED-001')).get(0x03))).toEqual([fill(48, 3)]);
    expect(idsOf(one(rpOf('GA-NOCRED-002-OTHER')).get(0x03))).toEqual([r.plainId]);
    expect(one(rpOf('GA-NOCRED-003')).has(0x03)).toBe(false);
    // GA-ALLOWLIST-001: an unknown credential first, then the known one
    expect(plain.map((p) => (p.has(0x03) ? idsOf(p.get(0x03)) : [])).filter((ids) => ids.length === 2)).toEqual([[fill(40, 9), r.plainId]]);
    expect(obj(one(rpOf('GA-OPTION-001')).get(0x05))).toEqual({ rk: true });
    // the malformed-parameter checks start from a full request: rpId, clientDataHash and a one-credential allowList
    // (GA-PARAM-001 and -003 replace the rpId, -005, -006 and -008 the allowList)
    for (const id of ['GA-PARAM-002', 'GA-PARAM-004', 'GA-PARAM-007']) expect(idsOf(one(rpOf(id)).get(0x03)), id).toEqual([fill(32, 0)]);
    // GA-CBOR-002: a valid request with one unknown credential, its map keys in descending order
    const outOfOrder = r.exchanges.filter((e) => e.command === GET_ASSERTION && e.findings.includes('CBOR_MAP_KEY_ORDER'));
    expect(outOfOrder.map((e) => [rpIdOf(e), idsOf(e.params!.get(0x03))])).toEqual([[rpOf('GA-CBOR-002'), [fill(32, 7)]]]);
  });
});

describe('GA-ALLOWLIST-002: an allowList as long as maxCredentialCountInList and maxMsgSize allow (CTAP 2.1 §6.4)', () => {
  /**
   * The allowList GA-ALLOWLIST-002 sent, with the key reporting `count` and `maxMsgSize` (absent: undefined).
   * The key answers with self attestation (no x5c), so the plain credential's makeCredential answer fits a
   * small maxMsgSize too (the harness refuses longer messages both ways).
   */
  async function allowList(count: number, maxMsgSize: number | undefined) {
    const info = rewriteResponse(GET_INFO, (body) => {
      body.set(0x07, count);
      if (maxMsgSize === undefined) body.delete(0x05);
      else body.set(0x05, maxMsgSize);
    });
    const selfAttestation = rewriteResponse(MAKE_CREDENTIAL, (body) => void (body.get(0x03) as CborMap).delete('x5c'));
    const r = await record({ checks: ['GA-ALLOWLIST-002'], fault: (cmd, p, next) => info(cmd, p, (q) => selfAttestation(cmd, q, next)) });
    const sent = r.to(GET_ASSERTION, PLAIN_RP);
    expect(sent, JSON.stringify(r.results.get('GA-ALLOWLIST-002'))).toHaveLength(1);
    const ids = idsOf(sent[0]!.get(0x03));
    // the plain credential last, after ids the key never made, all different
    expect(ids.at(-1)).toBe(r.plainId);
    expect(new Set(ids).size).toBe(ids.length);
    return { ids, size: 1 + encodeCanonicalCbor(sent[0]!).length, outcome: r.results.get('GA-ALLOWLIST-002')! };
  }

  it('should fill the list up to maxCredentialCountInList when it fits maxMsgSize', async () => {
    const { ids, outcome } = await allowList(5, 4096);
    expect(ids).toHaveLength(5);
    expect(outcome.status).toBe('pass');
  });

  it('should shorten the list to the longest that fits maxMsgSize (1024 when not reported), and not by one more', async () => {
    const { ids, size } = await allowList(64, undefined);
    expect(size).toBeLessThanOrEqual(1024);
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.length).toBeLessThan(64);
    // a message exactly maxMsgSize long fits: the same list again
    const exact = await allowList(64, size);
    expect(exact.ids).toHaveLength(ids.length);
    // one byte less: one credential fewer
    expect((await allowList(64, size - 1)).ids).toHaveLength(ids.length - 1);
  });

});
