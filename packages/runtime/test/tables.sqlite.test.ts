import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../src/index.js';
import { describeTables } from './tables.suite.js';

const home = mkdtempSync(join(tmpdir(), 'oxygen-tables-test-'));

describeTables(
  'tables, columns and waterfalls (sqlite)',
  (options) => createRuntime({ home, ...options }),
  { home },
  async () =>
    readdirSync(home)
      .map((f) => readFileSync(join(home, f)).toString('latin1'))
      .join('\n'),
);
