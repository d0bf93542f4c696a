import {
  AddressSpace,
  checkState,
  ConfigError,
  ConfigValidator,
  type DeviceState,
  type GuestMemory,
  type InterruptTarget,
  type IrqLine,
  type Log,
  makeState,
  MmioRegion,
  type Resettable,
  silentLog,
  WiredOr,
} from '@vmapple/core-bus';
import { PCI_INTERRUPT_PIN, type PciFunction } from '@vmapple/core-bus/pci';
import {
  ECAM_BUS_SIZE,
  ECAM_MAX_SIZE,
  GIC_MAX_SPI,
  PCI_FUNCTIONS,
  PCI_RANGE_MEM32,
  PCI_RANGE_MEM64,
  PCI_SLOTS,
  VMAPPLE_PCIE,
} from './constants.js';
import { buildDescription, type GpexDescription } from './description.js';
import { EcamHandler } from './ecam.js';
import { GpexHostBridge } from './host-bridge.js';
import { MmioWindowHandler } from './mmio-window.js';
import { intxLine } from './swizzle.js';

export interface GpexHostOptions {
  /** Shown in logs and errors. Default "gpex". */
  name?: string;
  /** Where the board maps `ecam` (only used by `describe`). Default 0x4000_0000 (vmapple). */
  ecamBase?: number;
  /** ECAM size: 1 MiB per bus, 1 to 256 buses. Default 256 MiB. */
  ecamSize?: number;
  /** The memory window: CPU address = PCI address; the board maps `mmio` at `base`. */
  mmioWindow: { base: number; size: number };
  /** Number of INTx output lines. Default 16 (vmapple); QEMU's virt uses 4. */
  intxLines?: number;
  /** GIC SPI of line 0 (line L goes to SPI spiBase + L); only used by `describe`. Default 0x20. */
  spiBase?: number;
  /** Guest memory for bus-master DMA of the plugged functions. */
  dma: GuestMemory;
  log?: Log;
}

export interface PlugOptions {
  /** Device number 1..31; default the lowest slot with no function in it. */
  slot?: number;
  /** Function number 0..7. Default 0. */
  function?: number;
}

export interface PlugResult {
  slot: number;
  fn: number;
  /** slot << 3 | fn */
  devfn: number;
}

interface Plugged {
  fn: PciFunction;
  devfn: number;
  intx: InterruptTarget;
}

const STATE_VERSION = 1;

/**
 * QEMU's generic PCI Express host ("gpex"): a root bus reached through
 * ECAM, one memory window identity-mapped into PCI memory space, the host
 * bridge function at 00:00.0, and `intxLines` legacy interrupt outputs with
 * line = (slot + pin) mod lines (vmapple spec §1.9, §7).
 *
 * The board maps `ecam` and `mmio` in the CPU's address space and connects
 * `intx[L]` to its interrupt controller; `describe()` gives what its device
 * tree node needs.
 */
export class GpexHost implements Resettable {
  readonly name: string;
  readonly log: Log;
  /** Config space of all buses: map at the ECAM base. */
  readonly ecam: MmioRegion;
  /** The memory window: map at `mmioWindow.base`. */
  readonly mmio: MmioRegion;
  /** One output per INTx line: connect line L to SPI spiBase + L. */
  readonly intx: readonly IrqLine[];
  /** PCI memory space: BARs are mapped here; unclaimed addresses read all ones. */
  readonly pciMemory: AddressSpace;
  /** Function 00:00.0. */
  readonly hostBridge: GpexHostBridge;

  private readonly ecamBase: number;
  private readonly ecamSize: number;
  private readonly window: { base: number; size: number };
  private readonly spiBase: number;
  private readonly lines: WiredOr[];
  private readonly dma: GuestMemory;
  /** Root bus functions by devfn. */
  private readonly rootBus: Array<PciFunction | null> = new Array<PciFunction | null>(PCI_SLOTS * PCI_FUNCTIONS).fill(null);
  private readonly plugged = new Map<PciFunction, Plugged>();

