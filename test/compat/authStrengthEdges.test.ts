import { beforeAll, describe, expect, it } from 'vitest';
import { EntraPolicyError, evaluateAuthStrengths, parseAuthStrengths, type AuthStrengthInput } from '../../harness/compat/index.ts';
import { gatherFacts } from '../../harness/compat/evidence.ts';
import type { EntraReason } from '../../reports/model.ts';
import { SIM_AAGUID, simRegistration, type SimRegistration } from './compatFixtures.ts';

/** Authentication strengths as crafted files give them: members missing, JSON that is not an object. */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

const FIDO2_CONFIG = '#microsoft.graph.fido2CombinationConfiguration';
const strength = (combinationConfigurations: unknown[]): AuthStrengthInput => ({ policy: { id: 'c1', allowedCombinations: ['fido2'], combinationConfigurations } as AuthStrengthInput['policy'], from: 'f' });
const judge = (s: AuthStrengthInput, reasons: EntraReason[] = [{ id: 'EN-UV', status: 'pass', message: '', source: 'S6' }]) => evaluateAuthStrengths([s], gatherFacts(clean.input), reasons).find((x) => x.from === 'f')!;

describe('authentication strengths from crafted files', () => {
  it('JSON null or a bare list is refused as a strength, not a crash', () => {
    for (const text of ['null', '[]', '7']) {
      expect(() => parseAuthStrengths(text, 'f'), text).toThrow(EntraPolicyError);
    }
  });

  it('a configuration with neither type nor appliesToCombinations restricts nothing', () => {
    expect(judge(strength([{ id: 'x' }, { '@odata.type': '#microsoft.graph.x509CertificateCombinationConfiguration' }])).status).toBe('pass');
  });

  it('a fido2 configuration without allowedAAGUIDs allows no AAGUID: 0 entries', () => {
    expect(judge(strength([{ '@odata.type': FIDO2_CONFIG, id: 'cfg' }])).message).toBe(`AAGUID ${SIM_AAGUID} is not among the allowedAAGUIDs of its fido2 combination configuration (0 entries)`);
  });

  it('a listed AAGUID with EN-UV not evaluated is a skip', () => {
    expect(judge(strength([{ '@odata.type': FIDO2_CONFIG, allowedAAGUIDs: [SIM_AAGUID] }]), [])).toMatchObject({ status: 'skip', message: `AAGUID ${SIM_AAGUID} is allowed; whether the key verifies the user could not be judged` });
  });
});
