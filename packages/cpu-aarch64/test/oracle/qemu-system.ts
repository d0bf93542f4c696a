import { spawnSync } from 'node:child_process';
import { requireTools } from './tools.js';

/**
 * Runs a bare-metal payload under qemu-system-aarch64 -M virt (GICv3, EL1,
 * PSCI over HVC) and returns its UART output and the wall time.
 */
export function runQemuVirt(elfPath: string, extra: string[] = [], timeoutMs = 60_000): { output: string; wallMs: number } {
  requireTools('qemu-system-aarch64');
  const args = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a53', '-m', '256M', '-nographic', '-net', 'none', '-monitor', 'none', '-kernel', elfPath, ...extra];
  const t0 = performance.now();
  const r = spawnSync('qemu-system-aarch64', args, { encoding: 'utf8', timeout: timeoutMs });
  const wallMs = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`qemu-system-aarch64 exited with ${r.status} (${r.signal}): ${r.stderr}`);
  return { output: r.stdout.replace(/\r\n/g, '\n'), wallMs };
}
