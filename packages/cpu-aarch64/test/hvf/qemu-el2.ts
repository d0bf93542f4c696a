import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../oracle/tools.js';

/**
 * Assembles an EL2 payload from this folder, runs it under
 * qemu-system-aarch64 -M virt,virtualization=on (QEMU's Arm model with EL2,
 * so ESR_EL2 is what Hypervisor.framework reports as exit syndromes) and
 * returns the syndromes it printed, one hex word per line.
 */
export function runEl2Payload(name: string): number[] {
  requireTools('qemu-system-aarch64', 'aarch64-linux-gnu-as', 'aarch64-linux-gnu-ld');
  const dir = mkdtempSync(join(tmpdir(), 'vmapple-hvf-el2-'));
  try {
    const src = new URL(`./${name}`, import.meta.url).pathname;
    execFileSync('aarch64-linux-gnu-as', ['-o', join(dir, 'p.o'), src]);
    execFileSync('aarch64-linux-gnu-ld', ['-Ttext=0x40080000', '-e', '_start', '-o', join(dir, 'p.elf'), join(dir, 'p.o')]);
    const args = ['-M', 'virt,gic-version=3,virtualization=on', '-cpu', 'cortex-a57', '-m', '256M', '-nographic', '-net', 'none'];
    const r = spawnSync('qemu-system-aarch64', [...args, '-monitor', 'none', '-kernel', join(dir, 'p.elf')], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`qemu-system-aarch64 failed (${r.status}, ${r.signal}): ${r.stderr}`);
    return r.stdout
      .split(/\r?\n/)
      .filter((l) => /^[0-9a-f]{8}$/.test(l))
      .map((l) => parseInt(l, 16) >>> 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
