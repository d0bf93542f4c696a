import { FdtWriter } from '@vmapple/fdt';
import { GIC_SPI_COUNT, MEMORY_MAP, POWER_BUTTON_LINE, PPI, SPI } from './memory-map.js';

/** One `interrupt-map` row of the PCIe host: child (phys.hi, pin) → GIC SPI. */
export interface PciInterruptMapEntry {
  /** phys.hi cell of the child unit address: bus << 16 | device << 11 | function << 8. */
  childAddressHi: number;
  /** INTx pin, 1 (INTA) .. 4 (INTD). */
  pin: number;
  /** SPI number at the GIC (INTID - 32). */
  spi: number;
}

export interface DeviceTreeInput {
  ramSize: number;
  mpidrs: readonly bigint[];
  bootargs?: string;
  initrd?: { start: number; end: number };
  /** The PCIe host's interrupt routing and the mask that selects the bits it depends on. */
  pci: { interruptMap: readonly PciInterruptMapEntry[]; interruptMapMask: readonly [number, number, number, number] };
  /** Seed for the guest's RNG (chosen/rng-seed); none when omitted. */
  rngSeed?: Uint8Array;
}

const GIC_PHANDLE = 1;
const CLOCK_PHANDLE = 2;
const GPIO_PHANDLE = 3;

/** GIC interrupt specifier types (binding arm,gic-v3). */
const SPI_TYPE = 0;
const PPI_TYPE = 1;
const IRQ_TYPE_LEVEL_HIGH = 4;
/** Linux input event code for the power button (KEY_POWER). */
const KEY_POWER = 116;

function reg(base: number, size: number): bigint[] {
  return [BigInt(base), BigInt(size)];
}

/**
 * The device tree for direct kernel boot: memory, CPUs with PSCI over HVC,
 * GICv3, the EL1 timers, PL011 (stdout-path), PL031, PL061 with gpio-keys
 * (power button), pvpanic and the PCIe host with a complete interrupt-map.
 */
