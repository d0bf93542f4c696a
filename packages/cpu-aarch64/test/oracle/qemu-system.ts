import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { requireTools } from './tools.js';

/**
 * Runs a bare-metal payload under qemu-system-aarch64 -M virt (GICv3, EL1,
 * PSCI over HVC) and returns its UART output and the wall time.
 */
export function runQemuVirt(
  elfPath: string,
  extra: string[] = [],
  timeoutMs = 60_000,
): { output: string; wallMs: number; cpuMs: number | undefined } {
  requireTools('qemu-system-aarch64');
  const args = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a53', '-m', '256M', '-nographic', '-net', 'none', '-monitor', 'none', '-kernel', elfPath, ...extra];
  // GNU time (if present) reports QEMU's CPU time on stderr, which a busy host distorts less than wall time.
  const timed = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = timed
    ? spawnSync('/usr/bin/time', ['-f', 'qemu-cpu-seconds %U %S', 'qemu-system-aarch64', ...args], { encoding: 'utf8', timeout: timeoutMs })
    : spawnSync('qemu-system-aarch64', args, { encoding: 'utf8', timeout: timeoutMs });
  const wallMs = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`qemu-system-aarch64 exited with ${r.status} (${r.signal}): ${r.stderr}`);
  const m = /qemu-cpu-seconds ([0-9.]+) ([0-9.]+)/.exec(r.stderr);
  const cpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined;
  return { output: r.stdout.replace(/\r\n/g, '\n'), wallMs, cpuMs };
}
