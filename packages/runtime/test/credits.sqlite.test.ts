import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, openStore } from '../src/index.js';
import { describeCredits } from './credits.suite.js';
import { bundleScript, runNode } from './store.suite.js';

const home = mkdtempSync(join(tmpdir(), 'oxygen-credits-test-'));

describeCredits(
  'managed mode and credits (sqlite)',
  (options) => createRuntime({ home, ...options }),
  async () =>
    readdirSync(home)
      .map((f) => readFileSync(join(home, f)).toString('latin1'))
      .join('\n'),
);

describe('credits (sqlite specifics)', () => {
  it('never overdraws when several processes charge the same organization at once', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'oxygen-credits-multi-'));
    const store = await openStore({ home: shared });
    const { grantCredits, creditBalance, creditHistory } = await import('../src/credits/ledger.js');
    await grantCredits(store, 'multi', 20);
    await store.close();
    const script = await bundleScript(`
      import { openStore } from '../src/store/index.js';
      import { chargeCredits } from '../src/credits/ledger.js';
      const store = await openStore({ home: process.argv[2] });
      let paid = 0;
      let refused = 0;
      await Promise.all(Array.from({ length: 10 }, async () => {
        try {
          await chargeCredits(store, { organizationId: 'multi', connectionId: 'conn_x', action: 'a.b', amount: 1, label: 'x' });
          paid++;
        } catch (error) {
          if (error.code !== 'insufficient_credits') throw error;
          refused++;
        }
      }));
      await store.close();
      console.log(JSON.stringify({ paid, refused }));
    `);
    try {
      const runs = await Promise.all(Array.from({ length: 4 }, () => runNode(script, [shared])));
      let paid = 0;
      for (const run of runs) {
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
        const result = JSON.parse(run.stdout) as { paid: number; refused: number };
        expect(result.paid + result.refused).toBe(10);
        paid += result.paid;
      }
      expect(paid).toBe(20);
      const after = await openStore({ home: shared });
      try {
        expect((await creditBalance(after, 'multi')).balance).toBe(0);
        const history = await creditHistory(after, 'multi', 100);
        expect(history.filter((e) => e.kind === 'charge')).toHaveLength(20);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(script, { force: true });
      rmSync(shared, { recursive: true, force: true });
    }
  });
});
