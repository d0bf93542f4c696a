import { checkState, ConfigValidator, type DeviceState, hex, type Log, makeState, MmioRegion } from '@vmapple/core-bus';
import { PCI_CAP_ID_VNDR, PCI_CAPABILITY_LIST, PciFunction, PciPin } from '@vmapple/core-bus/pci';
import * as V from './constants.js';
import { type QueueState, SplitQueue, joinAddress } from './split-queue.js';
import { type VirtioContext, type VirtioDevice } from './virtio-device.js';

/**
 * Where the virtio structures live in the memory BAR. The layout follows
 * QEMU's modern virtio-pci (facts only): one 16 KiB 64-bit prefetchable BAR 4
 * holding four 4 KiB pages, notify_off_multiplier 4 and queue_notify_off =
 * queue index.
 */
export const VIRTIO_PCI_BAR_INDEX = 4;
export const VIRTIO_PCI_BAR_SIZE = 0x4000;
export const VIRTIO_PCI_COMMON_OFFSET = 0x0000;
export const VIRTIO_PCI_ISR_OFFSET = 0x1000;
export const VIRTIO_PCI_DEVICE_OFFSET = 0x2000;
export const VIRTIO_PCI_NOTIFY_OFFSET = 0x3000;
export const VIRTIO_PCI_REGION_SIZE = 0x1000;
export const VIRTIO_PCI_NOTIFY_MULTIPLIER = 4;
/** Largest queue count this layout can notify (one 4-byte slot per queue in a 4 KiB page). */
export const VIRTIO_PCI_MAX_QUEUES = VIRTIO_PCI_REGION_SIZE / VIRTIO_PCI_NOTIFY_MULTIPLIER;

export interface VirtioPciOptions {
  name: string;
  device: VirtioDevice;
  /** PCI vendor ID; default 0x1AF4 (virtio). */
  vendorId?: number;
  /** PCI device ID; default 0x1040 + device type (modern-only, §4.1.2.1). */
  deviceId?: number;
  /** 24-bit PCI class code; default 0xFF0000 (unclassified). */
  classCode?: number;
  /** Default 0x1AF4. */
  subsystemVendorId?: number;
  /** Default 0x1100 (QEMU's value for modern virtio devices). */
  subsystemId?: number;
  /** PCI revision; default 1 (modern-only devices, §4.1.2.1). */
  revision?: number;
  log?: Log;
}

interface VirtioPciSavedState {
  config: string;
  intx: boolean;
  status: number;
  isr: number;
  generation: number;
  deviceFeatureSelect: number;
  driverFeatureSelect: number;
  driverFeatures: string;
  queueSelect: number;
  queues: QueueState[];
}

const STATE_VERSION = 1;
/**
 * ISR bits a configuration change sets. The spec names bit 1; QEMU sets bits
 * 0 and 1 together (checked against QEMU 7.2 over qtest), and so do we.
 */
const CONFIG_ISR_BITS = V.VIRTIO_ISR_CONFIG | V.VIRTIO_ISR_QUEUE;
const RING_FEATURES = V.featureBit(V.VIRTIO_F_RING_INDIRECT_DESC) | V.featureBit(V.VIRTIO_F_RING_EVENT_IDX) | V.featureBit(V.VIRTIO_F_VERSION_1);

/**
 * The modern-only virtio-pci transport (virtio 1.2 §4.1): a PCI function
 * with the common, notify, ISR, device and PCI-configuration-access vendor
 * capabilities, all structures in one 64-bit memory BAR, feature
 * negotiation, the device status state machine, split virtqueues and INTx
 * interrupts. There is no MSI-X (the vmapple board has no MSI controller):
 * every MSI-X vector field reads VIRTIO_MSI_NO_VECTOR.
 */
