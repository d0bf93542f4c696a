#!/usr/bin/env node
// Boot benchmark: Debian's arm64 kernel + our initramfs to the "Run /init"
// marker on the vmapple board (interpreter), against qemu-system-aarch64
// (TCG, -M virt,gic-version=3 -cpu cortex-a53) booting the same files in the
// same script. Prints wall time, guest MIPS, the ratio and our peak RSS.
// Needs `npm run build` and `npm run setup:oracles` first.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const guestDir = process.env.VMAPPLE_GUEST_DIR ?? repo + '.cache/debian-guest/';
const MARKER = 'Run /init as init process';
const CMDLINE = 'console=ttyAMA0 nokaslr cryptomgr.notests';
const MEMORY = 1 << 30;

for (const f of ['Image', 'initramfs.cpio.gz']) {
  if (!existsSync(guestDir + f)) {
    console.error(`boot bench: ${guestDir + f} missing: run 'npm run setup:oracles'`);
    process.exit(1);
  }
}
const dist = new URL('../dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(dist))) {
  console.error("boot bench: packages/machine-vmapple/dist missing: run 'npm run build'");
  process.exit(1);
}
const { VmappleBoard } = await import(dist.href);

async function ours() {
  let out = '';
  const t0 = performance.now();
  const board = new VmappleBoard({
    memorySize: MEMORY,
    clock: 'deterministic',
    kernel: { image: new Uint8Array(readFileSync(guestDir + 'Image')), initrd: new Uint8Array(readFileSync(guestDir + 'initramfs.cpio.gz')), cmdline: CMDLINE },
    serialOut: (b) => (out += new TextDecoder().decode(b)),
  });
  while (!out.includes(MARKER)) {
    const r = board.step();
    if (r.exit) throw new Error(`machine stopped: ${r.exit}\n${out.slice(-2000)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const instructions = board.cpus[0].retired;
  return { seconds, instructions, rssMiB: process.resourceUsage().maxRSS / 1024 };
}

function qemu() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a53', '-smp', '1', '-m', '1G', '-nographic', '-nic', 'none',
      '-kernel', guestDir + 'Image', '-initrd', guestDir + 'initramfs.cpio.gz', '-append', CMDLINE];
    const p = spawn('qemu-system-aarch64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.on('error', () => reject(new Error('qemu-system-aarch64 missing: run scripts/install-deps.sh (apt-get install qemu-system-arm)')));
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes(MARKER)) {
        resolve({ seconds: (performance.now() - t0) / 1000 });
        p.kill('SIGKILL');
      }
    });
    p.on('exit', () => { if (!out.includes(MARKER)) reject(new Error(`qemu stopped early:\n${out.slice(-2000)}`)); });
  });
}

const q = await qemu();
const o = await ours();
const mips = o.instructions / o.seconds / 1e6;
console.log('boot to "Run /init" (Debian 6.1 arm64, 1 CPU, 1 GiB)');
console.log(`  qemu-system-aarch64 TCG cortex-a53: ${q.seconds.toFixed(2)} s`);
console.log(`  vmapple-ts interpreter:             ${o.seconds.toFixed(2)} s, ${(o.instructions / 1e6).toFixed(0)} M instructions, ${mips.toFixed(1)} MIPS`);
console.log(`  ratio (ours / qemu):                ${(o.seconds / q.seconds).toFixed(1)}x`);
console.log(`  peak RSS: ${o.rssMiB.toFixed(0)} MiB with ${MEMORY >> 20} MiB of guest RAM (goal: at most guest RAM + 150 MiB)`);
