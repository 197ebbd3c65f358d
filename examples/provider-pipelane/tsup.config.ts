import { defineConfig } from 'tsup';

// The plugin (`.`), its sandbox (`./sandbox`) and the `pnpm sandbox` server, as ESM with types.
export default defineConfig({
  entry: ['src/index.ts', 'src/sandbox/index.ts', 'src/sandbox/main.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/sandbox/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