export class VirtioPciFunction extends PciFunction implements VirtioContext {
  readonly device: VirtioDevice;
  readonly queues: SplitQueue[];
  /** Every feature bit this function offers (device bits plus the ring and VERSION_1 bits). */
  readonly offeredFeatures: bigint;
  readonly bar: MmioRegion;
  private status = 0;
  private isr = 0;
  private generation = 0;
  private deviceFeatureSelect = 0;
  private driverFeatureSelect = 0;
  private negotiated = 0n;
  private queueSelect = 0;
  private readonly commonScratch = new DataView(new ArrayBuffer(0x40));
  /** Offset of the PCI configuration access capability in config space. */
  readonly pciCfgCap: number;

  constructor(options: VirtioPciOptions) {
    const device = options.device;
    super({
      name: options.name,
      vendorId: options.vendorId ?? V.VIRTIO_PCI_VENDOR_ID,
      deviceId: options.deviceId ?? V.VIRTIO_PCI_MODERN_DEVICE_ID_BASE + device.deviceType,
      classCode: options.classCode ?? 0xff0000,
      revision: options.revision ?? 1,
      subsystemVendorId: options.subsystemVendorId ?? V.VIRTIO_PCI_VENDOR_ID,
      subsystemId: options.subsystemId ?? 0x1100,
      interruptPin: PciPin.INTA,
      log: options.log,
    });
    const v = new ConfigValidator(options.name);
    v.int('numQueues', device.numQueues, 1, { min: 1, max: VIRTIO_PCI_MAX_QUEUES });
    v.int('queueMaxSize', device.queueMaxSize, 256, { min: 1, max: V.VIRTQ_MAX_SIZE });
    if ((device.queueMaxSize & (device.queueMaxSize - 1)) !== 0) v.fail('queueMaxSize', `must be a power of two, got ${device.queueMaxSize}`);
    v.int('configSize', device.configSize, 0, { min: 0, max: VIRTIO_PCI_REGION_SIZE });
    this.device = device;
    this.offeredFeatures = BigInt.asUintN(64, device.deviceFeatures) | RING_FEATURES;
    this.queues = [];
    for (let i = 0; i < device.numQueues; i++) this.queues.push(new SplitQueue(i, device.queueMaxSize));

    this.bar = new MmioRegion({
      name: `${options.name}.virtio`,
      size: VIRTIO_PCI_BAR_SIZE,
      handler: {
        read: (offset, size) => this.barRead(offset, size),
        write: (offset, size, value) => this.barWrite(offset, size, value),
      },
    });
    this.addBar({ index: VIRTIO_PCI_BAR_INDEX, region: this.bar, kind: 'mem64', prefetchable: true });
    const caps = [
      this.addVirtioCap(V.VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFFSET, VIRTIO_PCI_REGION_SIZE),
      this.addVirtioCap(V.VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFFSET, VIRTIO_PCI_REGION_SIZE),
      this.addVirtioCap(V.VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFFSET, VIRTIO_PCI_REGION_SIZE),
      this.addVirtioCap(V.VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFFSET, VIRTIO_PCI_REGION_SIZE, 4),
      // §4.1.4.9: the PCI configuration access capability; bar, offset, length and data are the driver's.
      this.addVirtioCap(V.VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 4),
    ];
    this.set32(caps[3]! + 16, VIRTIO_PCI_NOTIFY_MULTIPLIER);
    this.pciCfgCap = caps[4]!;
    // QEMU links each new capability in at the head of the list: the list runs newest first.
    this.config[PCI_CAPABILITY_LIST] = caps[caps.length - 1]!;
    for (let i = caps.length - 1; i >= 0; i--) this.config[caps[i]! + 1] = i > 0 ? caps[i - 1]! : 0;
    this.config[this.pciCfgCap + 4] = 0;
    this.wmask[this.pciCfgCap + 4] = 0xff;
    this.wmask.fill(0xff, this.pciCfgCap + 8, this.pciCfgCap + 20);
    this.sealConfig();
    this.resetVirtio();
  }

