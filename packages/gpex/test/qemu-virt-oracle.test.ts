// Oracle: QEMU's own virt board device tree. Its pcie node uses 4 INTx lines
// from SPI 3, so our description with intxLines 4 / spiBase 3 must route every
// slot, function and pin to the same SPI as QEMU's interrupt-map does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpexInterruptMapCells, gpexRangesCells, gpexRegCells } from '../src/index.js';
import { makeBoard } from './board.js';

const HINT =
  'this test needs qemu-system-aarch64 and fdtget: `apt-get install --no-install-recommends qemu-system-arm device-tree-compiler`';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}; ${HINT}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const cells = (s: string) => s.trim().split(/\s+/).map((x) => parseInt(x, 16));

/** Linux's of_irq_parse_raw matching: masked compare, first entry wins; returns the parent specifier. */
function resolve(map: number[], mask: number[], child: number[], parentAddressCells: number): number[] | null {
  const stride = 4 + 1 + parentAddressCells + 3;
  for (let at = 0; at + stride <= map.length; at += stride) {
    if (child.every((c, i) => ((c ^ map[at + i]!) & mask[i]!) === 0)) return map.slice(at + 5 + parentAddressCells, at + stride);
  }
  return null;
}

let dir = '';
let qemuMap: number[] = [];
let qemuMask: number[] = [];
let gicAddressCells = 0;
let gicPhandle = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpex-virt-'));
  const dtb = join(dir, 'virt.dtb');
  run('qemu-system-aarch64', ['-machine', `virt,gic-version=3,dumpdtb=${dtb}`, '-cpu', 'cortex-a72', '-nographic', '-nic', 'none']);
  const pcie = '/' + run('fdtget', ['-l', dtb, '/']).split('\n').find((n) => n.startsWith('pcie@'))!;
  qemuMap = cells(run('fdtget', ['-t', 'x', dtb, pcie, 'interrupt-map']));
  qemuMask = cells(run('fdtget', ['-t', 'x', dtb, pcie, 'interrupt-map-mask']));
  gicPhandle = qemuMap[4]!;
  const gic = '/' + run('fdtget', ['-l', dtb, '/']).split('\n').find((n) => n.startsWith('intc@'))!;
  gicAddressCells = cells(run('fdtget', ['-t', 'x', dtb, gic, '#address-cells']))[0]!;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs HMP commands on a stopped QEMU virt machine (ECAM at 0x3f000000 with highmem=off). */
function monitor(commands: string[]): string {
  const r = spawnSync(
    'qemu-system-aarch64',
    ['-machine', 'virt,highmem=off', '-cpu', 'cortex-a72', '-nographic', '-nic', 'none', '-S', '-serial', 'none', '-monitor', 'stdio'],
    { input: [...commands, 'quit', ''].join('\n'), encoding: 'utf8', timeout: 60_000 },
  );
  if (r.error) throw new Error(`qemu-system-aarch64: ${r.error.message}; ${HINT}`);
  return r.stdout;
}

