#!/usr/bin/env node
// Boot benchmark: Debian's arm64 kernel + our initramfs to the "Run /init"
// marker on the vmapple board (interpreter), against qemu-system-aarch64
// (TCG, -M virt,gic-version=3 -cpu cortex-a53) booting the same files in the
// same script. Prints wall time, guest MIPS, the ratio and our peak RSS. Then
// the virtio-blk bench: `dd` of a 64 MiB disk (raw, and as a file on ext4) to
// /dev/null inside the guest against the host reading the same (page-cached)
// image file, with where the time goes (guest instructions per byte, requests,
// interrupts, host time inside the device).
// Needs `npm run build` and `npm run setup:oracles` (kernel, initramfs, mkfs.ext4) first.
// BENCH_SKIP_BOOT=1 runs only the virtio-blk part.
import { execFileSync, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

if (!process.env.BENCH_SKIP_BOOT) {
  const q = await qemu();
  const o = await ours();
  const mips = o.instructions / o.seconds / 1e6;
  console.log('boot to "Run /init" (Debian 6.1 arm64, 1 CPU, 1 GiB)');
  console.log(`  qemu-system-aarch64 TCG cortex-a53: ${q.seconds.toFixed(2)} s`);
  console.log(`  vmapple-ts interpreter:             ${o.seconds.toFixed(2)} s, ${(o.instructions / 1e6).toFixed(0)} M instructions, ${mips.toFixed(1)} MIPS`);
  console.log(`  ratio (ours / qemu):                ${(o.seconds / q.seconds).toFixed(1)}x`);
  console.log(`  peak RSS: ${o.rssMiB.toFixed(0)} MiB with ${MEMORY >> 20} MiB of guest RAM (goal: at most guest RAM + 150 MiB)`);
}

// ---- virtio-blk: sequential read inside the guest vs the host ----
// Two disks on one board: vda holds 64 MiB of random bytes (read raw), vdb
// is an ext4 image (mkfs.ext4 -d) holding the same 64 MiB as a file. For
// each dd we also report what the guest did (instructions per byte, from the
// CPU's retired count; requests, sectors and interrupts from the guest's own
// /sys/block/*/stat and /proc/interrupts) and what the host did (backend
// calls, and host time spent inside the virtio-blk device against the whole
// dd), so the remaining limit (guest CPU or device) is visible.
const DISK = 64 << 20;
const dir = mkdtempSync(join(tmpdir(), 'vmapple-bench-'));
const image = join(dir, 'disk.img');
const content = randomFillSync(new Uint8Array(DISK));
writeFileSync(image, content);
const ext4Image = join(dir, 'ext4.img');
mkdirSync(join(dir, 'root'));
writeFileSync(join(dir, 'root', 'file'), content);
try {
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', join(dir, 'root'), ext4Image, '80M'], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (e) {
  console.error(`virtio-blk bench: mkfs.ext4 failed or missing (${e.message.split('\n')[0]}): run 'npm run setup:oracles'`);
  process.exit(1);
}

/** A BlockBackend wrapper counting the calls and bytes the device asks of the file. */
function counting(inner) {
  return {
    calls: 0,
    bytes: 0,
    get size() { return inner.size; },
    get readOnly() { return inner.readOnly; },
    read(offset, dst) { this.calls++; this.bytes += dst.length; return inner.read(offset, dst); },
    write(offset, src) { this.calls++; this.bytes += src.length; return inner.write(offset, src); },
    flush() { return inner.flush(); },
    close() { inner.close(); },
  };
}
const backends = [counting(new FileBlockBackend(image, true)), counting(new FileBlockBackend(ext4Image, true))];
let console_ = '';
const board = new VmappleBoard({
  memorySize: MEMORY,
  clock: 'deterministic',
  disks: backends.map((backend) => ({ backend })),
  kernel: { image: new Uint8Array(readFileSync(guestDir + 'Image')), initrd: new Uint8Array(readFileSync(guestDir + 'initramfs.cpio.gz')), cmdline: CMDLINE },
  serialOut: (b) => (console_ += new TextDecoder().decode(b)),
});
// Host time inside each disk's request processing (queue walk, backend reads, used ring, interrupt).
const deviceMs = board.disks.map(() => 0);
board.disks.forEach((fn, i) => {
  const processQueue = fn.blk.processQueue.bind(fn.blk);
  fn.blk.processQueue = (ctx, queue) => {
    const t = performance.now();
    processQueue(ctx, queue);
    deviceMs[i] += performance.now() - t;
  };
});
const until = (text, from = 0) => {
  while (!console_.includes(text, from)) {
    const r = board.step();
    if (r.exit) throw new Error(`machine stopped: ${r.exit}\n${console_.slice(-2000)}`);
  }
};
let markers = 0;
/** Runs a shell command in the guest and returns its output, between markers the shell computes (so the echoed command line never matches them). */
const sh = (command) => {
  const n = 1000 + markers++;
  const from = console_.length;
  board.sendSerial(new TextEncoder().encode(`echo B_$((${n}-1)); ${command}; echo E_$((${n}+1))\n`));
  const begin = `B_${n - 1}`;
  until(`E_${n + 1}`, from);
  const text = console_.slice(from, console_.indexOf(`E_${n + 1}`, from));
  return text.slice(text.indexOf(begin) + begin.length);
};
until('vmapple-e2e: ready');
sh('true');
/** Interrupts taken on the virtio lines (CPU 0's column of /proc/interrupts). */
const virtioIrqs = () =>
  sh('cat /proc/interrupts')
    .split('\n')
    .filter((l) => /virtio/.test(l))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[1]), 0);
