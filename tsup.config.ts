import { defineConfig } from 'tsup';

// Two entries: the library surface and the CLI binary. Dependencies stay
// external so native modules (better-sqlite3) load from node_modules.
export default defineConfig({
  entry: { index: 'src/index.ts', 'cli/bin': 'src/cli/bin.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
});
