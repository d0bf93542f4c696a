import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace, IrqProbe, MmioRegion, RamRegion } from '../src/index.js';
import {
  PCI_CAP_ID_VNDR,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PciFunction,
  type PciFunctionOptions,
  PciPin,
} from '../src/pci/index.js';

class TestDevice extends PciFunction {
  readonly regs = new Uint32Array(64);
  readonly vendorCap: number;
  constructor(options: Partial<PciFunctionOptions> = {}) {
    super({ name: 'testdev', vendorId: 0x1234, deviceId: 0x5678, classCode: 0xff0000, interruptPin: PciPin.INTA, ...options });
    const handler = {
      read: (off: number) => this.regs[off >> 2]!,
      write: (off: number, _size: number, v: number) => {
        this.regs[off >> 2] = v;
      },
    };
    this.addBar({ index: 0, region: new MmioRegion({ name: 'bar0', size: 0x100, handler }) });
    this.addBar({ index: 2, kind: 'mem64', prefetchable: true, region: new MmioRegion({ name: 'bar2', size: 0x4000, handler }) });
    this.vendorCap = this.addCapability(PCI_CAP_ID_VNDR, 8);
    this.config[this.vendorCap + 2] = 8;
    this.sealConfig();
  }
}

function plugged(options: Partial<PciFunctionOptions> = {}) {
  const memory = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
  const ram = new AddressSpace();
  ram.mapRam(0, new RamRegion('ram', 0x1000));
  const intx = new IrqProbe();
  const dev = new TestDevice(options);
  dev.attach({ memory, dma: ram, setIntx: (l) => intx.setLevel(l) });
  return { dev, memory, ram, intx };
}

