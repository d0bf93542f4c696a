#!/usr/bin/env node
// The `vmapple` command. Built code lives in dist/ (npm run build).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
// Do not wait for stdin or other handles once the machine has stopped.
process.exit(process.exitCode);
