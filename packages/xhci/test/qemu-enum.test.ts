// Oracle: QEMU's qemu-xhci and usb-kbd driven by the same driver. A bare-metal guest on QEMU's
// virt board (test/guest/enumprobe.c) enumerates and configures the keyboard with a fixed
// sequence of commands and control transfers and logs every register and guest RAM access.
// The log's writes are replayed on our controller (keyboard on the same port 5); every
// register read, event TRB, output context and descriptor byte must match, except the
// differences listed (and explained) below.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
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
let log: Array<[string, number, number]> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xhci-enum-'));
  const elf = join(dir, 'enumprobe.elf');
  run('aarch64-linux-gnu-gcc', [
    '-O2', '-ffreestanding', '-nostdlib', '-nostartfiles', '-static', '-no-pie', '-fno-pie', '-mgeneral-regs-only',
    '-Wl,-Ttext=0x40080000', '-Wl,-e,_start', '-o', elf, join(here, 'guest', 'enumprobe.c'),
  ]);
  const mon = join(dir, 'monitor');
  // The guest prints "K" when it waits for key reports: then the HMP monitor presses 'a'.
  const out = await new Promise<string>((resolve, reject) => {
    const q = spawn('qemu-system-aarch64', [
      '-machine', 'virt,highmem=off,gic-version=3,its=off', '-cpu', 'cortex-a72', '-nographic', '-nic', 'none', '-nodefaults',
      '-serial', 'stdio', '-monitor', `unix:${mon},server=on,wait=off`,
      '-device', 'qemu-xhci,addr=1', '-device', 'usb-kbd', '-device', 'usb-tablet', '-kernel', elf,
    ]);
    let text = '';
    let sent = false;
    const timer = setTimeout(() => q.kill(), 60_000);
    q.on('error', (e) => reject(new Error(`qemu-system-aarch64: ${e.message}; ${HINT}`)));
    q.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (!sent && /^K$/m.test(text)) {
        sent = true;
        const c = connect(mon, () => c.end('sendkey a\n'));
        c.on('error', reject);
      }
    });
    q.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
  if (!out.includes('END')) throw new Error(`the probe did not finish:\n${out}`);
  log = [...out.matchAll(/^(?:([wWRm]) ([0-9a-f]{8}) ([0-9a-f]{8})|(K))$/gm)].map((m) =>
    m[4] ? ['K', 0, 0] : [m[1]!, parseInt(m[2]!, 16), parseInt(m[3]!, 16)],
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/**
 * Known, deliberate differences, by the kind and address of the access: [kind, address,
 * QEMU's value, ours, why].
 */
const DIFFERENCES: Array<[string, number, number, number, string]> = [
  // xHCI 1.2 §4.6.9: after Stop Endpoint the context's TR Dequeue Pointer names the TRB the
  // endpoint stopped on (the waiting TD, also named by the Stopped event); QEMU leaves it past that TD.
  ['m', 0x4040_4068, 0x4040_7011, 0x4040_7001, 'Stop Endpoint dequeue pointer'],
  // xHCI 1.2 §4.6.11 (Reset Device): Context Entries = 1 and USB Device Address = 0; QEMU keeps both.
  ['m', 0x4040_4000, 0x1830_0000, 0x0830_0000, 'Reset Device: context entries'],
  ['m', 0x4040_400c, 0x0800_0001, 0x0800_0000, 'Reset Device: device address'],
  // xHCI 1.2 §5.4.5: CRCR reads return 0 except CRR; QEMU returns the pointer and RCS it was given
  // (and never shows CRR). Ours: CRR = 1 while the ring runs.
  ['R', 0x58, 0x4040_1001, 0x0000_0008, 'CRCR read'],
];

describe('keyboard enumeration against QEMU qemu-xhci + usb-kbd', () => {
  it('produces the same register values, events, contexts and descriptors', () => {
    expect(log.length).toBeGreaterThan(400);
    const g = new GuestRam(0x4000_0000, 0x50_0000);
    const pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
    const xhci = new XhciController();
    xhci.attach({ memory: pciMem, dma: g.mem, setIntx: () => {} });
    const kbd = new UsbKeyboard();
    xhci.attach(5, kbd);
    xhci.attach(6, new UsbTablet());
    const d = new XhciDriver(xhci, pciMem, g);
    const diffs: string[] = [];
    for (const [kind, addr, value] of log) {
      if (kind === 'K') {
        kbd.press(0x04); // what HMP `sendkey a` does: press, then release
        kbd.release(0x04);
      } else if (kind === 'w') g.w32(addr, value);
      else if (kind === 'W') d.w32(addr, value);
      else {
        const ours = kind === 'R' ? d.r32(addr) : g.r32(addr);
        if (ours === value) continue;
        const known = DIFFERENCES.find(([k, a, q, o]) => k === kind && a === addr && q === value && o === ours);
        if (!known) diffs.push(`${kind} ${hex(addr)}: qemu ${hex(value)} ours ${hex(ours)}`);
      }
    }
    expect(diffs).toEqual([]);
    // The key reports themselves (HID 1.11 boot report for 'a', then all keys up).
    expect([g.r32(0x4040_9100), g.r32(0x4040_9104), g.r32(0x4040_9200), g.r32(0x4040_9204)]).toEqual([0x0004_0000, 0, 0, 0]);
  });
});
