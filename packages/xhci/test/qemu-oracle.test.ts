// Oracle: QEMU's own qemu-xhci. A bare-metal guest on QEMU's virt board
// (test/guest/regprobe.c) runs a fixed register script (test/guest/script.h) against
// `qemu-xhci` (no MSI controller: GICv3 without ITS, as vmapple) with a usb-kbd and a usb-tablet and prints every value it
// reads; the same script replayed on our controller must read the same values, except for
// the differences listed (and explained) below.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressSpace } from '@vmapple/core-bus';
import { UsbKeyboard, UsbTablet, XhciController } from '../src/index.js';
import { GuestRam, XhciDriver } from './driver.js';

const HINT =
  'this test needs the aarch64 cross compiler and QEMU: ' +
  '`apt-get install gcc-aarch64-linux-gnu` and `apt-get install --no-install-recommends qemu-system-arm`';
const here = dirname(fileURLToPath(import.meta.url));

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}; ${HINT}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

let dir = '';
let qemuLines: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xhci-guest-'));
  const elf = join(dir, 'regprobe.elf');
  const source = join(here, 'guest', 'regprobe.c');
  // R(x) and W(x, v) as the guest performs them.
  run('aarch64-linux-gnu-gcc', [
    '-O2', '-ffreestanding', '-nostdlib', '-nostartfiles', '-static', '-no-pie', '-fno-pie', '-mgeneral-regs-only',
    '-DR(x)=r(x)', '-DW(x,v)=w(x,v)', `-I${join(here, 'guest')}`,
    '-Wl,-Ttext=0x40080000', '-Wl,-e,_start', '-o', elf, source,
  ]);
  const out = run('qemu-system-aarch64', [
    '-machine', 'virt,highmem=off,gic-version=3,its=off', '-cpu', 'cortex-a72', '-nographic', '-nic', 'none', '-nodefaults', '-serial', 'stdio',
    '-device', 'qemu-xhci,addr=1', '-device', 'usb-kbd', '-device', 'usb-tablet', '-kernel', elf,
  ]);
  if (!out.includes('END')) throw new Error(`the probe did not finish:\n${out}`);
  qemuLines = out.split('\n').map((l) => l.trim()).filter((l) => /^[CR] /.test(l));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Replays script.h on our controller (the same devices on ports 1 and 2). */
function replay(): string[] {
  const g = new GuestRam();
  const pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
  const xhci = new XhciController();
  xhci.attach({ memory: pciMem, dma: g.mem, setIntx: () => {} });
  xhci.attach(5, new UsbKeyboard()); // where QEMU puts usb-kbd and usb-tablet: the first USB 2 ports
  xhci.attach(6, new UsbTablet());
  const lines: string[] = [];
  const h = (v: number, d: number) => (v >>> 0).toString(16).padStart(d, '0');
  for (let off = 0; off < 0x40; off += 4) lines.push(`C ${h(off, 4)} ${h(xhci.configRead(off, 4), 8)}`);
  lines.push(`C ${h(0x60, 4)} ${h(xhci.configRead(0x60, 4), 8)}`);
  const d = new XhciDriver(xhci, pciMem, g);
  const text = readFileSync(join(here, 'guest', 'script.h'), 'utf8');
  for (const m of text.matchAll(/\b([RW])\((0x[0-9a-f]+)(?:, (0x[0-9a-f]+|\d+))?\)/g)) {
    const off = Number(m[2]!);
    if (m[1] === 'R') lines.push(`R ${h(off, 4)} ${h(d.r32(off), 8)}`);
    else d.w32(off, Number(m[3]!));
  }
  return lines;
}

/**
 * Known, deliberate differences: [line prefix, QEMU's value, ours, why].
 */
const DIFFERENCES: Array<[string, string, string, string]> = [
  ['C 0004', '00100000', '00000000', 'QEMU lists a PCI Express endpoint capability (status bit 4); we have no capability at all'],
  ['C 0034', '000000a0', '00000000', 'the capability pointer of that PCI Express capability'],
  ['R 0010', '00087001', '00080001', 'HCCPARAMS1.MaxPSASize: QEMU supports streams (UAS); we do not'],
];

describe('register script against QEMU qemu-xhci', () => {
  it('reads the same values', () => {
    const ours = replay();
    expect(ours.length).toBe(qemuLines.length);
    const diffs: string[] = [];
    for (let i = 0; i < ours.length; i++) {
      if (ours[i] === qemuLines[i]) continue;
      const known = DIFFERENCES.find(([p, q, o]) => qemuLines[i]!.startsWith(p) && qemuLines[i]!.endsWith(q) && ours[i]!.endsWith(o));
      if (!known) diffs.push(`#${i}: qemu ${qemuLines[i]}  ours ${ours[i]}`);
    }
    expect(diffs).toEqual([]);
  });
});
