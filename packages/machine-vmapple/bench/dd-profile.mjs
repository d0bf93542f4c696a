#!/usr/bin/env node
// Where does the time of an in-guest `dd` go? Boots Debian's kernel on the
// board (built from the TypeScript sources with esbuild, no `npm run build`
// needed), reads a 64 MiB virtio-blk disk with `dd bs=1M` and reports:
//  - the dd: MiB/s, guest instructions per byte, MIPS, virtio requests and
//    their sizes, interrupts per MiB (from the guest's /sys and /proc);
//  - host time during the dd by part of the emulator (V8 CPU profile through
//    node:inspector, attributed to the source file of each function);
//  - guest instructions by kernel function (the guest PC after every runner
//    step, weighted by the instructions the step retired; symbols from the
//    guest's /proc/kallsyms, written to a scratch disk). Steps are 997
//    instructions long during the dd, which makes the dd a little slower.
// usage: node packages/machine-vmapple/bench/dd-profile.mjs [--ext4] [--top N]
//   --ext4  read a 64 MiB file on an ext4 disk (mkfs.ext4 -d) instead of the raw disk
// Needs `npm run setup:oracles` (kernel, initramfs; mkfs.ext4 for --ext4).
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const guestDir = process.env.VMAPPLE_GUEST_DIR ?? repo + '.cache/debian-guest/';
const CMDLINE = 'console=ttyAMA0 nokaslr cryptomgr.notests';
const args = process.argv.slice(2);
const ext4 = args.includes('--ext4');
const top = Number(args[args.indexOf('--top') + 1]) || 25;
for (const f of ['Image', 'initramfs.cpio.gz']) {
  if (!existsSync(guestDir + f)) {
    console.error(`dd-profile: ${guestDir + f} missing: run 'npm run setup:oracles'`);
    process.exit(1);
  }
}

// ---- the emulator, bundled from sources (the bundle keeps a `// packages/...` comment before each file) ----
const dir = mkdtempSync(join(tmpdir(), 'vmapple-dd-profile-'));
const bundle = join(dir, 'vmapple.mjs');
const { build } = await import('esbuild');
await build({
  stdin: {
    contents: "export { VmappleBoard } from '@vmapple/machine-vmapple'; export { MemoryBlockBackend } from '@vmapple/core-bus'; export { FileBlockBackend } from '@vmapple/core-bus/node';",
    resolveDir: repo,
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  conditions: ['source'],
  outfile: bundle,
  logLevel: 'warning',
});
const { VmappleBoard, MemoryBlockBackend, FileBlockBackend } = await import(pathToFileURL(bundle).href);
const bundleLines = readFileSync(bundle, 'utf8').split('\n');
const fileOfLine = [];
for (let i = 0, file = '?'; i < bundleLines.length; i++) {
  const m = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(bundleLines[i]);
  if (m) file = m[1];
  fileOfLine[i] = file;
}

// ---- disks: the data disk and a scratch disk for the guest's symbol table ----
const DISK = 64 << 20;
const content = randomFillSync(new Uint8Array(DISK));
let image = join(dir, 'disk.img');
if (ext4) {
  mkdirSync(join(dir, 'root'));
  writeFileSync(join(dir, 'root', 'file'), content);
  image = join(dir, 'ext4.img');
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', join(dir, 'root'), image, '80M']);
} else {
  writeFileSync(image, content);
}
const data = new FileBlockBackend(image, true);
const scratch = new MemoryBlockBackend(16 << 20);
let out = '';
const board = new VmappleBoard({
  memorySize: 1 << 30,
  clock: 'deterministic',
  disks: [{ backend: data }, { backend: scratch }],
  kernel: { image: new Uint8Array(readFileSync(guestDir + 'Image')), initrd: new Uint8Array(readFileSync(guestDir + 'initramfs.cpio.gz')), cmdline: CMDLINE },
  serialOut: (b) => (out += new TextDecoder().decode(b)),
});
const cpu = board.cpus[0];
const until = (text, from = 0) => {
  while (!out.includes(text, from)) {
    const r = board.step();
    if (r.exit) throw new Error(`machine stopped: ${r.exit}\n${out.slice(-2000)}`);
  }
};
let markers = 0;
/** Runs a shell command; returns its output between markers the shell computes (the echoed command never matches them). */
const sh = (command) => {
  const n = 1000 + markers++;
  const from = out.length;
  board.sendSerial(new TextEncoder().encode(`echo B_$((${n}-1)); ${command}; echo E_$((${n}+1))\n`));
  until(`E_${n + 1}`, from);
  const text = out.slice(from, out.indexOf(`E_${n + 1}`, from));
  return text.slice(text.indexOf(`B_${n - 1}`) + `B_${n - 1}`.length);
};
until('vmapple-e2e: ready');
sh('true');

// Kernel text symbols, sorted (nokaslr: the addresses are the same at every boot).
sh("grep ' [tT] ' /proc/kallsyms > /dev/vdb; sync");
const symText = new TextDecoder().decode(scratch.bytes.subarray(0, scratch.bytes.indexOf(0)));
const syms = [];
for (const line of symText.split('\n')) {
  const m = /^([0-9a-f]{16}) [tT] (\S+)/.exec(line);
  if (m) syms.push([BigInt('0x' + m[1]), m[2]]);
}
syms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
if (syms.length === 0) throw new Error('no kernel symbols from /proc/kallsyms');
function symbol(pc) {
  if (pc < 0xffff_0000_0000_0000n) return '(user space)';
  let lo = 0;
  let hi = syms.length - 1;
  let name = '(before the kernel text)';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid][0] <= pc) {
      name = syms[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return name;
}

const virtioIrqs = () =>
  sh('cat /proc/interrupts')
    .split('\n')
    .filter((l) => /virtio/.test(l))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[1]), 0);
