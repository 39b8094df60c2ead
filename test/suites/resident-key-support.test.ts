import { describe, expect, it } from 'vitest';
import { failed, runAgainst } from './faultyDevice.ts';

describe('RK-SUPPORT-001 (getInfo rk; Microsoft S1/S2)', () => {
  it('should pass on the clean simulator', async () => {
    const results = await runAgainst({ checks: ['RK-SUPPORT-001'] });
    expect(results.get('RK-SUPPORT-001')!.status).toBe('pass');
  });

  it('should fail under no-resident-keys', async () => {
    const results = await runAgainst({ checks: ['RK-SUPPORT-001'], quirks: ['no-resident-keys'] });
    expect(failed(results)).toEqual(['RK-SUPPORT-001']);
    expect(results.get('RK-SUPPORT-001')!.message).toMatch(/options\.rk is false/);
  });
});