export function buildDeviceTree(input: DeviceTreeInput): Uint8Array {
  const w = new FdtWriter();
  const root = w.beginNode('');
  w.propertyStringList('compatible', ['apple,vmapple', 'linux,dummy-virt']);
  w.propertyString('model', 'Apple aarch64 Virtual Machine (vmapple-ts)');
  w.propertyU32('#address-cells', 2);
  w.propertyU32('#size-cells', 2);
  w.propertyU32('interrupt-parent', GIC_PHANDLE);

  const chosen = w.beginNode('chosen');
  w.propertyString('stdout-path', `/pl011@${hex(MEMORY_MAP.uart.base)}`);
  if (input.bootargs !== undefined) w.propertyString('bootargs', input.bootargs);
  if (input.initrd) {
    w.propertyU64('linux,initrd-start', input.initrd.start);
    w.propertyU64('linux,initrd-end', input.initrd.end);
  }
  if (input.rngSeed) w.property('rng-seed', input.rngSeed);
  w.endNode(chosen);

  const memory = w.beginNode(`memory@${hex(MEMORY_MAP.ram.base)}`);
  w.propertyString('device_type', 'memory');
  w.propertyArrayU64('reg', reg(MEMORY_MAP.ram.base, input.ramSize));
  w.endNode(memory);

  const psci = w.beginNode('psci');
  w.propertyStringList('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
  w.propertyString('method', 'hvc');
  w.endNode(psci);

  const cpus = w.beginNode('cpus');
  w.propertyU32('#address-cells', 1);
  w.propertyU32('#size-cells', 0);
  input.mpidrs.forEach((mpidr) => {
    const cpu = w.beginNode(`cpu@${mpidr.toString(16)}`);
    w.propertyString('device_type', 'cpu');
    w.propertyString('compatible', 'arm,cortex-a53');
    w.propertyU32('reg', Number(mpidr));
    w.propertyString('enable-method', 'psci');
    w.endNode(cpu);
  });
  w.endNode(cpus);

  const timer = w.beginNode('timer');
  w.propertyString('compatible', 'arm,armv8-timer');
  // Secure physical, non-secure physical, virtual, hypervisor: PPI numbers are INTID - 16.
  w.propertyArrayU32(
    'interrupts',
    [29, PPI.physicalTimer, PPI.virtualTimer, 26].flatMap((intid) => [PPI_TYPE, intid - 16, IRQ_TYPE_LEVEL_HIGH]),
  );
  w.propertyNull('always-on');
  w.endNode(timer);

  const gic = w.beginNode(`intc@${hex(MEMORY_MAP.gicDistributor.base)}`);
  w.propertyString('compatible', 'arm,gic-v3');
  w.propertyU32('#interrupt-cells', 3);
  w.propertyNull('interrupt-controller');
  w.propertyU32('#address-cells', 2);
  w.propertyU32('#size-cells', 2);
  w.propertyNull('ranges');
  w.propertyArrayU64('reg', [
    ...reg(MEMORY_MAP.gicDistributor.base, MEMORY_MAP.gicDistributor.size),
    ...reg(MEMORY_MAP.gicRedistributors.base, input.mpidrs.length * 0x2_0000),
  ]);
  w.propertyPhandle(GIC_PHANDLE);
  w.endNode(gic);

  const clock = w.beginNode('apb-pclk');
  w.propertyString('compatible', 'fixed-clock');
  w.propertyU32('#clock-cells', 0);
  w.propertyU32('clock-frequency', 24_000_000);
  w.propertyString('clock-output-names', 'clk24mhz');
  w.propertyPhandle(CLOCK_PHANDLE);
  w.endNode(clock);

  const primecell = (name: string, compatible: string, base: number, spi: number, clocks: string[]) => {
    const n = w.beginNode(`${name}@${hex(base)}`);
    w.propertyStringList('compatible', [compatible, 'arm,primecell']);
    w.propertyArrayU64('reg', reg(base, 0x1000));
    w.propertyArrayU32('interrupts', [SPI_TYPE, spi, IRQ_TYPE_LEVEL_HIGH]);
    w.propertyArrayU32('clocks', clocks.map(() => CLOCK_PHANDLE));
    w.propertyStringList('clock-names', clocks);
    return n;
  };
  w.endNode(primecell('pl011', 'arm,pl011', MEMORY_MAP.uart.base, SPI.uart, ['uartclk', 'apb_pclk']));
  w.endNode(primecell('pl031', 'arm,pl031', MEMORY_MAP.rtc.base, SPI.rtc, ['apb_pclk']));
  const gpio = primecell('pl061', 'arm,pl061', MEMORY_MAP.gpio.base, SPI.gpio, ['apb_pclk']);
  w.propertyNull('gpio-controller');
  w.propertyU32('#gpio-cells', 2);
  w.propertyPhandle(GPIO_PHANDLE);
  w.endNode(gpio);

  const keys = w.beginNode('gpio-keys');
  w.propertyString('compatible', 'gpio-keys');
  const power = w.beginNode('poweroff');
  w.propertyString('label', 'GPIO Key Poweroff');
  w.propertyU32('linux,code', KEY_POWER);
  w.propertyArrayU32('gpios', [GPIO_PHANDLE, POWER_BUTTON_LINE, 0]);
  w.endNode(power);
  w.endNode(keys);

  const pvpanic = w.beginNode(`pvpanic@${hex(MEMORY_MAP.pvpanic.base)}`);
  w.propertyString('compatible', 'qemu,pvpanic-mmio');
  w.propertyArrayU64('reg', reg(MEMORY_MAP.pvpanic.base, MEMORY_MAP.pvpanic.size));
  w.endNode(pvpanic);

  const pcie = w.beginNode(`pcie@${hex(MEMORY_MAP.pcieEcam.base)}`);
  w.propertyString('compatible', 'pci-host-ecam-generic');
  w.propertyString('device_type', 'pci');
  w.propertyArrayU64('reg', reg(MEMORY_MAP.pcieEcam.base, MEMORY_MAP.pcieEcam.size));
  w.propertyArrayU32('bus-range', [0, MEMORY_MAP.pcieEcam.size / (1 << 20) - 1]);
  w.propertyU32('linux,pci-domain', 0);
  w.propertyU32('#address-cells', 3);
  w.propertyU32('#size-cells', 2);
  w.propertyU32('#interrupt-cells', 1);
  w.propertyNull('dma-coherent');
  // 32-bit non-prefetchable memory window, identity mapped.
  const { base, size } = MEMORY_MAP.pcieMmio;
  w.propertyArrayU32('ranges', [0x0200_0000, 0, base, 0, base, 0, size]);
  w.propertyArrayU32('interrupt-map-mask', [...input.pci.interruptMapMask]);
  w.propertyArrayU32(
    'interrupt-map',
    input.pci.interruptMap.flatMap((e) => {
      if (e.spi < 0 || e.spi >= GIC_SPI_COUNT) throw new RangeError(`interrupt-map SPI ${e.spi} is outside the GIC`);
      return [e.childAddressHi, 0, 0, e.pin, GIC_PHANDLE, 0, 0, SPI_TYPE, e.spi, IRQ_TYPE_LEVEL_HIGH];
    }),
  );
  w.endNode(pcie);

  w.endNode(root);
  return w.finish();
}

function hex(n: number): string {
  return n.toString(16);
}
