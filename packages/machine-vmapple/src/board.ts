import {
  AddressSpace,
  type BlockBackend,
  type ClockMode,
  ConfigValidator,
  Log,
  RamRegion,
  ResetDomain,
  type Timer,
  VirtualClock,
} from '@vmapple/core-bus';
import { type Cpu, InterpreterCpu } from '@vmapple/cpu-aarch64';
import { GicV3 } from '@vmapple/gic-v3';
import { GpexHost } from '@vmapple/gpex';
import { Pl011 } from '@vmapple/pl011';
import { Pl031 } from '@vmapple/pl031';
import { Pl061 } from '@vmapple/pl061';
import { Pvpanic } from '@vmapple/pvpanic';
import { VirtioBlkPci } from '@vmapple/virtio-blk-apple';
import { type AesBackend, AppleAes } from '@vmapple/vmapple-aes';
import { VmappleBdif } from '@vmapple/vmapple-bdif';
import { VmappleCfg } from '@vmapple/vmapple-cfg';
import { UsbKeyboard, UsbTablet, XhciController } from '@vmapple/xhci';
import { buildDeviceTree } from './device-tree.js';
import { loadKernel } from './kernel-image.js';
import {
  MAX_CPUS,
  MEMORY_MAP,
  mpidrOf,
  PCIE_INTX_LINES,
  POWER_BUTTON_LINE,
  POWER_BUTTON_PULSE_NS,
  PPI,
  SPI,
} from './memory-map.js';
import { createPsciHandler } from './psci.js';
import { type MachineExit, Runner, type StepResult } from './runner.js';

export interface BoardDisk {
  backend: BlockBackend;
  /** An Apple virtio-blk disk with this variant; without one, a standard virtio-blk disk. */
  variant?: 'root' | 'aux';
}

export interface DirectKernel {
  image: Uint8Array;
  initrd?: Uint8Array;
  cmdline?: string;
}

export interface VmappleBoardOptions {
  /** Guest RAM in bytes (at 0x7000_0000). */
  memorySize: number;
  /** 1..32, default 1. */
  cpus?: number;
  /** Firmware boot (QEMU-compatible): at most 1 MiB, loaded at 0x0010_0000 and restored on every reset. */
  firmware?: Uint8Array;
  /** Direct kernel boot with a generated device tree (beyond QEMU). */
  kernel?: DirectKernel;
  disks?: BoardDisk[];
  /** Machine ECID given to the guest through the cfg region. */
  uuid?: bigint;
  /** Where UART output goes, in batches. */
  serialOut?: (bytes: Uint8Array) => void;
  /** 'realtime' (default) or 'deterministic' (time counts instructions). */
  clock?: ClockMode;
  log?: Log;
  /** RTC start, seconds since 1970 (default: the host's time now). */
  rtcEpochSeconds?: number;
  /** cfg random value (default: fresh random; 0 in deterministic mode). */
  random?: number;
  /** Generic timer frequency (default 24 MHz, as on Apple silicon). */
  counterFrequencyHz?: number;
  /** Builds the CPUs (default: the interpreter). */
  createCpu?: (options: ConstructorParameters<typeof InterpreterCpu>[0]) => Cpu;
  /** Allocates guest RAM (default: a plain ArrayBuffer); an accelerator (HVF) needs memory it can map. */
  createRam?: (memory: AddressSpace, name: string, size: number) => RamRegion;
  /** The AES engine's cipher (default: the pure-TypeScript one); the CLI passes node:crypto's. */
  aesBackend?: AesBackend;
}

const SZ_2M = 0x20_0000;
/** UART bytes are passed on in batches of at most this many. */
const SERIAL_BATCH = 4096;

/**
 * The vmapple board (shared/spec/vmapple-hardware.md §1): every device at its
 * address and interrupt, CPUs with PSCI over HVC, firmware or direct kernel
 * boot. Run it with `run()` (async, yields to the host) or `step()`.
 */
export class VmappleBoard {
  readonly log: Log;
  readonly clock: VirtualClock;
  readonly memory: AddressSpace;
  readonly ram: RamRegion;
  readonly firmwareRam: RamRegion;
  readonly gic: GicV3;
  readonly cpus: Cpu[];
  readonly mpidrs: bigint[];
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly gpio: Pl061;
  readonly pvpanic: Pvpanic;
  readonly cfg: VmappleCfg;
  readonly bdif: VmappleBdif;
  readonly aes: AppleAes;
  readonly pcie: GpexHost;
  readonly disks: VirtioBlkPci[] = [];
  /** qemu-xhci with a USB keyboard (port 5) and tablet (port 6), as QEMU's vmapple creates them. */
  readonly xhci: XhciController;
  readonly keyboard = new UsbKeyboard();
  readonly tablet = new UsbTablet();
  /** The generated device tree (direct kernel boot only). */
  readonly deviceTree: Uint8Array | undefined;

