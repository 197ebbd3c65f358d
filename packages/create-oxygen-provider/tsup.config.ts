import { defineConfig } from 'tsup';

// `npm create oxygen-provider` installs this package before it runs, so it has no dependencies:
// the few typed errors it uses are bundled from @oxygen/core (tree-shaken: nothing else of core).
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
  noExternal: ['@oxygen/core'],
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
});
