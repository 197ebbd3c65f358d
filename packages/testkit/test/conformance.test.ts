/**
 * The suite run against a minimal plugin and a minimal server, so a change to the suite is
 * exercised here before it reaches provider packages: every optional part is given (a
 * managed-only action with its managed credential, error cases, a paginated action).
 */

import { describeConformance } from '../src/index.js';
import { echoPlugin, startEcho } from './fixtures/echo.js';

describeConformance({
  plugin: echoPlugin(),
  sandbox: () => startEcho(),
  samples: {
    'message.send': { text: 'hello' },
    'message.list': { limit: 10 },
    'person.lookup': { email: 'ada@example.com' },
  },
});