  /** Adds a virtio_pci_cap (16 bytes + `extra`) and returns its config-space offset. */
  private addVirtioCap(cfgType: number, offset: number, length: number, extra = 0): number {
    const at = this.addCapability(PCI_CAP_ID_VNDR, 16 + extra);
    this.config[at + 2] = 16 + extra; // cap_len
    this.config[at + 3] = cfgType;
    this.config[at + 4] = VIRTIO_PCI_BAR_INDEX;
    this.config[at + 5] = 0; // id
    this.set32(at + 8, offset);
    this.set32(at + 12, length);
    return at;
  }

  // ---- VirtioContext ---------------------------------------------------------------

  get mem() {
    return this.dma;
  }

  get driverFeatures(): bigint {
    return this.negotiated;
  }

  /** The device status register as the driver last set it (plus DEVICE_NEEDS_RESET). */
  get deviceStatus(): number {
    return this.status;
  }

  hasFeature(bit: number): boolean {
    return (this.negotiated & V.featureBit(bit)) !== 0n;
  }

  notifyUsed(queue: SplitQueue): void {
    if (queue.needsNotification(this.dma)) this.raiseIsr(V.VIRTIO_ISR_QUEUE);
  }

  configChanged(): void {
    this.generation = (this.generation + 1) & 0xff;
    if (this.status & V.VIRTIO_STATUS_DRIVER_OK) this.raiseIsr(CONFIG_ISR_BITS);
  }

  needsReset(reason: string): void {
    this.log.guestError(this.name, `device needs reset: ${reason}`);
    if (this.status & V.VIRTIO_STATUS_DEVICE_NEEDS_RESET) return;
    this.status |= V.VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    // §2.1.2: with DRIVER_OK set, the device sends a configuration change notification.
    if (this.status & V.VIRTIO_STATUS_DRIVER_OK) this.raiseIsr(CONFIG_ISR_BITS);
  }

  // ---- reset -------------------------------------------------------------------------

  /** PCI reset: config space, BARs and the virtio device. */
  override reset(): void {
    super.reset();
    this.resetVirtio();
  }

  /** virtio device reset (§2.4): status 0, no features, queues disabled, ISR and INTx clear. */
  private resetVirtio(): void {
    this.status = 0;
    this.isr = 0;
    this.generation = 0;
    this.deviceFeatureSelect = 0;
    this.driverFeatureSelect = 0;
    this.negotiated = 0n;
    this.queueSelect = 0;
    for (const q of this.queues) q.reset();
    this.device.reset();
    this.setIntx(false);
  }

  private raiseIsr(bits: number): void {
    this.isr |= bits;
    this.setIntx(true);
  }

  /** Whether the device may use its queues now (§3.1.1: after DRIVER_OK, not failed or broken). */
  private get live(): boolean {
    const s = this.status;
    return (
      (s & (V.VIRTIO_STATUS_DRIVER_OK | V.VIRTIO_STATUS_FEATURES_OK)) === (V.VIRTIO_STATUS_DRIVER_OK | V.VIRTIO_STATUS_FEATURES_OK) &&
      (s & (V.VIRTIO_STATUS_DEVICE_NEEDS_RESET | V.VIRTIO_STATUS_FAILED)) === 0
    );
  }

  // ---- the memory BAR -------------------------------------------------------------------

  private barRead(offset: number, size: number): number {
    const page = offset & ~(VIRTIO_PCI_REGION_SIZE - 1);
    const off = offset - page;
    switch (page) {
      case VIRTIO_PCI_COMMON_OFFSET:
        return this.commonRead(off, size);
      case VIRTIO_PCI_ISR_OFFSET: {
        // §4.1.4.5.1: reading the ISR clears it and deasserts INTx.
        const v = off === 0 ? this.isr : 0;
        if (off === 0) {
          this.isr = 0;
          this.setIntx(false);
        }
        return v;
      }
      case VIRTIO_PCI_DEVICE_OFFSET:
        return this.deviceConfigRead(off, size);
      default:
        return 0; // notify page reads as 0
    }
  }

