// The README's example, kept compiling and running (the code between the markers is the README's).
import { expect, it } from 'vitest';
// ---- README imports start
import { AddressSpace, IrqProbe, MmioRegion, RamRegion, sinkInput } from '@vmapple/core-bus';
import { PciFunction, PciPin } from '@vmapple/core-bus/pci';
import { GpexHost, VMAPPLE_PCIE } from '../src/index.js'; // '@vmapple/gpex'

/** A device with one 4 KiB register BAR that reads back what is written. */
class ScratchDevice extends PciFunction {
  readonly regs = new Uint32Array(1024);
  constructor(name: string, deviceId: number, pin: PciPin) {
    super({ name, vendorId: 0x1234, deviceId, classCode: 0xff0000, interruptPin: pin });
    const regs = this.regs;
    const handler = { read: (off: number) => regs[off >> 2]!, write: (off: number, _s: number, v: number) => void (regs[off >> 2] = v) };
    this.addBar({ index: 0, region: new MmioRegion({ name, size: 0x1000, handler, valid: { min: 4, max: 4 } }) });
  }
}
// ---- README imports end

it('README example: a host with two devices', () => {
  const log: string[] = [];
  // ---- README example start
  const sys = new AddressSpace({ name: 'system' });
  sys.mapRam(0x7000_0000, new RamRegion('ram', 0x10_0000));
  const host = new GpexHost({ mmioWindow: { base: VMAPPLE_PCIE.mmioBase, size: VMAPPLE_PCIE.mmioSize }, dma: sys });
  sys.mapMmio(VMAPPLE_PCIE.ecamBase, host.ecam);
  sys.mapMmio(VMAPPLE_PCIE.mmioBase, host.mmio);
  const gic = { setInput: (spi: number, level: boolean) => log.push(`SPI ${spi} ${level}`) };
  host.intx.forEach((line, l) => line.connect(sinkInput(gic, VMAPPLE_PCIE.spiBase + l)));

  const a = new ScratchDevice('scratch-a', 0x0001, PciPin.INTA);
  const b = new ScratchDevice('scratch-b', 0x0002, PciPin.INTB);
  host.plug(a); // { slot: 1, fn: 0, devfn: 8 }: INTA → line 1 → SPI 0x21
  host.plug(b, { slot: 6 }); // INTB → line 7 → SPI 0x27

  // The guest: a config write to 00:06.0 through ECAM programs BAR0, then enables memory decoding.
  const cfg = (dev: number, reg: number) => VMAPPLE_PCIE.ecamBase + (dev << 15) + reg;
  sys.write(cfg(6, 0x10), 4, 0x5000_2000);
  sys.write(cfg(6, 0x04), 2, 0x2);
  sys.write(0x5000_2010, 4, 42); // lands in b.regs[4]
  b.setIntx(true); // "SPI 39 true"
  // ---- README example end

  expect(b.regs[4]).toBe(42);
  expect(log).toEqual(['SPI 39 true']);
  expect(sys.read(cfg(1, 0), 4)).toBe(0x0001_1234);
  const probe = new IrqProbe();
  host.intx[7]!.connect(probe);
  expect(probe.level).toBe(true);
  expect(host.addressOf(a)).toEqual({ slot: 1, fn: 0, devfn: 8 });
});