  constructor(options: GpexHostOptions) {
    const name = options.name ?? 'gpex';
    const v = new ConfigValidator(name);
    this.name = name;
    this.log = options.log ?? silentLog;
    this.ecamBase = v.int('ecamBase', options.ecamBase, VMAPPLE_PCIE.ecamBase, { min: 0, max: Number.MAX_SAFE_INTEGER });
    this.ecamSize = v.int('ecamSize', options.ecamSize, ECAM_MAX_SIZE, { min: ECAM_BUS_SIZE, max: ECAM_MAX_SIZE });
    if (this.ecamSize % ECAM_BUS_SIZE !== 0) v.fail('ecamSize', `must be a multiple of 1 MiB (one bus), got ${this.ecamSize}`);
    if (this.ecamBase % ECAM_BUS_SIZE !== 0) v.fail('ecamBase', `must be 1 MiB aligned, got ${this.ecamBase}`);
    if (!options.mmioWindow || typeof options.mmioWindow !== 'object') v.fail('mmioWindow', 'must be given as { base, size }');
    const base = v.int('mmioWindow.base', options.mmioWindow.base, 0, { min: 0, max: Number.MAX_SAFE_INTEGER });
    const size = v.int('mmioWindow.size', options.mmioWindow.size, 0, { min: 1, max: Number.MAX_SAFE_INTEGER - base });
    if (options.mmioWindow.base === undefined) v.fail('mmioWindow.base', 'must be given');
    if (options.mmioWindow.size === undefined) v.fail('mmioWindow.size', 'must be given');
    this.window = { base, size };
    const lineCount = v.int('intxLines', options.intxLines, VMAPPLE_PCIE.intxLines, { min: 1, max: 255 });
    this.spiBase = v.int('spiBase', options.spiBase, VMAPPLE_PCIE.spiBase, { min: 0, max: GIC_MAX_SPI + 1 - lineCount });
    if (!options.dma) v.fail('dma', 'must be the guest memory plugged functions DMA into');
    this.dma = options.dma;

    this.pciMemory = new AddressSpace({ name: `${name}.pci-memory`, log: this.log, unmappedValue: 'ones' });
    this.ecam = new MmioRegion({
      name: `${name}.ecam`,
      size: this.ecamSize,
      handler: new EcamHandler(this.rootBus),
      // 8-byte accesses are two config accesses, low dword first (as QEMU does).
      valid: { min: 1, max: 8 },
      impl: { min: 1, max: 4 },
    });
    this.mmio = new MmioRegion({
      name: `${name}.mmio`,
      size,
      handler: new MmioWindowHandler(this.pciMemory, base),
      valid: { min: 1, max: 8 },
      impl: { min: 1, max: 8 },
    });
    this.lines = Array.from({ length: lineCount }, () => new WiredOr());
    this.intx = this.lines.map((w) => w.output);

    this.hostBridge = new GpexHostBridge(this.log);
    this.attach(this.hostBridge, 0);
  }

  /** Number of INTx lines. */
  get intxLines(): number {
    return this.lines.length;
  }

  /**
   * Plugs a function into the root bus: at the lowest slot with no function
   * in it, or at `slot` (1..31; slot 0 is the host bridge's). Host mistakes
   * (slot taken or out of range, function already plugged) throw ConfigError.
   */
  plug(fn: PciFunction, options: PlugOptions = {}): PlugResult {
    const v = new ConfigValidator(this.name);
    if (this.plugged.has(fn)) v.fail('slot', `cannot take '${fn.name}': it is already plugged in`);
    const func = v.int('function', options.function, 0, { min: 0, max: PCI_FUNCTIONS - 1 });
    let slot: number;
    if (options.slot === undefined) {
      slot = -1;
      for (let s = 1; s < PCI_SLOTS && slot < 0; s++) if (this.slotIsEmpty(s)) slot = s;
      if (slot < 0) v.fail('slot', `has no free slot left for '${fn.name}': all ${PCI_SLOTS - 1} device slots are in use`);
    } else {
      slot = v.int('slot', options.slot, 0, { min: 0, max: PCI_SLOTS - 1 });
      if (slot === 0) v.fail('slot', `0 belongs to the host bridge; '${fn.name}' needs a slot from 1 to ${PCI_SLOTS - 1}`);
      const other = this.rootBus[(slot << 3) | func];
      if (other) v.fail('slot', `${slot} function ${func} is taken by '${other.name}', so '${fn.name}' cannot go there`);
    }
    const devfn = (slot << 3) | func;
    this.attach(fn, devfn);
    return { slot, fn: func, devfn };
  }

