import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../src/index.js';
import { describeEvents } from './events.suite.js';

const home = mkdtempSync(join(tmpdir(), 'oxygen-events-test-'));

describeEvents(
  'provider events (sqlite)',
  (options) => createRuntime({ home, ...options }),
  async () =>
    readdirSync(home)
      .map((f) => readFileSync(join(home, f)).toString('latin1'))
      .join('\n'),
);
