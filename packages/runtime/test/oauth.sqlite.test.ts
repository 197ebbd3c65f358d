/** The OAuth lifecycle suite on the embedded SQLite store (three processes share its file). */

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../src/index.js';
import { describeOAuth } from './fixtures/oauth-suite.js';

const home = mkdtempSync(join(tmpdir(), 'oxygen-oauth-test-'));

describeOAuth({
  name: 'oauth lifecycle (sqlite)',
  open: (options) => createRuntime({ home, ...options }),
  dump: async () =>
    readdirSync(home)
      .map((f) => readFileSync(join(home, f)).toString('latin1'))
      .join('\n'),
  // Children open the same file and read the same embedded master key.
  child: { options: { home }, env: {} },
});
