import { defineConfig } from 'vitest/config';

// Generous timeouts: suites start sandboxes and load published API specs, and turbo runs
// several packages' suites at once on small CI machines. Speed is measured in bench/, not here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
