#!/usr/bin/env node
// Creates a package skeleton with the layout every package of this repo shares:
//   node scripts/new-package.mjs <name> "<one-line description>" [dep ...]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';

const [name, description, ...deps] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: node scripts/new-package.mjs <name> "<description>" [dependency ...]');
  process.exit(2);
}
const dir = `packages/${name}`;
if (existsSync(dir)) {
  console.error(`${dir} exists already`);
  process.exit(1);
}
for (const sub of ['src', 'test']) mkdirSync(`${dir}/${sub}`, { recursive: true });
const pkg = {
  name: `@vmapple/${name}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  exports: {
    '.': {
      source: './src/index.ts',
      types: './dist/index.d.ts',
      import: './dist/index.js',
    },
  },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'README.md'],
  engines: { node: '>=20' },
  scripts: { build: 'tsup src/index.ts --format esm --dts --clean --sourcemap' },
  dependencies: Object.fromEntries(deps.map((d) => [`@vmapple/${d}`, '0.1.0'])),
};
writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(`${dir}/src/index.ts`, `// Public API of @vmapple/${name}.\nexport {};\n`);
writeFileSync(`${dir}/README.md`, `# @vmapple/${name}\n\n${description}\n\nStatus: skeleton; see the issue tracker.\n`);
console.log(`created ${dir}`);