  private barWrite(offset: number, size: number, value: number): void {
    const page = offset & ~(VIRTIO_PCI_REGION_SIZE - 1);
    const off = offset - page;
    switch (page) {
      case VIRTIO_PCI_COMMON_OFFSET:
        this.commonWrite(off, size, value);
        return;
      case VIRTIO_PCI_ISR_OFFSET:
        this.log.guestError(this.name, `write to the read-only ISR status at ${hex(off)}`);
        return;
      case VIRTIO_PCI_DEVICE_OFFSET:
        if (off + size > this.device.configSize) {
          this.log.guestError(this.name, `device config write of ${size} bytes at ${hex(off)} is beyond its ${this.device.configSize} bytes`);
          return;
        }
        this.device.writeConfig(off, size, value);
        return;
      default:
        this.notify(Math.floor(off / VIRTIO_PCI_NOTIFY_MULTIPLIER));
    }
  }

  private deviceConfigRead(off: number, size: number): number {
    if (off + size <= this.device.configSize) return this.device.readConfig(off, size);
    // As QEMU: an access reaching past the device's config reads all ones, whole.
    return size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1;
  }

  /** Available-buffer notification for queue `index` (§4.1.5.2). */
  private notify(index: number): void {
    const q = this.queues[index];
    if (!q) {
      this.log.guestError(this.name, `notification for queue ${index}, which does not exist`);
      return;
    }
    if (!this.live || !q.ready) {
      this.log.guestError(this.name, `notification for queue ${index} while ${q.ready ? 'the device is not live' : 'the queue is disabled'} (status ${hex(this.status)})`);
      return;
    }
    this.device.processQueue(this, q);
    if (q.error !== null) this.needsReset(`queue ${index}: ${q.error}`);
  }

  // ---- common configuration (§4.1.4.3) ----------------------------------------------------

  private get selectedQueue(): SplitQueue | undefined {
    return this.queues[this.queueSelect];
  }

  private commonRead(off: number, size: number): number {
    if (off >= V.VIRTIO_PCI_COMMON_CFG_SIZE) return 0;
    const d = this.commonScratch;
    const q = this.selectedQueue;
    const f = this.deviceFeatureSelect < 2 ? this.offeredFeatures >> BigInt(32 * this.deviceFeatureSelect) : 0n;
    const g = this.driverFeatureSelect < 2 ? this.negotiated >> BigInt(32 * this.driverFeatureSelect) : 0n;
    d.setUint32(V.VIRTIO_PCI_COMMON_DFSELECT, this.deviceFeatureSelect, true);
    d.setUint32(V.VIRTIO_PCI_COMMON_DF, Number(f & 0xffff_ffffn), true);
    d.setUint32(V.VIRTIO_PCI_COMMON_GFSELECT, this.driverFeatureSelect, true);
    d.setUint32(V.VIRTIO_PCI_COMMON_GF, Number(g & 0xffff_ffffn), true);
    d.setUint16(V.VIRTIO_PCI_COMMON_MSIX, V.VIRTIO_MSI_NO_VECTOR, true);
    d.setUint16(V.VIRTIO_PCI_COMMON_NUMQ, this.queues.length, true);
    d.setUint8(V.VIRTIO_PCI_COMMON_STATUS, this.status);
    d.setUint8(V.VIRTIO_PCI_COMMON_CFGGENERATION, this.generation);
    d.setUint16(V.VIRTIO_PCI_COMMON_Q_SELECT, this.queueSelect, true);
    d.setUint16(V.VIRTIO_PCI_COMMON_Q_SIZE, q ? q.size : 0, true);
    d.setUint16(V.VIRTIO_PCI_COMMON_Q_MSIX, V.VIRTIO_MSI_NO_VECTOR, true);
    d.setUint16(V.VIRTIO_PCI_COMMON_Q_ENABLE, q?.ready ? 1 : 0, true);
    d.setUint16(V.VIRTIO_PCI_COMMON_Q_NOFF, q ? q.index : 0, true);
    setAddress(d, V.VIRTIO_PCI_COMMON_Q_DESCLO, q?.descAddr ?? 0);
    setAddress(d, V.VIRTIO_PCI_COMMON_Q_AVAILLO, q?.driverAddr ?? 0);
    setAddress(d, V.VIRTIO_PCI_COMMON_Q_USEDLO, q?.deviceAddr ?? 0);
    if (off + size > V.VIRTIO_PCI_COMMON_CFG_SIZE) return 0;
    return size === 1 ? d.getUint8(off) : size === 2 ? d.getUint16(off, true) : d.getUint32(off, true);
  }

