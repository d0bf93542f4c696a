import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'hvf/index': 'src/hvf/index.ts', 'hvf/node-loader': 'src/hvf/node-loader.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
});
