import { describe, expect, it } from 'vitest';
import { gpexInterruptMapCells, gpexRangesCells, gpexRegCells } from '../src/index.js';
import { ECAM_BASE, makeBoard, MMIO_BASE, MMIO_SIZE } from './board.js';

/**
 * Resolves a PCI child interrupt through `interrupt-map` the way Linux's
 * of_irq_parse_raw does: mask the child unit address and pin, compare with
 * each entry (masked the same way), first match wins. The parent's
 * #address-cells cells are skipped, its 3 interrupt cells returned.
 */
function resolve(map: number[], mask: readonly number[], child: number[], gicPhandle: number, gicAddressCells: number): number[] | null {
  const entryCells = 4 + 1 + gicAddressCells + 3;
  if (map.length % entryCells !== 0) throw new Error('interrupt-map length is not a whole number of entries');
  for (let at = 0; at < map.length; at += entryCells) {
    let match = true;
    for (let i = 0; i < 4; i++) if (((child[i]! ^ map[at + i]!) & mask[i]!) !== 0) match = false;
    if (map[at + 4] !== gicPhandle) throw new Error(`entry at cell ${at} points at phandle ${map[at + 4]}`);
    if (match) return map.slice(at + 5 + gicAddressCells, at + entryCells);
  }
  return null;
}

/** PCI binding unit address phys.hi: bus in bits 23..16, device 15..11, function 10..8. */
const physHi = (bus: number, dev: number, fn: number) => (bus << 16) | (dev << 11) | (fn << 8);

describe('describe(): the pci-host-ecam-generic node', () => {
  it('gives the vmapple ECAM, bus range and memory window', () => {
    const { host } = makeBoard();
    const d = host.describe();
    expect(d.compatible).toBe('pci-host-ecam-generic');
    expect(d.deviceType).toBe('pci');
    expect(d.ecam).toEqual({ base: ECAM_BASE, size: 0x1000_0000 });
    expect(d.busRange).toEqual([0, 255]);
    expect([d.addressCells, d.sizeCells, d.interruptCells]).toEqual([3, 2, 1]);
    expect(gpexRegCells(d)).toEqual([0, 0x4000_0000, 0, 0x1000_0000]);
    // ranges: 32-bit memory space (phys.hi 0x02000000), PCI address = CPU address.
    expect(d.ranges).toEqual([{ spaceCode: 0x0200_0000, pciAddress: MMIO_BASE, cpuAddress: MMIO_BASE, size: MMIO_SIZE }]);
    expect(gpexRangesCells(d)).toEqual([0x0200_0000, 0, 0x5000_0000, 0, 0x5000_0000, 0, 0x1fff_0000]);
    expect(gpexRangesCells(d, 1)).toEqual([0x0200_0000, 0, 0x5000_0000, 0x5000_0000, 0, 0x1fff_0000]);
  });

  it('a window above 4 GiB is 64-bit memory space', () => {
    const { host } = makeBoard({ mmioWindow: { base: 0x80_0000_0000, size: 0x80_0000_0000 } });
    const d = host.describe();
    expect(d.ranges[0]!.spaceCode).toBe(0x0300_0000);
    expect(gpexRangesCells(d)).toEqual([0x0300_0000, 0x80, 0, 0x80, 0, 0x80, 0]);
    expect(() => gpexRegCells(d, 1, 1)).not.toThrow();
    expect(() => gpexRangesCells(d, 1)).toThrow(RangeError);
  });

  for (const [lines, spiBase, gicAddressCells] of [
    [16, 0x20, 0],
    [16, 0x20, 2],
    [4, 3, 2],
    [7, 100, 0],
  ] as const) {
    it(`interrupt-map covers 32 slots × 4 pins (${lines} lines from SPI ${spiBase}, GIC #address-cells ${gicAddressCells})`, () => {
      const { host } = makeBoard({ intxLines: lines, spiBase });
      const d = host.describe();
      expect(d.interruptMap).toHaveLength(32 * 4);
      expect(d.interruptMapMask).toEqual([0xf800, 0, 0, 7]);
      const cells = gpexInterruptMapCells(d, 0x8001, gicAddressCells);
      expect(cells).toHaveLength(128 * (4 + 1 + gicAddressCells + 3));
      for (let slot = 0; slot < 32; slot++) {
        for (let pin = 1; pin <= 4; pin++) {
          const spi = spiBase + ((slot + pin - 1) % lines);
          const entry = d.interruptMap.find((e) => e.slot === slot && e.pin === pin)!;
          expect(entry.childAddress).toEqual([slot << 11, 0, 0]);
          expect(entry.spi).toBe(spi);
          // Every function of the slot resolves to the slot's line: GIC_SPI (0), spi, level-high (4).
          for (let fn = 0; fn < 8; fn++) {
            expect(resolve(cells, d.interruptMapMask, [physHi(0, slot, fn), 0, 0, pin], 0x8001, gicAddressCells)).toEqual([0, spi, 4]);
          }
        }
      }
      // Pins outside INTA..INTD match nothing.
      expect(resolve(cells, d.interruptMapMask, [physHi(0, 1, 0), 0, 0, 5], 0x8001, gicAddressCells)).toBeNull();
    }, 30_000);
  }

  it('the map agrees with the lines plugged devices actually drive', () => {
    const { host } = makeBoard();
    const d = host.describe();
    for (const e of d.interruptMap) expect(e.line).toBe(host.lineFor(e.slot, e.pin));
  });
});
