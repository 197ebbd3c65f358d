import { defineConfig } from 'vitest/config';

// The walkthrough test installs, builds and tests a scaffolded package and drives the built CLI:
// generous timeouts for small CI machines running several packages' suites at once.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
