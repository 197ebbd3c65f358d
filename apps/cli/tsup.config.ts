import { defineConfig } from 'tsup';

// The CLI is bundled: resolving and compiling many small modules is what costs at start-up
// (see DESIGN.md). Everything on the start-up path (commander, the runtime, its store, Kysely)
// is inlined; each command is its own chunk, imported only when that command runs. Native
// drivers, the HTTP clients (got for provider calls, undici for trigger URLs), zod and provider
// plugins stay external: they load from node_modules, so a plugin and the CLI share one copy of
// zod, and they load only on the paths that need them.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  splitting: true,
  treeshake: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Bundle the workspace packages from source so unused modules (and their imports) drop out.
  // commander is CommonJS: give the ESM bundle a `require` for the Node built-ins it loads.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
  noExternal: ['@oxygen/core', '@oxygen/runtime', 'commander', 'kysely', '@clack/prompts'],
  external: ['better-sqlite3', 'pg', 'got', 'undici', 'zod', 'p-throttle', /^@oxygen\/provider-/],
});
