#!/usr/bin/env node
// Boot benchmark: Debian's arm64 kernel + our initramfs to the "Run /init"
// marker on the vmapple board (interpreter), against qemu-system-aarch64
// (TCG, -M virt,gic-version=3 -cpu cortex-a53) booting the same files in the
// same script. Prints wall time, guest MIPS, the ratio and our peak RSS. Then
// the virtio-blk bench: `dd` of a 64 MiB disk to /dev/null inside the guest
// against the host reading the same (page-cached) image file.
// Needs `npm run build` and `npm run setup:oracles` first.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const { FileBlockBackend } = await import(new URL('../../core-bus/dist/node/index.js', import.meta.url).href);

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

// ---- virtio-blk: sequential read inside the guest vs the host ----
const DISK = 64 << 20;
const dir = mkdtempSync(join(tmpdir(), 'vmapple-bench-'));
const image = join(dir, 'disk.img');
writeFileSync(image, randomFillSync(new Uint8Array(DISK)));
let console_ = '';
const backend = new FileBlockBackend(image, true);
const board = new VmappleBoard({
  memorySize: MEMORY,
  clock: 'deterministic',
  disks: [{ backend }],
  kernel: { image: new Uint8Array(readFileSync(guestDir + 'Image')), initrd: new Uint8Array(readFileSync(guestDir + 'initramfs.cpio.gz')), cmdline: CMDLINE },
  serialOut: (b) => (console_ += new TextDecoder().decode(b)),
});
const until = (text, from = 0) => {
  while (!console_.includes(text, from)) {
    const r = board.step();
    if (r.exit) throw new Error(`machine stopped: ${r.exit}\n${console_.slice(-2000)}`);
  }
};
until('vmapple-e2e: ready');
// Markers are computed by the shell so the echoed command line never matches them.
board.sendSerial(new TextEncoder().encode('echo READY_$((40+2))\n'));
until('READY_42');
const from = console_.length;
const t0 = performance.now();
board.sendSerial(new TextEncoder().encode('dd if=/dev/vda of=/dev/null bs=1M && echo DD_$((40+3))\n'));
until('DD_43', from);
const guestSeconds = (performance.now() - t0) / 1000;
backend.close();
const h0 = performance.now();
readFileSync(image);
const hostSeconds = (performance.now() - h0) / 1000;
rmSync(dir, { recursive: true, force: true });
const mb = DISK / 2 ** 20;
console.log(`virtio-blk: dd of ${mb} MiB to /dev/null in the guest`);
console.log(`  guest (Debian virtio_blk on the interpreter): ${guestSeconds.toFixed(2)} s, ${(mb / guestSeconds).toFixed(1)} MiB/s`);
console.log(`  host reading the same image (page cache):     ${hostSeconds.toFixed(3)} s, ${(mb / hostSeconds).toFixed(0)} MiB/s`);
console.log(`  ratio guest / host: ${((hostSeconds / guestSeconds) * 100).toFixed(2)} % (goal 50 %)`);