  private readonly options: VmappleBoardOptions;
  private readonly devices = new ResetDomain();
  private readonly runner: Runner;
  private exit: MachineExit | null = null;
  private readonly serialOut: (bytes: Uint8Array) => void;
  private txBuffer = new Uint8Array(SERIAL_BATCH);
  private txLength = 0;
  private rxQueue: number[] = [];
  private readonly powerButtonRelease: Timer;
  private boot!: { pc: number; x0: number };

  constructor(options: VmappleBoardOptions) {
    const v = new ConfigValidator('vmapple');
    const cpuCount = v.int('cpus', options.cpus, 1, { min: 1, max: MAX_CPUS });
    const memorySize = v.int('memorySize', options.memorySize, 0, { min: 1 << 20, max: 0x10_0000_0000 - MEMORY_MAP.ram.base });
    if (memorySize % 4096 !== 0) v.fail('memorySize', `must be a multiple of 4 KiB, got ${memorySize}`);
    if (!options.firmware === !options.kernel) v.fail('firmware', 'give exactly one of firmware (firmware boot) or kernel (direct boot)');
    if (options.firmware && options.firmware.length > MEMORY_MAP.firmware.size) {
      v.fail('firmware', `must be at most ${MEMORY_MAP.firmware.size} bytes (1 MiB), got ${options.firmware.length}`);
    }
    this.options = options;
    this.log = options.log ?? new Log();
    this.clock = new VirtualClock({ mode: options.clock ?? 'realtime' });
    this.serialOut = options.serialOut ?? (() => {});
    const log = this.log;
    const deterministic = this.clock.mode === 'deterministic';

    // ---- memory ----
    this.memory = new AddressSpace({ name: 'vmapple', log, unmapped: 'ignore' });
    const createRam = options.createRam ?? ((_memory, name, size) => new RamRegion(name, size));
    this.ram = createRam(this.memory, 'mach-vmapple.ram', memorySize);
    this.memory.mapRam(MEMORY_MAP.ram.base, this.ram);
    this.firmwareRam = createRam(this.memory, 'firmware', MEMORY_MAP.firmware.size);
    this.memory.mapRam(MEMORY_MAP.firmware.base, this.firmwareRam);

    // ---- interrupt controller and CPUs ----
    this.gic = this.devices.add(new GicV3({ cpus: cpuCount, log }));
    this.memory.mapMmio(MEMORY_MAP.gicDistributor.base, this.gic.distributor);
    this.memory.mapMmio(MEMORY_MAP.gicRedistributors.base, this.gic.redistributors);
    this.mpidrs = Array.from({ length: cpuCount }, (_, i) => mpidrOf(i));
    this.cpus = [];
    const hvc = createPsciHandler({
      cpus: this.cpus,
      mpidrs: this.mpidrs,
      systemOff: () => this.requestExit('poweroff'),
      systemReset: () => this.requestExit('reset'),
      log,
    });
    const createCpu = options.createCpu ?? ((o) => new InterpreterCpu(o));
    for (let i = 0; i < cpuCount; i++) {
      const cpu = createCpu({
        memory: this.memory,
        clock: this.clock,
        index: i,
        mpidr: this.mpidrs[i],
        counterFrequencyHz: options.counterFrequencyHz ?? 24_000_000,
        sysregs: this.gic,
        hvc,
        log,
      });
      this.gic.irqOutput(i).connect(cpu.irq);
      this.gic.fiqOutput(i).connect(cpu.fiq);
      // Only the EL1 virtual timer is wired on vmapple (spec §1.3).
      cpu.virtualTimer.connect(this.gic.ppiInput(i, PPI.virtualTimer));
      this.cpus.push(cpu);
    }

    // ---- platform devices ----
    this.uart = this.devices.add(
      new Pl011({ log, clock: this.clock, onTransmit: (b) => this.transmit(b), onReceiveSpace: () => this.feedSerial() }),
    );
    this.rtc = this.devices.add(
      new Pl031({ log, clock: this.clock, startTime: options.rtcEpochSeconds ?? Math.floor(Date.now() / 1000) }),
    );
    this.gpio = this.devices.add(new Pl061({ log, pullUps: 0x00, pullDowns: 0xff }));
    this.pvpanic = this.devices.add(new Pvpanic({
      log,
      onEvent: (event) => {
        // Spec §6: PANICKED stops the machine, SHUTDOWN is a power-off request, CRASH_LOADED is news only.
        if (event === 'panicked') this.requestExit('panic');
        else if (event === 'shutdown') this.requestExit('poweroff');
        else log.info('pvpanic', `guest event: ${event}`);
      },
    }));
    this.cfg = this.devices.add(
      new VmappleCfg({
        nrCpus: cpuCount,
        ecid: options.uuid ?? 0n,
        ramSize: memorySize,
        rnd: options.random ?? (deterministic ? 0 : crypto.getRandomValues(new Uint32Array(1))[0]!),
      }),
    );
    const rootDisk = options.disks?.find((d) => d.variant === 'root') ?? options.disks?.find((d) => !d.variant);
    const auxDisk = options.disks?.find((d) => d.variant === 'aux');
    this.bdif = this.devices.add(new VmappleBdif({ memory: this.memory, root: rootDisk?.backend, aux: auxDisk?.backend, log }));
    this.aes = this.devices.add(new AppleAes({ memory: this.memory, log, backend: options.aesBackend }));
    this.memory.mapMmio(MEMORY_MAP.uart.base, this.uart.region);
    this.memory.mapMmio(MEMORY_MAP.rtc.base, this.rtc.region);
    this.memory.mapMmio(MEMORY_MAP.gpio.base, this.gpio.region);
    this.memory.mapMmio(MEMORY_MAP.pvpanic.base, this.pvpanic.region);
    this.memory.mapRam(MEMORY_MAP.cfg.base, this.cfg.ram);
    this.memory.mapMmio(MEMORY_MAP.bdif.base, this.bdif.region);
    this.memory.mapMmio(MEMORY_MAP.aes.base, this.aes.region);
    this.memory.mapMmio(MEMORY_MAP.aes2.base, this.aes.region2);
    this.uart.irq.connect(this.gic.spiInput(SPI.uart));
    this.rtc.irq.connect(this.gic.spiInput(SPI.rtc));
    this.gpio.irq.connect(this.gic.spiInput(SPI.gpio));
    this.aes.irq.connect(this.gic.spiInput(SPI.aes));
    this.powerButtonRelease = this.clock.createTimer(() => this.gpio.setInput(POWER_BUTTON_LINE, false));

    // ---- PCI Express ----
    this.pcie = new GpexHost({
      ecamBase: MEMORY_MAP.pcieEcam.base,
      ecamSize: MEMORY_MAP.pcieEcam.size,
      mmioWindow: MEMORY_MAP.pcieMmio,
      intxLines: PCIE_INTX_LINES,
      spiBase: SPI.pcieIntxBase,
      dma: this.memory,
      log,
    });
    this.devices.add(this.pcie);
    this.memory.mapMmio(MEMORY_MAP.pcieEcam.base, this.pcie.ecam);
    this.memory.mapMmio(MEMORY_MAP.pcieMmio.base, this.pcie.mmio);
    this.pcie.intx.forEach((line, l) => line.connect(this.gic.spiInput(SPI.pcieIntxBase + l)));
    // Slot order as QEMU's vmapple: the USB controller first, then the disks (spec §1.9).
    this.xhci = new XhciController({ clock: this.clock, log });
    this.pcie.plug(this.xhci);
    this.xhci.attach(5, this.keyboard);
    this.xhci.attach(6, this.tablet);
    for (const disk of options.disks ?? []) {
      const fn = new VirtioBlkPci(
        disk.variant ? { backend: disk.backend, model: 'apple', variant: disk.variant, log } : { backend: disk.backend, model: 'standard', log },
      );
      this.pcie.plug(fn);
      this.disks.push(fn);
    }

    // ---- boot ----
    if (options.kernel) {
      const desc = this.pcie.describe();
      this.deviceTree = this.prepareKernel(options.kernel, (initrd) =>
        buildDeviceTree({
          ramSize: memorySize,
          mpidrs: this.mpidrs,
          bootargs: options.kernel!.cmdline,
          initrd,
          pci: {
            interruptMap: desc.interruptMap.map((e) => ({ childAddressHi: e.childAddress[0], pin: e.pin, spi: e.spi })),
            interruptMapMask: desc.interruptMapMask as [number, number, number, number],
          },
        }),
      );
    }
    this.runner = new Runner(this);
    this.reset();
  }