  private commonWrite(off: number, size: number, value: number): void {
    const width = commonFieldWidth(off);
    if (width === 0) {
      this.log.guestError(this.name, `write to read-only or reserved common config offset ${hex(off)}`);
      return;
    }
    if (size !== width) {
      // §4.1.3.1: the driver accesses each field with its natural width.
      this.log.guestError(this.name, `${size}-byte write to the ${width}-byte common config field at ${hex(off)}`);
      return;
    }
    const q = this.selectedQueue;
    switch (off) {
      case V.VIRTIO_PCI_COMMON_DFSELECT:
        this.deviceFeatureSelect = value >>> 0;
        return;
      case V.VIRTIO_PCI_COMMON_GFSELECT:
        this.driverFeatureSelect = value >>> 0;
        return;
      case V.VIRTIO_PCI_COMMON_GF:
        this.writeDriverFeatures(value >>> 0);
        return;
      case V.VIRTIO_PCI_COMMON_MSIX:
      case V.VIRTIO_PCI_COMMON_Q_MSIX:
        return; // no MSI-X: the field keeps reading NO_VECTOR
      case V.VIRTIO_PCI_COMMON_STATUS:
        this.writeStatus(value & 0xff);
        return;
      case V.VIRTIO_PCI_COMMON_Q_SELECT:
        this.queueSelect = value & 0xffff;
        return;
    }
    if (!q) {
      this.log.guestError(this.name, `write to common config ${hex(off)} for queue ${this.queueSelect}, which does not exist`);
      return;
    }
    if (off === V.VIRTIO_PCI_COMMON_Q_ENABLE) {
      this.writeQueueEnable(q, value & 0xffff);
      return;
    }
    if (q.ready) {
      this.log.guestError(this.name, `queue ${q.index} register ${hex(off)} written while the queue is enabled`);
      return;
    }
    switch (off) {
      case V.VIRTIO_PCI_COMMON_Q_SIZE:
        q.size = value & 0xffff;
        return;
      case V.VIRTIO_PCI_COMMON_Q_DESCLO:
      case V.VIRTIO_PCI_COMMON_Q_DESCHI:
        q.descAddr = updateAddress(q.descAddr, off - V.VIRTIO_PCI_COMMON_Q_DESCLO, value);
        return;
      case V.VIRTIO_PCI_COMMON_Q_AVAILLO:
      case V.VIRTIO_PCI_COMMON_Q_AVAILHI:
        q.driverAddr = updateAddress(q.driverAddr, off - V.VIRTIO_PCI_COMMON_Q_AVAILLO, value);
        return;
      case V.VIRTIO_PCI_COMMON_Q_USEDLO:
      case V.VIRTIO_PCI_COMMON_Q_USEDHI:
        q.deviceAddr = updateAddress(q.deviceAddr, off - V.VIRTIO_PCI_COMMON_Q_USEDLO, value);
        return;
    }
  }

  private writeDriverFeatures(value: number): void {
    if (this.status & V.VIRTIO_STATUS_FEATURES_OK) {
      this.log.guestError(this.name, 'driver features written after FEATURES_OK; ignored');
      return;
    }
    if (this.driverFeatureSelect > 1) {
      if (value !== 0) this.log.guestError(this.name, `driver feature word ${this.driverFeatureSelect} written with ${hex(value)}; no such features`);
      return;
    }
    const shift = BigInt(32 * this.driverFeatureSelect);
    this.negotiated = (this.negotiated & ~(0xffff_ffffn << shift)) | (BigInt(value) << shift);
  }

