import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDeviceTree, type PciInterruptMapEntry } from '../src/device-tree.js';
import { mpidrOf } from '../src/memory-map.js';

function dtc(blob: Uint8Array): { dts: string; warnings: string } {
  const probe = spawnSync('dtc', ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error('dtc is missing: run scripts/install-deps.sh (apt-get install device-tree-compiler)');
  const dir = mkdtempSync(join(tmpdir(), 'dtb-'));
  const path = join(dir, 'board.dtb');
  writeFileSync(path, blob);
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { dts: r.stdout, warnings: r.stderr };
}

// The vmapple swizzle (spec §1.9): line = (slot + pin) mod 16 → SPI 0x20 + line, written independently here.
const map: PciInterruptMapEntry[] = [];
for (let slot = 0; slot < 16; slot++) {
  for (let pin = 0; pin < 4; pin++) map.push({ childAddressHi: slot << 11, pin: pin + 1, spi: 0x20 + ((slot + pin) % 16) });
}

describe('board device tree', () => {
  const blob = buildDeviceTree({
    ramSize: 1 << 30,
    mpidrs: [0, 1, 2].map(mpidrOf),
    bootargs: 'console=ttyAMA0',
    initrd: { start: 0x7400_0000, end: 0x7410_0000 },
    pci: { interruptMap: map, interruptMapMask: [0x7800, 0, 0, 7] },
  });
  const { dts, warnings } = dtc(blob);

  it('decompiles cleanly with dtc', () => {
    expect(warnings).toBe('');
  });

  it('describes memory, CPUs with PSCI over HVC, and the boot arguments', () => {
    expect(dts).toContain('memory@70000000 {');
    expect(dts).toMatch(/reg = <0x00 0x70000000 0x00 0x40000000>;/);
    expect(dts).toMatch(/method = "hvc";/);
    expect(dts.match(/enable-method = "psci";/g)).toHaveLength(3);
    expect(dts).toContain('cpu@2 {');
    expect(dts).toContain('bootargs = "console=ttyAMA0";');
    expect(dts).toContain('stdout-path = "/pl011@20010000";');
    expect(dts).toMatch(/linux,initrd-start = <0x00 0x74000000>;/);
  });

  it('wires the GIC, timers and peripherals to the spec interrupt numbers', () => {
    expect(dts).toMatch(/intc@10000000 \{[^}]*compatible = "arm,gic-v3";/s);
    expect(dts).toMatch(/reg = <0x00 0x10000000 0x00 0x10000 0x00 0x10010000 0x00 0x60000>;/);
    // Virtual timer = PPI 27 = DT PPI 11.
    expect(dts).toMatch(/interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;/);
    expect(dts).toMatch(/pl011@20010000 \{[^}]*interrupts = <0x00 0x01 0x04>;/s);
    expect(dts).toMatch(/pl031@20050000 \{[^}]*interrupts = <0x00 0x02 0x04>;/s);
    expect(dts).toMatch(/pl061@20060000 \{[^}]*interrupts = <0x00 0x05 0x04>;/s);
    expect(dts).toMatch(/gpios = <0x03 0x03 0x00>;/);
    expect(dts).toContain('compatible = "qemu,pvpanic-mmio";');
  });

  it('gives the PCIe host its ECAM, window and a complete interrupt-map', () => {
    expect(dts).toMatch(/pcie@40000000 \{[^}]*compatible = "pci-host-ecam-generic";/s);
    expect(dts).toMatch(/bus-range = <0x00 0xff>;/);
    expect(dts).toMatch(/ranges = <0x2000000 0x00 0x50000000 0x00 0x50000000 0x00 0x1fff0000>;/);
    const m = /interrupt-map = <([^>]*)>;/.exec(dts)!;
    const cells = m[1]!.trim().split(/\s+/).map(Number);
    expect(cells.length).toBe(64 * 10);
    // slot 3, INTB → (3 + 1) mod 16 = line 4 → SPI 0x24
    const row = cells.slice((3 * 4 + 1) * 10, (3 * 4 + 2) * 10);
    expect(row).toEqual([3 << 11, 0, 0, 2, 1, 0, 0, 0, 0x24, 4]);
  });
});
