// Runs the reference device tree compiler (dtc, Debian package device-tree-compiler).
import { spawnSync } from 'node:child_process';

const HINT = 'dtc (the device tree compiler) is needed by these tests: install it with `apt-get install device-tree-compiler`';

/** Throws with an install hint when dtc is not on PATH. */
export function requireDtc(): void {
  const r = spawnSync('dtc', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${HINT} (${r.error?.message ?? r.stderr})`);
}

function run(tool: string, args: string[], input: Uint8Array | string): Buffer {
  const r = spawnSync(tool, args, { input });
  if (r.error) throw new Error(`${tool}: ${r.error.message}. ${HINT}`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Decompiles a blob to dts source. */
export function decompile(blob: Uint8Array): string {
  return run('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-'], blob).toString('utf8');
}

/** Compiles dts source to a blob. */
export function compile(dts: string, extra: string[] = []): Uint8Array {
  return new Uint8Array(run('dtc', ['-q', ...extra, '-I', 'dts', '-O', 'dtb', '-'], dts));
}

/** Lets dtc parse a blob and write it back out (dtc -I dtb -O dtb). */
export function recompile(blob: Uint8Array): Uint8Array {
  return new Uint8Array(run('dtc', ['-q', '-f', '-I', 'dtb', '-O', 'dtb', '-'], blob));
}

/** The header lines fdtdump prints ("// version: 17"), as a map. */
export function fdtdumpHeader(blob: Uint8Array): Map<string, string> {
  const text = run('fdtdump', ['-'], blob).toString('utf8');
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/^\/\/ (\w+):\s+(\S+)/gm)) fields.set(m[1]!, m[2]!);
  return fields;
}