  /** System reset: every device, the firmware image, the CPUs (CPU 0 to the entry point, the rest off). */
  reset(): void {
    this.exit = null;
    this.devices.reset();
    this.powerButtonRelease.cancel();
    if (this.options.firmware) {
      this.firmwareRam.clear();
      this.firmwareRam.load(0, this.options.firmware);
      this.boot = { pc: MEMORY_MAP.firmware.base, x0: 0 };
    } else {
      this.firmwareRam.clear();
      this.loadKernelImages();
    }
    this.cpus.forEach((cpu, i) => {
      if (i === 0) cpu.reset({ pc: BigInt(this.boot.pc), x: [BigInt(this.boot.x0), 0n, 0n, 0n] });
      else cpu.reset({ pc: 0n, powerOn: false });
    });
  }

  pendingExit(): MachineExit | null {
    return this.exit;
  }

  /** Runs until the guest powers off, panics, asks for a reset, or the timeout passes. */
  async run(options: { timeoutMs?: number; shouldStop?: () => boolean } = {}): Promise<MachineExit> {
    const controller = new AbortController();
    try {
      return await this.runner.run({
        timeoutMs: options.timeoutMs,
        signal: controller.signal,
        onYield: () => {
          this.flushSerial();
          if (options.shouldStop?.()) controller.abort();
        },
      });
    } finally {
      this.flushSerial();
    }
  }