  private writeQueueEnable(q: SplitQueue, value: number): void {
    if (value !== 1) {
      // Without VIRTIO_F_RING_RESET the driver never writes 0 (§4.1.4.3.2).
      this.log.guestError(this.name, `queue ${q.index}: queue_enable written with ${value}; ignored`);
      return;
    }
    if (q.ready) return;
    const bad = q.checkLayout();
    if (bad !== null) {
      this.log.guestError(this.name, `queue ${q.index} not enabled: ${bad}`);
      return;
    }
    q.eventIdx = this.hasFeature(V.VIRTIO_F_RING_EVENT_IDX);
    q.indirect = this.hasFeature(V.VIRTIO_F_RING_INDIRECT_DESC);
    q.ready = true;
  }

  /** The device status state machine (§2.1, §3.1). */
  private writeStatus(value: number): void {
    if (value === 0) {
      this.resetVirtio();
      return;
    }
    const old = this.status;
    if (value & V.VIRTIO_STATUS_DEVICE_NEEDS_RESET && !(old & V.VIRTIO_STATUS_DEVICE_NEEDS_RESET)) {
      this.log.guestError(this.name, 'driver set DEVICE_NEEDS_RESET, which only the device sets; ignored');
    }
    let next = (value & ~V.VIRTIO_STATUS_DEVICE_NEEDS_RESET) | (old & V.VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    const cleared = old & ~next;
    if (cleared) this.log.guestError(this.name, `driver cleared status bits ${hex(cleared)} without a reset`);
    const added = next & ~old;
    if (added & V.VIRTIO_STATUS_FEATURES_OK) {
      const refusal = this.checkFeatures();
      if (refusal !== null) {
        this.log.guestError(this.name, `FEATURES_OK refused: ${refusal}`);
        next &= ~V.VIRTIO_STATUS_FEATURES_OK;
      } else {
        for (const q of this.queues) {
          q.eventIdx = this.hasFeature(V.VIRTIO_F_RING_EVENT_IDX);
          q.indirect = this.hasFeature(V.VIRTIO_F_RING_INDIRECT_DESC);
        }
      }
    }
    if (added & V.VIRTIO_STATUS_DRIVER_OK && !(next & V.VIRTIO_STATUS_FEATURES_OK)) {
      this.log.guestError(this.name, 'DRIVER_OK set without FEATURES_OK; the device stays idle');
    }
    this.status = next;
  }

  private checkFeatures(): string | null {
    const extra = this.negotiated & ~this.offeredFeatures;
    if (extra !== 0n) return `driver accepted features ${hex(extra)} that were not offered`;
    if (!this.hasFeature(V.VIRTIO_F_VERSION_1)) return 'VIRTIO_F_VERSION_1 not accepted (this is a modern-only device)';
    return this.device.validateFeatures?.(this.negotiated) ?? null;
  }

  // ---- PCI configuration access capability (§4.1.4.9) --------------------------------------

  override configRead(offset: number, size: number): number {
    const data = this.pciCfgCap + 16;
    if (offset < data + 4 && offset + size > data) this.pciCfgAccess(false);
    return super.configRead(offset, size);
  }

  protected override configWritten(offset: number, size: number): void {
    const data = this.pciCfgCap + 16;
    if (offset < data + 4 && offset + size > data) this.pciCfgAccess(true);
  }

  /** Performs the BAR access the capability describes, from or into pci_cfg_data. */
  private pciCfgAccess(write: boolean): void {
    const cap = this.pciCfgCap;
    const bar = this.config[cap + 4]!;
    const offset = this.get32(cap + 8);
    const length = this.get32(cap + 12);
    if (bar !== VIRTIO_PCI_BAR_INDEX || (length !== 1 && length !== 2 && length !== 4) || offset % length !== 0 || offset + length > VIRTIO_PCI_BAR_SIZE) {
      if (write) this.log.guestError(this.name, `PCI config access to BAR ${bar} offset ${hex(offset)} length ${length} is not possible`);
      return;
    }
    if (write) {
      this.barWrite(offset, length, this.get32(cap + 16) & (length === 4 ? 0xffff_ffff : (1 << (8 * length)) - 1));
    } else {
      const v = this.barRead(offset, length);
      for (let i = 0; i < length; i++) this.config[cap + 16 + i] = (v >>> (8 * i)) & 0xff;
    }
  }

  // ---- snapshots ----------------------------------------------------------------------------

  override saveState(): DeviceState<VirtioPciSavedState> {
    const pci = super.saveState().data;
    return makeState('virtio-pci:' + this.name, STATE_VERSION, {
      config: pci.config,
      intx: pci.intx,
      status: this.status,
      isr: this.isr,
      generation: this.generation,
      deviceFeatureSelect: this.deviceFeatureSelect,
      driverFeatureSelect: this.driverFeatureSelect,
      driverFeatures: this.negotiated.toString(),
      queueSelect: this.queueSelect,
      queues: this.queues.map((q) => q.save()),
    });
  }

  override restoreState(state: DeviceState<VirtioPciSavedState>): void {
    const s = checkState<VirtioPciSavedState>(state, 'virtio-pci:' + this.name, STATE_VERSION);
    if (!Array.isArray(s.queues) || s.queues.length !== this.queues.length) {
      throw new RangeError(`${this.name}: saved state has ${s.queues?.length} queues, this device has ${this.queues.length}`);
    }
    super.restoreState(makeState('pci:' + this.name, 1, { config: s.config, intx: s.intx }));
    this.status = s.status;
    this.isr = s.isr;
    this.generation = s.generation;
    this.deviceFeatureSelect = s.deviceFeatureSelect;
    this.driverFeatureSelect = s.driverFeatureSelect;
    this.negotiated = BigInt(s.driverFeatures);
    this.queueSelect = s.queueSelect;
    s.queues.forEach((q, i) => this.queues[i]!.restore(q));
  }
}

/** Width of the driver-writable common config field at `off`, or 0 when none. */
function commonFieldWidth(off: number): number {
  switch (off) {
    case V.VIRTIO_PCI_COMMON_DFSELECT:
    case V.VIRTIO_PCI_COMMON_GFSELECT:
    case V.VIRTIO_PCI_COMMON_GF:
    case V.VIRTIO_PCI_COMMON_Q_DESCLO:
    case V.VIRTIO_PCI_COMMON_Q_DESCHI:
    case V.VIRTIO_PCI_COMMON_Q_AVAILLO:
    case V.VIRTIO_PCI_COMMON_Q_AVAILHI:
    case V.VIRTIO_PCI_COMMON_Q_USEDLO:
    case V.VIRTIO_PCI_COMMON_Q_USEDHI:
      return 4;
    case V.VIRTIO_PCI_COMMON_MSIX:
    case V.VIRTIO_PCI_COMMON_Q_SELECT:
    case V.VIRTIO_PCI_COMMON_Q_SIZE:
    case V.VIRTIO_PCI_COMMON_Q_MSIX:
    case V.VIRTIO_PCI_COMMON_Q_ENABLE:
      return 2;
    case V.VIRTIO_PCI_COMMON_STATUS:
      return 1;
    default:
      return 0;
  }
}

/** Replaces the low (half 0) or high (half 4) 32 bits of a ring address. */
function updateAddress(current: number, half: number, value: number): number {
  const cur = current < 0 ? 0 : current;
  let lo = cur % 2 ** 32;
  let hi = Math.floor(cur / 2 ** 32);
  if (half === 0) lo = value >>> 0;
  else hi = value >>> 0;
  // An address beyond 2^53 is kept as -1: the queue refuses to enable with it.
  return joinAddress(lo, hi);
}

function setAddress(d: DataView, off: number, addr: number): void {
  const a = addr < 0 ? 0 : addr;
  d.setUint32(off, a % 2 ** 32, true);
  d.setUint32(off + 4, Math.floor(a / 2 ** 32), true);
}
