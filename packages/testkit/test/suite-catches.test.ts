/**
 * The suite must fail when a plugin breaks the contract: each fixture under fixtures/broken/
 * breaks one thing, runs the whole suite in a child vitest, and only the tests about that thing
 * may fail, with a message that says what is wrong.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const brokenDir = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

interface Outcome {
  /** Failed tests: full name → first failure message. */
  failed: Map<string, string>;
  passed: string[];
}

async function runSuite(file: string): Promise<Outcome> {
  const out = join(mkdtempSync(join(tmpdir(), 'testkit-broken-')), 'report.json');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vitestBin, 'run', '--root', brokenDir, '--reporter=json', `--outputFile=${out}`, file],
      { stdio: 'ignore', env: { ...process.env, CI: '1' } },
    );
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    testResults: {
      assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
    }[];
  };
  const tests = report.testResults.flatMap((r) => r.assertionResults);
  return {
    failed: new Map(
      tests.filter((t) => t.status === 'failed').map((t) => [t.fullName, t.failureMessages[0] ?? '']),
    ),
    passed: tests.filter((t) => t.status === 'passed').map((t) => t.fullName),
  };
}

describe('the conformance suite fails a plugin that breaks the contract', () => {
  it('a managed-only action without a managed credential: says to return managedCredential', async () => {
    const { failed, passed } = await runSuite('no-managed-credential.conformance.ts');
    const names = [...failed.keys()];
    expect(
      names.some((n) => n.includes('has a managed credential when actions run in managed mode only')),
    ).toBe(true);
    expect(names.some((n) => n.includes('person.lookup: runs green'))).toBe(true);
    expect(names.some((n) => n.includes('person.lookup: a dry run'))).toBe(true);
    for (const message of failed.values()) {
      expect(message).toContain(
        'echo has actions that run in managed mode only (person.lookup): return managedCredential',
      );
    }
    // The byok actions still pass.
    expect(passed.some((n) => n.includes('message.send: runs green'))).toBe(true);
  });

  it('pages that repeat items: only the pagination check fails, naming the duplicates', async () => {
    const { failed } = await runSuite('repeated-items.conformance.ts');
    expect([...failed.keys()]).toEqual([
      'echo: plugin conformance against the sandbox pagination: follows next_cursor to the end, every item once',
    ]);
    expect([...failed.values()][0]).toContain('items that came on two pages');
  });

  it('provider failures swallowed into a plain Error: every error case fails, naming the code', async () => {
    const { failed, passed } = await runSuite('untyped-errors.conformance.ts');
    const errorCases = [...failed.keys()].filter((n) => n.includes('error case: a '));
    expect(errorCases).toHaveLength(7); // 401, 403, 404, 409, 429, 500, 503
    // The runtime wraps the plain Error as a plugin error: the wrong code, named in the failure.
    for (const name of errorCases) {
      expect(failed.get(name)).toMatch(
        /\d{3} → (auth|not_found|conflict|rate_limit|provider): The echo plugin failed in message\.list: something went wrong: expected 'plugin' to be/,
      );
    }
    // A single 429 is still absorbed (the retry happens below the plugin's code).
    expect(passed.some((n) => n.includes('a single 429 is absorbed'))).toBe(true);
  });
});