const stat = () => sh('cat /sys/block/vda/stat').trim().split(/\s+/).map(Number);
if (ext4) sh('mount -t ext4 -o ro /dev/vda /mnt');
const input = ext4 ? '/mnt/file' : '/dev/vda';

// ---- the dd, profiled ----
const s0 = stat();
const q0 = virtioIrqs();
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 250 });
const from = out.length;
board.sendSerial(new TextEncoder().encode(`dd if=${input} of=/dev/null bs=1M 2>&1; echo E_$((40+3))\n`));
// Short, prime-length steps during the dd so that the sampled PCs do not alias with loops (the runner's own slice is 20000).
const SAMPLE_SLICE = 997;
const pcs = new Map();
const i0 = cpu.retired;
await session.post('Profiler.start');
const t0 = performance.now();
while (!out.includes('E_43', from)) {
  const before = cpu.retired;
  const r = board.step(SAMPLE_SLICE);
  if (r.exit) throw new Error(`machine stopped: ${r.exit}`);
  const pc = cpu.getPc();
  pcs.set(pc, (pcs.get(pc) ?? 0) + (cpu.retired - before));
}
const seconds = (performance.now() - t0) / 1000;
const { profile } = await session.post('Profiler.stop');
const instructions = cpu.retired - i0;
if (!/64\+0 records in/.test(out.slice(from))) throw new Error(`dd failed:\n${out.slice(from)}`);
const s1 = stat();
const irqs = virtioIrqs() - q0;
data.close();
rmSync(dir, { recursive: true, force: true });

const mib = DISK / 2 ** 20;
const requests = s1[0] - s0[0];
console.log(`dd of ${mib} MiB (${ext4 ? 'a file on ext4' : 'the raw disk'}, bs=1M): ${seconds.toFixed(2)} s, ${(mib / seconds).toFixed(1)} MiB/s (profiler on)`);
console.log(`  guest: ${(instructions / 1e6).toFixed(1)} M instructions = ${(instructions / DISK).toFixed(2)} per byte, ${(instructions / seconds / 1e6).toFixed(1)} MIPS;` +
  ` ${requests} requests of ${(((s1[2] - s0[2]) * 512) / requests / 1024).toFixed(0)} KiB on average; ${(irqs / mib).toFixed(2)} virtio interrupts/MiB`);

// ---- host time by part ----
const HOST_PARTS = [
  [/cpu-aarch64\/src\/interp\/mmu\.ts/, 'CPU: MMU table walks and TLB'],
  [/cpu-aarch64\/src\/interpreter-cpu\.ts#(translateData|fillCode|codePage|tlbi\w*)$/, 'CPU: MMU table walks and TLB'],
  [/cpu-aarch64\/src\/interpreter-cpu\.ts#(dcZva|sys|dcByVa)$/, 'CPU: SYS (DC ZVA, cache and TLB maintenance)'],
  [/cpu-aarch64\/src\/interpreter-cpu\.ts#(syncClock|timer\w*)$/i, 'CPU: generic timer'],
  [/cpu-aarch64\//, 'CPU: interpreter (decode, execute, loads/stores)'],
  [/packages\/(virtio|virtio-blk-apple)\/|core-bus\/src\/(node\/file-block-backend|block)\.ts|#readSync$/, 'devices: virtio, virtio-blk, disk backend'],
  [/gic-v3\//, 'GIC'],
  [/core-bus\/src\/(clock|timer)/, 'virtual clock'],
  [/core-bus\//, 'bus: MMIO/DMA dispatch'],
  [/gpex\/|core-bus\/src\/pci/, 'PCI host'],
  [/machine-vmapple\//, 'board and runner'],
  [/packages\//, 'other devices'],
];
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const bundleUrl = pathToFileURL(bundle).href;
function part(node) {
  const { url, lineNumber, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'V8 garbage collector';
  if (functionName === 'readSync') return 'devices: virtio, virtio-blk, disk backend';
  if (url !== bundleUrl) return null; // native code: charge the caller
  const key = `${fileOfLine[lineNumber] ?? '?'}#${functionName}`;
  for (const [re, name] of HOST_PARTS) if (re.test(key)) return name;
  return 'profiler harness';
}
const host = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  let id = profile.samples[i];
  let name = null;
  while (name === null && id !== undefined) {
    name = part(byId.get(id));
    id = parent.get(id);
  }
  name ??= 'node and profiler';
  host.set(name, (host.get(name) ?? 0) + dt);
}
console.log(`host time during the dd by part (${(total / 1000).toFixed(0)} ms sampled):`);
for (const [name, us] of [...host].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
}

// ---- guest instructions by kernel function ----
const guest = new Map();
for (const [pc, n] of pcs) {
  const name = symbol(pc);
  guest.set(name, (guest.get(name) ?? 0) + n);
}
let sampled = 0;
for (const n of guest.values()) sampled += n;
console.log(`guest instructions during the dd by function (top ${top}; runner steps attributed to the PC they end at, so approximate):`);
for (const [name, n] of [...guest].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${((100 * n) / sampled).toFixed(1).padStart(5)} %  ${(n / DISK).toFixed(3)} per byte  ${name}`);
}
