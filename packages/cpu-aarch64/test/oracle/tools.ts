import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian packages that provide each external oracle tool. */
const PACKAGE_OF: Record<string, string> = {
  'qemu-aarch64': 'qemu-user',
  'qemu-system-aarch64': 'qemu-system-arm',
  'aarch64-linux-gnu-gcc': 'gcc-aarch64-linux-gnu',
  'aarch64-linux-gnu-objdump': 'binutils-aarch64-linux-gnu',
  'aarch64-linux-gnu-nm': 'binutils-aarch64-linux-gnu',
};

const found = new Map<string, boolean>();

/**
 * Throws (never skips) when an oracle tool is missing, with the install hint.
 * Oracle tests must fail loudly on a machine without the tools.
 */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((tool) => {
    let ok = found.get(tool);
    if (ok === undefined) {
      ok = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
      found.set(tool, ok);
    }
    return !ok;
  });
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => PACKAGE_OF[t] ?? t))].join(' ');
    throw new Error(
      `oracle tool(s) missing: ${missing.join(', ')}. Run scripts/install-deps.sh ` +
        `(or: apt-get install ${pkgs})`,
    );
  }
}

/** Runs a command; throws with its stderr when it fails. */
export function run(cmd: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
