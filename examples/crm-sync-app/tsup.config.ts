import { defineConfig } from 'tsup';

// The app (`pnpm start`) and its sync function, as ESM; @oxygen/* load from node_modules.
export default defineConfig({
  entry: ['src/main.ts', 'src/sync.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
