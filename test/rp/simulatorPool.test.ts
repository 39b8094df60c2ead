import { describe, expect, it } from 'vitest';
import { SimulatorPool } from '../../harness/rp/simulator/SimulatorPool.ts';

describe('SimulatorPool', () => {
  it('keeps one simulator per session, evicts the least recently used at the bound, and serialises tasks', async () => {
    let t = 0;
    const pool = new SimulatorPool('http://localhost:8080', () => ++t, 2);
    try {
      const a1 = await pool.use('a', async (s) => s);
      const a2 = await pool.use('a', async (s) => s);
      expect(a2).toBe(a1);
      await pool.use('b', async () => undefined);
      await pool.use('a', async () => undefined); // b is now the least recently used
      await pool.use('c', async () => undefined);
      expect(pool.size).toBe(2);
      expect(await pool.use('a', async (s) => s)).toBe(a1);
      const b2 = await pool.use('b', async (s) => s);
      expect(b2).not.toBe(a1);
      // two tasks on one session run one after the other
      const order: string[] = [];
      const slow = pool.use('b', async () => {
        order.push('slow start');
        await new Promise((r) => setTimeout(r, 20));
        order.push('slow end');
      });
      const fast = pool.use('b', async () => {
        order.push('fast');
      });
      await Promise.all([slow, fast]);
      expect(order).toEqual(['slow start', 'slow end', 'fast']);
      // a failing task does not block the next
      await expect(pool.use('b', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await pool.use('b', async () => 'next')).toBe('next');
      // the simulator has the PIN set by the pool's client
      expect((await pool.use('a', async (s) => s.device.ctap2.getInfo())).options?.clientPin).toBe(true);
    } finally {
      await pool.closeAll();
    }
    expect(pool.size).toBe(0);
  });
});