  /** Runs one round of CPU slices (synchronous). */
  step(slice?: number): StepResult {
    const r = this.runner.step(slice);
    this.flushSerial();
    return r;
  }

  /** Types into the UART; bytes that do not fit in its FIFO wait, none is lost. */
  sendSerial(bytes: Uint8Array): void {
    for (const b of bytes) this.rxQueue.push(b);
    this.feedSerial();
  }

  /** Presses the power button (GPIO line 3 high for 100 ms of virtual time). */
  pressPowerButton(): void {
    this.gpio.setInput(POWER_BUTTON_LINE, true);
    this.powerButtonRelease.armIn(POWER_BUTTON_PULSE_NS);
  }

  private requestExit(why: MachineExit): void {
    this.exit ??= why;
    for (const cpu of this.cpus) cpu.requestExit();
  }

  private transmit(byte: number): void {
    this.txBuffer[this.txLength++] = byte;
    if (this.txLength === SERIAL_BATCH) this.flushSerial();
  }

  private flushSerial(): void {
    if (this.txLength === 0) return;
    this.serialOut(this.txBuffer.slice(0, this.txLength));
    this.txLength = 0;
  }

  private feedSerial(): void {
    if (this.rxQueue.length === 0) return;
    const taken = this.uart.receive(this.rxQueue);
    if (taken > 0) this.rxQueue.splice(0, taken);
  }

  // ---- direct kernel boot ----

  private kernelLayout: { kernel: ReturnType<typeof loadKernel>; initrdAt: number; dtbAt: number } | undefined;

  /** Lays out kernel, initrd and DTB in RAM and builds the DTB (once). */
  private prepareKernel(k: DirectKernel, makeDtb: (initrd?: { start: number; end: number }) => Uint8Array): Uint8Array {
    const ramBase = MEMORY_MAP.ram.base;
    const ramEnd = ramBase + this.ram.size;
    const kernel = loadKernel(k.image, ramBase, this.ram.size);
    const initrdAt = alignUp(kernel.end, SZ_2M);
    const initrdEnd = initrdAt + (k.initrd?.length ?? 0);
    const dtbAt = alignUp(initrdEnd, SZ_2M);
    const dtb = makeDtb(k.initrd ? { start: initrdAt, end: initrdEnd } : undefined);
    if (dtbAt + dtb.length > ramEnd) {
      throw new RangeError(
        `vmapple: kernel, initrd and device tree need ${((dtbAt + dtb.length - ramBase) / 2 ** 20).toFixed(1)} MiB, ` +
          `more than the ${this.ram.size / 2 ** 20} MiB of RAM (give more --memory)`,
      );
    }
    this.kernelLayout = { kernel, initrdAt, dtbAt };
    return dtb;
  }

  private loadKernelImages(): void {
    const layout = this.kernelLayout!;
    const ramBase = MEMORY_MAP.ram.base;
    // RAM is not cleared on reset (as on QEMU): clearing would make every page resident.
    for (const s of layout.kernel.segments) this.ram.load(s.address - ramBase, s.data);
    if (this.options.kernel!.initrd) this.ram.load(layout.initrdAt - ramBase, this.options.kernel!.initrd);
    this.ram.load(layout.dtbAt - ramBase, this.deviceTree!);
    this.boot = { pc: layout.kernel.entry, x0: layout.dtbAt };
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