/** reads completed and sectors read (Documentation/block/stat.rst fields 1 and 3). */
const blockStat = (dev) => {
  const f = sh(`cat /sys/block/${dev}/stat`).trim().split(/\s+/).map(Number);
  return { requests: f[0], sectors: f[2] };
};
const vdbSize = Number(sh('cat /sys/block/vdb/size').trim());
if (vdbSize * 512 !== backends[1].size) throw new Error(`vdb is ${vdbSize} sectors, not the ext4 disk; console:\n${console_.slice(-1000)}`);
sh('mount -t ext4 -o ro /dev/vdb /mnt');
const cpu = board.cpus[0];
const mb = DISK / 2 ** 20;

function dd(label, input, dev, disk) {
  const s0 = blockStat(dev);
  const q0 = virtioIrqs();
  const b0 = { ...backends[disk] };
  const d0 = deviceMs[disk];
  const i0 = cpu.retired;
  const t0 = performance.now();
  const out = sh(`dd if=${input} of=/dev/null bs=1M 2>&1`);
  const seconds = (performance.now() - t0) / 1000;
  const instructions = cpu.retired - i0;
  const dev_ms = deviceMs[disk] - d0;
  const calls = backends[disk].calls - b0.calls;
  const s1 = blockStat(dev);
  const irqs = virtioIrqs() - q0;
  if (!/64\+0 records in/.test(out)) throw new Error(`dd of ${input} failed:\n${out}`);
  const requests = s1.requests - s0.requests;
  const bytes = (s1.sectors - s0.sectors) * 512;
  console.log(`  ${label}: ${seconds.toFixed(2)} s, ${(mb / seconds).toFixed(1)} MiB/s`);
  console.log(`    guest: ${(instructions / 1e6).toFixed(0)} M instructions, ${(instructions / DISK).toFixed(2)} instructions/byte, ${(instructions / seconds / 1e6).toFixed(1)} MIPS;` +
    ` ${requests} requests of ${(bytes / requests / 1024).toFixed(0)} KiB on average, ${(irqs / mb).toFixed(2)} interrupts/MiB`);
  console.log(`    host: ${calls} backend calls, ${dev_ms.toFixed(0)} ms inside virtio-blk = ${((dev_ms / 1000 / seconds) * 100).toFixed(1)} % of the dd; the rest is the guest CPU`);
  return seconds;
}

console.log(`virtio-blk: dd of ${mb} MiB to /dev/null in the guest (bs=1M, Debian virtio_blk on the interpreter)`);
const rawSeconds = dd('raw disk (/dev/vda)          ', '/dev/vda', 'vda', 0);
dd('64 MiB file on ext4 (/dev/vdb)', '/mnt/file', 'vdb', 1);
for (const b of backends) b.close();
// Best of five reads: the first may still fault pages in, and one read is at the mercy of the host.
let hostSeconds = Infinity;
for (let k = 0; k < 5; k++) {
  const h0 = performance.now();
  readFileSync(image);
  hostSeconds = Math.min(hostSeconds, (performance.now() - h0) / 1000);
}
rmSync(dir, { recursive: true, force: true });
console.log(`  host reading the same image (page cache): ${hostSeconds.toFixed(3)} s, ${(mb / hostSeconds).toFixed(0)} MiB/s`);
console.log(`  ratio guest (raw) / host: ${((hostSeconds / rawSeconds) * 100).toFixed(2)} % (goal 50 %)`);
