import { GIC_SPI, IRQ_TYPE_LEVEL_HIGH, PCI_INTX_PINS, PCI_SLOTS } from './constants.js';

/** One `ranges` entry: a window of PCI space seen at a CPU address. */
export interface GpexRange {
  /** phys.hi of the child address: 0x02000000 (32-bit memory) or 0x03000000 (64-bit memory). */
  spaceCode: number;
  pciAddress: number;
  cpuAddress: number;
  size: number;
}

/** One `interrupt-map` entry: a (slot, pin) on the root bus and the GIC SPI it reaches. */
export interface GpexInterruptMapEntry {
  slot: number;
  /** 1 = INTA .. 4 = INTD. */
  pin: number;
  /** Host INTx line the pin is wired to. */
  line: number;
  /** GIC SPI index (INTID - 32). */
  spi: number;
  /** Child unit address: phys.hi (devfn << 8, function 0), phys.mid, phys.lo. */
  childAddress: readonly [number, number, number];
}

/**
 * What a board needs for a `pci-host-ecam-generic` device tree node
 * (Linux's Documentation/devicetree/bindings/pci/host-generic-pci.yaml):
 * plain data, plus the helpers below that turn it into property cells.
 */
export interface GpexDescription {
  compatible: 'pci-host-ecam-generic';
  deviceType: 'pci';
  /** `reg`: the ECAM window. */
  ecam: { base: number; size: number };
  /** `bus-range`: first and last bus the ECAM covers. */
  busRange: readonly [number, number];
  /** `#address-cells`, `#size-cells` and `#interrupt-cells` of the node. */
  addressCells: 3;
  sizeCells: 2;
  interruptCells: 1;
  ranges: readonly GpexRange[];
  /** `interrupt-map-mask`: every device-number bit and the pin; functions share their slot's pins. */
  interruptMapMask: readonly [number, number, number, number];
  /** Every slot 0..31 × pin INTA..INTD. */
  interruptMap: readonly GpexInterruptMapEntry[];
  intxLines: number;
  spiBase: number;
}

export interface DescriptionInputs {
  ecamBase: number;
  ecamSize: number;
  buses: number;
  ranges: readonly GpexRange[];
  intxLines: number;
  spiBase: number;
  lineOf(slot: number, pin: number): number;
}

/** Mask of phys.hi: device number bits 15..11 (function and bus bits are ignored). */
const DEVICE_MASK = 0x1f << 11;
const PIN_MASK = 7;

export function buildDescription(i: DescriptionInputs): GpexDescription {
  const interruptMap: GpexInterruptMapEntry[] = [];
  for (let slot = 0; slot < PCI_SLOTS; slot++) {
    for (let pin = 1; pin <= PCI_INTX_PINS; pin++) {
      const line = i.lineOf(slot, pin);
      interruptMap.push({ slot, pin, line, spi: i.spiBase + line, childAddress: [(slot << 3) << 8, 0, 0] });
    }
  }
  return {
    compatible: 'pci-host-ecam-generic',
    deviceType: 'pci',
    ecam: { base: i.ecamBase, size: i.ecamSize },
    busRange: [0, i.buses - 1],
    addressCells: 3,
    sizeCells: 2,
    interruptCells: 1,
    ranges: i.ranges,
    interruptMapMask: [DEVICE_MASK, 0, 0, PIN_MASK],
    interruptMap,
    intxLines: i.intxLines,
    spiBase: i.spiBase,
  };
}

/** A value as `cells` big-endian u32 cells. */
function cellsOf(value: number, cells: 1 | 2): number[] {
  const hi = Math.floor(value / 2 ** 32);
  if (cells === 1) {
    if (hi !== 0) throw new RangeError(`0x${value.toString(16)} does not fit in one cell`);
    return [value >>> 0];
  }
  return [hi >>> 0, value >>> 0];
}

/** `reg` cells of the node, for a parent with the given #address-cells and #size-cells. */
export function gpexRegCells(d: GpexDescription, parentAddressCells: 1 | 2 = 2, parentSizeCells: 1 | 2 = 2): number[] {
  return [...cellsOf(d.ecam.base, parentAddressCells), ...cellsOf(d.ecam.size, parentSizeCells)];
}

/** `ranges` cells: (phys.hi, pci address hi, lo), parent address, size (2 cells) per entry. */
export function gpexRangesCells(d: GpexDescription, parentAddressCells: 1 | 2 = 2): number[] {
  return d.ranges.flatMap((r) => [r.spaceCode, ...cellsOf(r.pciAddress, 2), ...cellsOf(r.cpuAddress, parentAddressCells), ...cellsOf(r.size, 2)]);
}

/**
 * `interrupt-map` cells for a GICv3 parent (#interrupt-cells = 3): child
 * address (3), pin (1), the GIC's phandle, `gicAddressCells` zero cells (the
 * GIC node's #address-cells, 0 when it has none), then SPI, number, level-high.
 */
export function gpexInterruptMapCells(d: GpexDescription, gicPhandle: number, gicAddressCells = 0): number[] {
  const parentAddress = new Array<number>(gicAddressCells).fill(0);
  return d.interruptMap.flatMap((e) => [...e.childAddress, e.pin, gicPhandle, ...parentAddress, GIC_SPI, e.spi, IRQ_TYPE_LEVEL_HIGH]);
}