describe("QEMU's gpex as oracle", () => {
  it("config space seen through ECAM matches QEMU's byte for byte: host bridge, absent function, other bus", () => {
    const QEMU_ECAM = 0x3f00_0000;
    const probes: Array<[string, number, number, number, number, number]> = [
      // label, bus, dev, fn, first register, dwords
      ['host bridge header', 0, 0, 0, 0, 64],
      ['host bridge extended space', 0, 0, 0, 0x100, 4],
      ['absent 00:05.0', 0, 5, 0, 0, 16],
      ['absent 00:00.1', 0, 0, 1, 0, 4],
      ['bus 1', 1, 0, 0, 0, 4],
    ];
    const at = (bus: number, dev: number, fn: number, reg: number) => bus * 0x10_0000 + dev * 0x8000 + fn * 0x1000 + reg;
    const out = monitor(probes.map(([, bus, dev, fn, reg, n]) => `xp /${n}wx 0x${(QEMU_ECAM + at(bus, dev, fn, reg)).toString(16)}`));
    const words = new Map<number, number>();
    for (const m of out.matchAll(/^([0-9a-f]{16}): ((?:0x[0-9a-f]{8} ?)+)/gm)) {
      m[2]!.trim().split(' ').forEach((w, i) => words.set(parseInt(m[1]!, 16) - QEMU_ECAM + 4 * i, parseInt(w, 16)));
    }
    const { sys, cfg } = makeBoard();
    let compared = 0;
    for (const [label, bus, dev, fn, reg, n] of probes) {
      for (let i = 0; i < n; i++) {
        const qemu = words.get(at(bus, dev, fn, reg + 4 * i));
        expect(qemu, `${label} +0x${(4 * i).toString(16)} missing from QEMU's output:\n${out}`).toBeDefined();
        expect(sys.read(cfg(bus, dev, fn, reg + 4 * i), 4), `${label} +0x${(4 * i).toString(16)}`).toBe(qemu);
        compared++;
      }
    }
    expect(compared).toBe(92);
  });


  it("the host bridge's IDs match QEMU's `info pci` for 00:00.0", () => {
    const r = spawnSync(
      'qemu-system-aarch64',
      ['-machine', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nic', 'none', '-S', '-serial', 'none', '-monitor', 'stdio'],
      { input: 'info pci\nquit\n', encoding: 'utf8', timeout: 60_000 },
    );
    if (r.error) throw new Error(`qemu-system-aarch64: ${r.error.message}; ${HINT}`);
    const m = /Bus +0, device +0, function 0:\s+Host bridge: PCI device ([0-9a-f]{4}):([0-9a-f]{4})\s+PCI subsystem ([0-9a-f]{4}):([0-9a-f]{4})/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [vendor, device, subVendor, sub] = m!.slice(1).map((x) => parseInt(x, 16));
    const { sys, cfg } = makeBoard();
    expect(sys.read(cfg(0, 0, 0, 0), 2)).toBe(vendor);
    expect(sys.read(cfg(0, 0, 0, 2), 2)).toBe(device);
    expect(sys.read(cfg(0, 0, 0, 0x2c), 2)).toBe(subVendor);
    expect(sys.read(cfg(0, 0, 0, 0x2e), 2)).toBe(sub);
    expect(sys.read(cfg(0, 0, 0, 0x0a), 2)).toBe(0x0600); // "Host bridge" is class 06, subclass 00
  });


  it("reg, bus-range and the 32-bit ranges entry match QEMU virt's node for the same layout", () => {
    const dtb = join(dir, 'virt-lowmem.dtb');
    run('qemu-system-aarch64', ['-machine', `virt,highmem=off,dumpdtb=${dtb}`, '-cpu', 'cortex-a72', '-nographic', '-nic', 'none']);
    const pcie = '/' + run('fdtget', ['-l', dtb, '/']).split('\n').find((n) => n.startsWith('pcie@'))!;
    const get = (prop: string) => cells(run('fdtget', ['-t', 'x', dtb, pcie, prop]));
    expect(run('fdtget', [dtb, pcie, 'compatible']).trim()).toBe('pci-host-ecam-generic');
    const reg = get('reg');
    const qemuRanges = get('ranges');
    // QEMU's layout: ECAM from reg, the 32-bit window from its 0x02000000 ranges entry (7 cells each).
    const entries = Array.from({ length: qemuRanges.length / 7 }, (_, i) => qemuRanges.slice(7 * i, 7 * i + 7));
    const mem32 = entries.find((e) => e[0] === 0x0200_0000)!;
    const { host } = makeBoard({
      ecamBase: reg[0]! * 2 ** 32 + reg[1]!,
      ecamSize: reg[2]! * 2 ** 32 + reg[3]!,
      mmioWindow: { base: mem32[3]! * 2 ** 32 + mem32[4]!, size: mem32[5]! * 2 ** 32 + mem32[6]! },
      intxLines: 4,
      spiBase: 3,
    });
    const d = host.describe();
    expect(gpexRegCells(d)).toEqual(reg);
    expect([...d.busRange]).toEqual(get('bus-range'));
    expect(gpexRangesCells(d)).toEqual(mem32);
    expect(d.addressCells).toBe(get('#address-cells')[0]);
    expect(d.sizeCells).toBe(get('#size-cells')[0]);
    expect(d.interruptCells).toBe(get('#interrupt-cells')[0]);
    expect(run('fdtget', [dtb, pcie, 'device_type']).trim()).toBe(d.deviceType);
  });

  it('routes every slot × function × pin like QEMU virt (4 lines from SPI 3)', () => {
    const { host } = makeBoard({ intxLines: 4, spiBase: 3 });
    const d = host.describe();
    const ours = gpexInterruptMapCells(d, gicPhandle, gicAddressCells);
    let compared = 0;
    for (let slot = 0; slot < 32; slot++) {
      for (let fn = 0; fn < 8; fn++) {
        for (let pin = 1; pin <= 4; pin++) {
          const child = [(slot << 11) | (fn << 8), 0, 0, pin];
          const theirs = resolve(qemuMap, qemuMask, child, gicAddressCells);
          expect(theirs).not.toBeNull();
          expect(resolve(ours, [...d.interruptMapMask], child, gicAddressCells)).toEqual(theirs);
          compared++;
        }
      }
    }
    expect(compared).toBe(1024);
  });
});