describe('PciFunction', () => {
  it('presents a type-0 header with IDs, class, pin and a capability list', () => {
    const { dev } = plugged();
    expect(dev.configRead(0, 4)).toBe(0x56781234);
    expect(dev.configRead(0x08, 4) >>> 8).toBe(0xff0000);
    expect(dev.configRead(0x0e, 1)).toBe(0);
    expect(dev.configRead(0x3d, 1)).toBe(1);
    expect(dev.configRead(0x06, 2) & 0x10).toBe(0x10);
    const cap = dev.configRead(0x34, 1);
    expect(cap).toBe(dev.vendorCap);
    expect(dev.configRead(cap, 2)).toBe(PCI_CAP_ID_VNDR); // id, next = 0
  });

  it('sizes BARs the standard way: write all ones, read back the mask and flags', () => {
    const { dev } = plugged();
    dev.configWrite(0x10, 4, 0xffffffff);
    expect(dev.configRead(0x10, 4)).toBe(0xffffff00);
    dev.configWrite(0x18, 4, 0xffffffff);
    dev.configWrite(0x1c, 4, 0xffffffff);
    expect(dev.configRead(0x18, 4)).toBe((0xffffc000 | 0x8 | 0x4) >>> 0);
    expect(dev.configRead(0x1c, 4)).toBe(0xffffffff);
    expect(dev.configRead(0x14, 4)).toBe(0); // unimplemented BAR reads 0
    dev.configWrite(0x14, 4, 0xffffffff);
    expect(dev.configRead(0x14, 4)).toBe(0);
  });

  it('maps BARs only while memory decoding is on, and follows relocation', () => {
    const { dev, memory } = plugged();
    dev.configWrite(0x10, 4, 0x50001000);
    dev.configWrite(0x18, 4, 0x50004000);
    dev.configWrite(0x1c, 4, 0x1);
    expect(memory.read(0x50001000, 4)).toBe(0xffffffff);
    dev.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    memory.write(0x50001004, 4, 0xcafe);
    expect(dev.regs[1]).toBe(0xcafe);
    expect(dev.barMappedAt(2)).toBe(0x1_5000_4000);
    dev.configWrite(0x10, 4, 0x50002000);
    expect(memory.read(0x50001004, 4)).toBe(0xffffffff);
    expect(memory.read(0x50002004, 4)).toBe(0xcafe);
    dev.configWrite(0x04, 2, 0);
    expect(memory.read(0x50002004, 4)).toBe(0xffffffff);
  });

  it('leaves overlapping BARs unmapped with a guest error instead of throwing', () => {
    const { dev } = plugged();
    dev.configWrite(0x10, 4, 0x50000000);
    dev.configWrite(0x18, 4, 0x50000000);
    expect(() => dev.configWrite(0x04, 2, PCI_COMMAND_MEMORY)).not.toThrow();
    expect(dev.barMappedAt(0)).toBe(0x50000000);
    expect(dev.barMappedAt(2)).toBeUndefined();
  });

  it('maps a BAR left out by an overlap as soon as the other BAR moves away', () => {
    const memory = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
    const ram = new AddressSpace();
    const a = new TestDevice();
    const b = new TestDevice();
    a.attach({ memory, dma: ram, setIntx: () => {} });
    b.attach({ memory, dma: ram, setIntx: () => {} });
    a.regs[1] = 0xaaaa;
    b.regs[1] = 0xbbbb;
    a.configWrite(0x10, 4, 0x50000000);
    a.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    b.configWrite(0x10, 4, 0x50000000); // same address as A's BAR 0: refused
    b.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    expect(b.barMappedAt(0)).toBeUndefined();
    expect(memory.read(0x50000004, 4)).toBe(0xaaaa);
    // The guest moves A (as Linux does when it reassigns resources): B takes its place at once.
    a.configWrite(0x10, 4, 0x60000000);
    expect(a.barMappedAt(0)).toBe(0x60000000);
    expect(b.barMappedAt(0)).toBe(0x50000000);
    expect(memory.read(0x50000004, 4)).toBe(0xbbbb);
    expect(memory.read(0x60000004, 4)).toBe(0xaaaa);
    // Nothing waits any more: further changes leave both alone.
    b.configWrite(0x04, 2, 0);
    expect(memory.read(0x50000004, 4)).toBe(0xffffffff);
    expect(a.barMappedAt(0)).toBe(0x60000000);
  });

  it('stops waiting for space when the function is unplugged or decoding is turned off', () => {
    const memory = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
    const ram = new AddressSpace();
    const a = new TestDevice();
    const b = new TestDevice();
    a.attach({ memory, dma: ram, setIntx: () => {} });
    b.attach({ memory, dma: ram, setIntx: () => {} });
    a.configWrite(0x10, 4, 0x50000000);
    a.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    b.configWrite(0x10, 4, 0x50000000);
    b.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    b.configWrite(0x04, 2, 0); // B no longer decodes: it must not grab the space later
    a.configWrite(0x10, 4, 0x60000000);
    expect(b.barMappedAt(0)).toBeUndefined();
    b.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    expect(b.barMappedAt(0)).toBe(0x50000000);
    b.detach();
    expect(memory.read(0x50000004, 4)).toBe(0xffffffff);
    a.configWrite(0x10, 4, 0x50000000);
    expect(a.barMappedAt(0)).toBe(0x50000000);
  });

  it('drives INTx, honours Interrupt Disable and reports Interrupt Status', () => {
    const { dev, intx } = plugged();
    dev.setIntx(true);
    expect(intx.level).toBe(true);
    expect(dev.configRead(0x06, 2) & 0x8).toBe(0x8);
    dev.configWrite(0x04, 2, PCI_COMMAND_INTX_DISABLE);
    expect(intx.level).toBe(false);
    expect(dev.configRead(0x06, 2) & 0x8).toBe(0x8);
    dev.configWrite(0x04, 2, 0);
    expect(intx.level).toBe(true);
    dev.setIntx(false);
    expect(intx.level).toBe(false);
  });

  it('allows DMA only while bus mastering is enabled', () => {
    const { dev, ram } = plugged();
    expect(dev.dma.write32(0x10, 0xabcd)).toBe(false);
    dev.configWrite(0x04, 2, PCI_COMMAND_MASTER);
    expect(dev.dma.write32(0x10, 0xabcd)).toBe(true);
    expect(ram.read32(0x10)).toBe(0xabcd);
  });

  it('resets to power-on state and round-trips a snapshot', () => {
    const { dev, memory } = plugged();
    dev.configWrite(0x10, 4, 0x50001000);
    dev.configWrite(0x04, 2, PCI_COMMAND_MEMORY);
    dev.configWrite(0x3c, 1, 0x21);
    const saved = JSON.parse(JSON.stringify(dev.saveState()));
    dev.reset();
    expect(dev.configRead(0x10, 4)).toBe(0);
    expect(dev.configRead(0x3c, 1)).toBe(0);
    expect(memory.read(0x50001000, 4)).toBe(0xffffffff);
    dev.restoreState(saved);
    expect(dev.configRead(0x3c, 1)).toBe(0x21);
    expect(dev.barMappedAt(0)).toBe(0x50001000);
  });

  it('rejects bad options with one clear sentence', () => {
    expect(() => new TestDevice({ vendorId: 0xffff })).toThrow("testdev: property 'vendorId' must be at most 65534, got 65535");
    expect(() => new TestDevice({ interruptPin: 5 as PciPin })).toThrow(/interruptPin/);
  });

  it('survives random config writes with read-only fields intact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ off: fc.integer({ min: 0, max: 0x1003 }), size: fc.constantFrom(1, 2, 4), v: fc.nat() }), { maxLength: 200 }),
        (writes) => {
          const { dev } = plugged();
          for (const w of writes) dev.configWrite(w.off, w.size, w.v >>> 0);
          expect(dev.configRead(0, 4)).toBe(0x56781234);
          expect(dev.configRead(0x3d, 1)).toBe(1);
          expect(dev.configRead(0x10, 4) & 0xff).toBe(0);
          expect(dev.configRead(0x18, 4) & 0x3fff).toBe(0xc);
          expect(dev.configRead(0x34, 1)).toBe(dev.vendorCap);
        },
      ),
    );
  });
});