  /** Removes a plugged function: its BARs are unmapped and its INTx released. */
  unplug(fn: PciFunction): void {
    const p = this.plugged.get(fn);
    if (!p || fn === this.hostBridge) {
      throw new ConfigError(this.name, 'unplug', `cannot remove '${fn.name}': it is not a plugged device`);
    }
    fn.detach();
    p.intx.setLevel(false);
    this.rootBus[p.devfn] = null;
    this.plugged.delete(fn);
  }

  /** The function at slot/function on the root bus, if any. */
  functionAt(slot: number, fn = 0): PciFunction | undefined {
    if (!Number.isInteger(slot) || !Number.isInteger(fn) || slot < 0 || slot >= PCI_SLOTS || fn < 0 || fn >= PCI_FUNCTIONS) {
      return undefined;
    }
    return this.rootBus[(slot << 3) | fn] ?? undefined;
  }

  /** Where a plugged function sits, or undefined. */
  addressOf(fn: PciFunction): PlugResult | undefined {
    const p = this.plugged.get(fn);
    return p ? { slot: p.devfn >> 3, fn: p.devfn & 7, devfn: p.devfn } : undefined;
  }

  /** The INTx line a pin (1 = INTA .. 4 = INTD) in `slot` drives; -1 for no pin. */
  lineFor(slot: number, pin: number): number {
    return intxLine(slot, pin, this.lines.length);
  }

  /** What a board's device tree `pci-host-ecam-generic` node needs. */
  describe(): GpexDescription {
    const { base, size } = this.window;
    return buildDescription({
      ecamBase: this.ecamBase,
      ecamSize: this.ecamSize,
      buses: this.ecamSize / ECAM_BUS_SIZE,
      ranges: [{ spaceCode: base + size <= 2 ** 32 ? PCI_RANGE_MEM32 : PCI_RANGE_MEM64, pciAddress: base, cpuAddress: base, size }],
      intxLines: this.lines.length,
      spiBase: this.spiBase,
      lineOf: (slot, pin) => this.lineFor(slot, pin),
    });
  }

  /** A PCI bus reset: the host bridge and every plugged function return to power-on state. */
  reset(): void {
    for (const fn of this.plugged.keys()) fn.reset();
  }

  /** The host bridge's config space; plugged functions save their own state. */
  saveState(): DeviceState<{ hostBridge: DeviceState }> {
    return makeState('gpex', STATE_VERSION, { hostBridge: this.hostBridge.saveState() });
  }

  restoreState(state: DeviceState<{ hostBridge: DeviceState }>): void {
    const data = checkState<{ hostBridge: DeviceState }>(state, 'gpex', STATE_VERSION);
    this.hostBridge.restoreState(data.hostBridge as DeviceState<{ config: string; intx: boolean }>);
  }

  private slotIsEmpty(slot: number): boolean {
    for (let f = 0; f < PCI_FUNCTIONS; f++) if (this.rootBus[(slot << 3) | f]) return false;
    return true;
  }

  private attach(fn: PciFunction, devfn: number): void {
    const pin = fn.configRead(PCI_INTERRUPT_PIN, 1);
    const line = intxLine(devfn >> 3, pin, this.lines.length);
    const intx: InterruptTarget = line < 0 ? { setLevel: () => {} } : this.lines[line]!.input();
    this.rootBus[devfn] = fn;
    this.plugged.set(fn, { fn, devfn, intx });
    fn.attach({ memory: this.pciMemory, dma: this.dma, setIntx: (level) => intx.setLevel(level) });
  }
}
