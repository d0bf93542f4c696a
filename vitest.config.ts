import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One vitest project per package, so `npm test` runs them all and
// `npx vitest --project gic-v3` runs one. The `source` condition makes
// workspace imports resolve to TypeScript sources: no build needed to test.
const packages = readdirSync('packages').filter((name) => existsSync(`packages/${name}/package.json`));

const conditions = ['source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects: packages.map((name) => ({
      extends: true,
      test: {
        name,
        root: `packages/${name}`,
        include: ['test/**/*.test.ts'],
        benchmark: { include: ['bench/**/*.bench.ts'] },
      },
    })),
  },
});
