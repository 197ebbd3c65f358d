/**
 * Provider events end to end on the embedded SQLite store (see events-e2e.suite.ts), and a
 * server killed with deliveries pending, then restarted (see restart.suite.ts).
 */

import { describeEndToEnd } from './events-e2e.suite.js';
import { tempHome } from './helpers.js';
import { describeRestart } from './restart.suite.js';

const home = tempHome();
describeEndToEnd('provider events end to end (sqlite)', () => ({ home, env: { OXYGEN_HOME: home } }));

const restartHome = tempHome();
describeRestart('a killed server restarted (sqlite)', () => ({
  home: restartHome,
  env: { OXYGEN_HOME: restartHome },
}));
