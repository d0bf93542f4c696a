import { describe, expect, it } from 'vitest';
import { MMIO_BASE, makeBoard } from './board.js';
import { BAR0_SIZE, BAR2_SIZE, TestDevice } from './devices.js';

// PCI Local Bus 3.0 §6.2.5.1: the low 4 bits of a memory BAR are flags
// (bit 0 = 0 memory, bits 2:1 type: 10b = 64-bit, bit 3 prefetchable);
// writing all ones and reading back yields ~(size - 1) | flags.
const MEM64 = 0b100;
const PREFETCH = 0b1000;
const COMMAND = 0x04;
const MEMORY_ENABLE = 0x2;

function withDevice() {
  const b = makeBoard();
  const dev = new TestDevice();
  b.host.plug(dev, { slot: 2 });
  const reg = (r: number) => b.cfg(0, 2, 0, r);
  const bar = (i: number) => reg(0x10 + 4 * i);
  return { ...b, dev, reg, bar };
}

describe('BARs through ECAM', () => {
  it('sizing: all ones reads back the size mask with the flags', () => {
    const { sys, bar } = withDevice();
    expect(sys.read(bar(0), 4)).toBe(0);
    expect(sys.read(bar(2), 4)).toBe(MEM64 | PREFETCH);
    for (let i = 0; i < 6; i++) sys.write(bar(i), 4, 0xffff_ffff);
    expect(sys.read(bar(0), 4)).toBe(~(BAR0_SIZE - 1) >>> 0);
    expect(sys.read(bar(0), 4)).toBe(0xffff_f000);
    expect(sys.read(bar(2), 4)).toBe(((~(BAR2_SIZE - 1) >>> 0) | MEM64 | PREFETCH) >>> 0);
    expect(sys.read(bar(3), 4)).toBe(0xffff_ffff); // upper half of a 64-bit BAR below 4 GiB: all writable
    for (const unused of [1, 4, 5]) expect(sys.read(bar(unused), 4)).toBe(0);
    // Sizing with byte writes gives the same answer.
    sys.write(bar(0), 4, 0);
    for (let i = 0; i < 4; i++) sys.write(bar(0) + i, 1, 0xff);
    expect(sys.read(bar(0), 4)).toBe(0xffff_f000);
  });

  it('the expansion ROM BAR is absent: reads 0 after all ones', () => {
    const { sys, reg } = withDevice();
    sys.write(reg(0x30), 4, 0xffff_ffff);
    expect(sys.read(reg(0x30), 4)).toBe(0);
  });

  it('memory decoding maps BARs in the window only while the command register enables it', () => {
    const { sys, bar, reg, dev } = withDevice();
    sys.write(bar(0), 4, MMIO_BASE + 0x3000);
    sys.write(bar(2), 4, MMIO_BASE + 0x10_0000);
    sys.write(bar(3), 4, 0);
    dev.regs0.write(0x10, 4, 0xcafe_f00d);
    expect(sys.read(MMIO_BASE + 0x3010, 4)).toBe(0xffff_ffff); // decoding off: nobody answers
    sys.write(MMIO_BASE + 0x3010, 4, 0x1111_1111);
    expect(dev.regs0.read(0x10, 4)).toBe(0xcafe_f00d);

    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    expect(sys.read(MMIO_BASE + 0x3010, 4)).toBe(0xcafe_f00d);
    sys.write(MMIO_BASE + 0x3000 + 0xffc, 4, 0x1234_5678);
    expect(dev.regs0.read(0xffc, 4)).toBe(0x1234_5678);
    sys.write(MMIO_BASE + 0x10_0000 + 0x8, 2, 0xbeef);
    expect(dev.regs2.read(0x8, 2)).toBe(0xbeef);
    expect(sys.read(MMIO_BASE + 0x2ffc, 4)).toBe(0xffff_ffff); // just below BAR0
    expect(sys.read(MMIO_BASE + 0x4000, 4)).toBe(0xffff_ffff); // just above

    sys.write(reg(COMMAND), 2, 0);
    expect(sys.read(MMIO_BASE + 0x3010, 4)).toBe(0xffff_ffff);
  });

  it('8-byte accesses pass through the window', () => {
    const { sys, bar, reg, dev } = withDevice();
    sys.write(bar(2), 4, MMIO_BASE + 0x20_0000);
    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    sys.write64(MMIO_BASE + 0x20_0000 + 0x40, 0x0123_4567_89ab_cdefn);
    expect(dev.regs2.read64(0x40)).toBe(0x0123_4567_89ab_cdefn);
    dev.regs2.write64(0x48, 0xfeed_face_dead_beefn);
    expect(sys.read64(MMIO_BASE + 0x20_0000 + 0x48)).toBe(0xfeed_face_dead_beefn);
    expect(sys.read64(MMIO_BASE + 0x40_0000)).toBe(0xffff_ffff_ffff_ffffn); // unclaimed
  });

  it('relocation: reprogramming a BAR moves it', () => {
    const { sys, bar, reg, dev } = withDevice();
    dev.regs0.write(0, 4, 0xa5a5_0001);
    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    sys.write(bar(0), 4, MMIO_BASE + 0x1000);
    expect(sys.read(MMIO_BASE + 0x1000, 4)).toBe(0xa5a5_0001);
    sys.write(bar(0), 4, MMIO_BASE + 0x8000); // moved while decoding is on
    expect(sys.read(MMIO_BASE + 0x1000, 4)).toBe(0xffff_ffff);
    expect(sys.read(MMIO_BASE + 0x8000, 4)).toBe(0xa5a5_0001);
    // Linux's way: decoding off, size, reprogram, decoding on.
    sys.write(reg(COMMAND), 2, 0);
    sys.write(bar(0), 4, 0xffff_ffff);
    expect(sys.read(bar(0), 4)).toBe(0xffff_f000);
    sys.write(bar(0), 4, MMIO_BASE + 0x1ff_f000);
    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    expect(sys.read(MMIO_BASE + 0x8000, 4)).toBe(0xffff_ffff);
    expect(sys.read(MMIO_BASE + 0x1ff_f000, 4)).toBe(0xa5a5_0001);
    // Address bits below the size are read-only: an unaligned address is rounded down.
    sys.write(bar(0), 4, MMIO_BASE + 0x2345);
    expect(sys.read(bar(0), 4)).toBe(MMIO_BASE + 0x2000);
    expect(sys.read(MMIO_BASE + 0x2000, 4)).toBe(0xa5a5_0001);
  });

  it('a 64-bit BAR above 4 GiB is mapped in PCI memory but outside the 32-bit window', () => {
    const { sys, host, bar, reg, dev } = withDevice();
    dev.regs2.write(0, 4, 0x600d_600d);
    sys.write(bar(2), 4, 0x0010_0000);
    sys.write(bar(3), 4, 0x1); // 0x1_0010_0000
    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    expect(sys.read(bar(2), 4)).toBe(0x0010_0000 | MEM64 | PREFETCH);
    expect(sys.read(bar(3), 4)).toBe(1);
    expect(host.pciMemory.read(0x1_0010_0000, 4)).toBe(0x600d_600d);
    expect(sys.read(MMIO_BASE + 0x10_0000, 4)).toBe(0xffff_ffff);
  });

  it('the window only forwards its own range: PCI addresses below it are unreachable', () => {
    const { sys, bar, reg, dev } = withDevice();
    dev.regs0.write(0, 4, 0x7777_7777);
    sys.write(bar(0), 4, 0x1000); // PCI address 0x1000: outside the identity-mapped window
    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    expect(sys.read(0x1000, 4)).toBe(0); // the CPU's own unmapped gap
    expect(sys.read(MMIO_BASE + 0x1000, 4)).toBe(0xffff_ffff);
  });

  it('reset unmaps BARs and clears them', () => {
    const { sys, host, bar, reg } = withDevice();
    sys.write(bar(0), 4, MMIO_BASE + 0x1000);
    sys.write(reg(COMMAND), 2, MEMORY_ENABLE);
    expect(sys.read(MMIO_BASE + 0x1000, 4)).toBe(0);
    expect(host.pciMemory.list()).toHaveLength(2); // BAR0, and BAR2 still at PCI address 0
    host.reset();
    expect(sys.read(MMIO_BASE + 0x1000, 4)).toBe(0xffff_ffff);
    expect(sys.read(bar(0), 4)).toBe(0);
    expect(sys.read(reg(COMMAND), 2)).toBe(0);
    expect(host.pciMemory.list()).toHaveLength(0);
  });

  it('DMA reaches guest RAM only with bus mastering on', () => {
    const { sys, reg, dev, ram } = withDevice();
    expect(dev.dma.write32(0x7000_0100, 0xdead_beef)).toBe(false);
    sys.write(reg(COMMAND), 2, 0x4); // Bus Master
    expect(dev.dma.write32(0x7000_0100, 0xdead_beef)).toBe(true);
    expect(ram.view.getUint32(0x100, true)).toBe(0xdead_beef);
  });
});
