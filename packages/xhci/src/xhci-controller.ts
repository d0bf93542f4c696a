import {
  checkState,
  ConfigError,
  ConfigValidator,
  type DeviceState,
  hex,
  type Log,
  makeState,
  MmioRegion,
  type VirtualClock,
} from '@vmapple/core-bus';
import { PciFunction, type PciHostPort, PciPin } from '@vmapple/core-bus/pci';
import * as C from './constants.js';
import { Interrupter, type InterrupterState } from './interrupter.js';
import { RootPort } from './port.js';
import { NAK, setupFromDwords, STALL, type UsbDevice, type UsbDeviceState } from './usb/usb-device.js';

export interface XhciOptions {
  name?: string;
  /** USB 2 root ports (1..15; QEMU default 4). */
  usb2Ports?: number;
  /** USB 3 root ports (0..15; QEMU default 4). */
  usb3Ports?: number;
  /** Interrupters (1..16; QEMU default 16). With pin interrupts only interrupter 0 gets events. */
  interrupters?: number;
  /** Device slots (1..64; QEMU default 64). */
  slots?: number;
  /** For MFINDEX; without a clock MFINDEX reads 0. */
  clock?: VirtualClock;
  log?: Log;
}

interface Endpoint {
  state: number;
  type: number;
  dequeue: number;
  ccs: number;
  /** An IN TD waits for the device to have data (NAK). */
  waiting: boolean;
}

interface Slot {
  enabled: boolean;
  state: number;
  port: number;
  /** Output device context address from DCBAA. */
  ctx: number;
  eps: Array<Endpoint | null>;
}

interface SavedState {
  config: string;
  intx: boolean;
  usbcmd: number;
  usbsts: number;
  dnctrl: number;
  crcrLo: number;
  crcrHi: number;
  cmdDequeue: number;
  cmdCcs: number;
  crr: boolean;
  dcbaap: string;
  configReg: number;
  ports: Array<{ portsc: number; portpmsc: number; porthlpmc: number; device: UsbDeviceState | null }>;
  interrupters: InterrupterState[];
  ehb: boolean[];
  slots: Array<{ state: number; port: number; ctx: string; eps: Array<[number, number, number, string, number, boolean]> } | null>;
}

const STATE_VERSION = 1;
// Results of collecting a TD from a transfer ring.
const COLLECT_EMPTY = -1;
const COLLECT_INCOMPLETE = -2;
const COLLECT_FAULT = -3;
const COLLECT_LOOP = -4;

/**
 * A qemu-xhci compatible xHCI host controller (xHCI 1.2) on PCI: 1B36:000D,
 * class 0C0330, one 16 KiB 64-bit memory BAR, INTx only (no MSI or MSI-X:
 * the vmapple board has no MSI controller), so every event goes to
 * interrupter 0 whatever a TRB's interrupter target says (QEMU's
 * `conditional-intr-mapping`). Commands and transfers run synchronously in
 * the doorbell write; interrupt IN transfers wait until the device has data.
 */
export class XhciController extends PciFunction {
  readonly bar: MmioRegion;
  readonly usb2Ports: number;
  readonly usb3Ports: number;
  readonly numInterrupters: number;
  readonly numSlots: number;
  private readonly clock: VirtualClock | undefined;
  private readonly ports: RootPort[] = [];
  private readonly intrs: Interrupter[] = [];
  private readonly ehb: boolean[] = [];
  private readonly slots: Slot[] = [];
  private usbcmd = 0;
  private usbsts = 0;
  private dnctrl = 0;
  private crcrLo = 0;
  private crcrHi = 0;
  private cmdDequeue = 0;
  private cmdCcs = 1;
  private crr = false;
  private dcbaapLo = 0;
  private dcbaapHi = 0;
  private configReg = 0;
  private inDoorbell = false;
  private readonly wakePending: boolean[] = [];
  // Scratch for TRB reads and the current TD (no allocation per TRB).
  private readonly trb = new Uint8Array(16);
  private readonly trbView = new DataView(this.trb.buffer);
  private readonly ctxBuf = new Uint8Array(C.CTX_SIZE);
  private readonly ctxView = new DataView(this.ctxBuf.buffer);
  private readonly tdAddr = new Float64Array(C.MAX_TRBS_PER_TD);
  private readonly tdDw = new Uint32Array(4 * C.MAX_TRBS_PER_TD);
  private nextDequeue = 0;
  private nextCcs = 0;

  constructor(options: XhciOptions = {}) {
    const name = options.name ?? 'xhci';
    super({
      name,
      vendorId: C.XHCI_VENDOR_ID,
      deviceId: C.XHCI_DEVICE_ID,
      classCode: C.XHCI_CLASS_CODE,
      revision: 1,
      subsystemVendorId: 0x1af4,
      subsystemId: 0x1100,
      interruptPin: PciPin.INTA,
      log: options.log,
    });
    const v = new ConfigValidator(name);
    this.usb2Ports = v.int('usb2Ports', options.usb2Ports, 4, { min: 0, max: 15 });
    this.usb3Ports = v.int('usb3Ports', options.usb3Ports, 4, { min: 0, max: 15 });
    if (this.usb2Ports + this.usb3Ports === 0) v.fail('usb2Ports', 'and usb3Ports must not both be 0');
    this.numInterrupters = v.int('interrupters', options.interrupters, 16, { min: 1, max: 16 });
    this.numSlots = v.int('slots', options.slots, 64, { min: 1, max: 64 });
    this.clock = options.clock;
    // USB 3 ports first, then USB 2 (qemu-xhci's default `superspeed-ports-first`).
    for (let i = 0; i < this.usb2Ports + this.usb3Ports; i++) this.ports.push(new RootPort(i + 1, i < this.usb3Ports));
    for (let i = 0; i < this.numInterrupters; i++) {
      this.intrs.push(new Interrupter(i, this.dma, this.log, name));
      this.ehb.push(false);
    }
    for (let i = 0; i <= this.numSlots; i++) this.slots.push(emptySlot());
    this.bar = new MmioRegion({
      name: `${name}.mmio`,
      size: C.XHCI_BAR_SIZE,
      handler: {
        read: (offset, size) => this.mmioRead(offset, size),
        write: (offset, size, value) => this.mmioWrite(offset, size, value),
      },
    });
    this.addBar({ index: 0, region: this.bar, kind: 'mem64' });
    // Serial Bus Release Number: USB 3.0, as qemu-xhci (which leaves FLADJ at 0).
    this.config[0x60] = 0x30;
    this.sealConfig();
    this.hcReset();
  }

  // ---- host API ---------------------------------------------------------------------

  /**
   * `attach(port, device)` plugs `device` into root port `port` (1-based;
   * USB 3 ports first, then USB 2: with the defaults, USB 2 ports are 5..8
   * and QEMU puts the keyboard on 5, the tablet on 6). `attach(hostPort)` is the PCI host bridge plugging
   * the controller in.
   */
  override attach(port: PciHostPort): void;
  override attach(port: number, device: UsbDevice): void;
  override attach(port: PciHostPort | number, device?: UsbDevice): void {
    if (typeof port !== 'number') {
      super.attach(port);
      return;
    }
    if (!device) throw new ConfigError(this.name, 'device', 'is required to attach a USB device');
    const v = new ConfigValidator(this.name);
    const p = this.ports[v.int('port', port, 0, { min: 1, max: this.ports.length }) - 1]!;
    if (p.device) v.fail('port', `${port} already has a device`);
    if ((device.speed === 'super') !== p.usb3) {
      throw new ConfigError(this.name, 'port', `${port} is a USB ${p.usb3 ? 3 : 2} port and cannot take a ${device.speed}-speed device`);
    }
    p.device = device;
    device.onWake = () => this.deviceWake(p);
    p.connectState(true);
    this.portChanged(p);
  }

  /**
   * `detach(port)` unplugs the USB device on `port` (its slot's transfers
   * fail from then on); `detach()` unplugs the controller from the PCI host.
   */
  override detach(port?: number): void {
    if (port === undefined) {
      super.detach();
      return;
    }
    const p = this.ports[port - 1];
    if (!p?.device) return;
    p.device.onWake = null;
    p.device = null;
    p.connectState(true);
    this.portChanged(p);
  }

  deviceAt(port: number): UsbDevice | null {
    return this.ports[port - 1]?.device ?? null;
  }

  // ---- reset -----------------------------------------------------------------------------

  override reset(): void {
    super.reset();
    this.hcReset();
    for (const p of this.ports) p.device?.reset();
  }

  /** USBCMD.HCRST: every register to its default, rings forgotten, the bus reset. */
  private hcReset(): void {
    this.usbcmd = 0;
    this.usbsts = C.USBSTS_HCH;
    this.dnctrl = 0;
    this.crcrLo = this.crcrHi = 0;
    this.cmdDequeue = 0;
    this.cmdCcs = 1;
    this.crr = false;
    this.dcbaapLo = this.dcbaapHi = 0;
    this.configReg = 0;
    for (const i of this.intrs) i.reset();
    this.ehb.fill(false);
    this.wakePending.length = 0;
    for (let i = 0; i < this.slots.length; i++) this.slots[i] = emptySlot();
    for (const p of this.ports) {
      p.device?.busReset();
      p.reset();
    }
    this.updateInterrupt();
  }

  // ---- MMIO --------------------------------------------------------------------------------

  private mmioRead(offset: number, size: number): number {
    const v = this.read32(offset & ~3);
    if (size === 4) return v >>> 0;
    const shift = 8 * (offset & 3);
    return (v >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  private mmioWrite(offset: number, size: number, value: number): void {
    if (offset < C.CAP_LENGTH) return; // capability registers are read-only
    if (size !== 4) {
      this.log.guestError(this.name, `${size}-byte write at ${hex(offset)}: xHCI registers take 32-bit accesses`);
      return;
    }
    this.write32(offset, value >>> 0);
  }

  private read32(offset: number): number {
    if (offset < C.CAP_LENGTH) return this.capRead(offset);
    if (offset < C.PORT_BASE) return this.operRead(offset - C.OPER_BASE);
    if (offset < C.PORT_BASE + C.PORT_STRIDE * this.ports.length) {
      const p = this.ports[(offset - C.PORT_BASE) >> 4]!;
      switch (offset & 0xf) {
        case C.PORT_PORTSC:
          return p.portsc >>> 0;
        default:
          return 0; // PORTPMSC, PORTLI, PORTHLPMC read 0 (no link power management), as qemu-xhci
      }
    }
    if (offset >= C.RUNTIME_BASE && offset < C.DOORBELL_BASE) return this.runtimeRead(offset - C.RUNTIME_BASE);
    return 0;
  }

  private capRead(offset: number): number {
    const n2 = this.usb2Ports;
    const n3 = this.usb3Ports;
    switch (offset) {
      case C.CAP_CAPLENGTH:
        return (C.HCIVERSION << 16) | C.CAP_LENGTH;
      case C.CAP_HCSPARAMS1:
        return ((this.ports.length << 24) | (this.numInterrupters << 8) | this.numSlots) >>> 0;
      case C.CAP_HCSPARAMS2:
        return C.HCSPARAMS2_VALUE;
      case C.CAP_HCSPARAMS3:
        return 0;
      case C.CAP_HCCPARAMS1:
        return ((C.XECP_BASE >> 2) << 16) | C.HCCPARAMS1_AC64;
      case C.CAP_DBOFF:
        return C.DOORBELL_BASE;
      case C.CAP_RTSOFF:
        return C.RUNTIME_BASE;
      case C.CAP_HCCPARAMS2:
        return 0;
      // Supported Protocol capability for USB 2.0 (§7.2), next capability 4 dwords on.
      case 0x20:
        return n3 > 0 ? 0x02000402 : 0x02000002;
      case 0x24:
        return 0x20425355; // "USB "
      case 0x28:
        return (n2 << 8) | (n3 + 1);
      case 0x2c:
        return 0;
      // Supported Protocol capability for USB 3.0, the last one.
      case 0x30:
        return n3 > 0 ? 0x03000002 : 0;
      case 0x34:
        return n3 > 0 ? 0x20425355 : 0;
      case 0x38:
        return n3 > 0 ? (n3 << 8) | 1 : 0;
      default:
        return 0;
    }
  }

  private operRead(r: number): number {
    switch (r) {
      case C.OP_USBCMD:
        return this.usbcmd;
      case C.OP_USBSTS:
        return this.usbsts;
      case C.OP_PAGESIZE:
        return 1; // 4 KiB pages
      case C.OP_DNCTRL:
        return this.dnctrl;
      case C.OP_CRCR_LO:
        return this.crr ? C.CRCR_CRR : 0; // the pointer and RCS read 0 (§5.4.5)
      case C.OP_CRCR_HI:
        return 0;
      case C.OP_DCBAAP_LO:
        return this.dcbaapLo;
      case C.OP_DCBAAP_HI:
        return this.dcbaapHi;
      case C.OP_CONFIG:
        return this.configReg;
      default:
        return 0;
    }
  }

  private runtimeRead(r: number): number {
    if (r === C.RT_MFINDEX) {
      if (!this.clock || !(this.usbcmd & C.USBCMD_RS)) return 0;
      return Math.floor(this.clock.now() / 125_000) & 0x3fff;
    }
    if (r < 0x20) return 0;
    const n = (r - 0x20) >> 5;
    const intr = this.intrs[n];
    if (!intr) return 0;
    switch (r & 0x1f) {
      case C.IR_IMAN:
        return intr.iman;
      case C.IR_IMOD:
        return intr.imod;
      case C.IR_ERSTSZ:
        return intr.erstsz;
      case C.IR_ERSTBA_LO:
        return intr.erstbaLo;
      case C.IR_ERSTBA_HI:
        return intr.erstbaHi;
      case C.IR_ERDP_LO:
        return (intr.erdpLo | (this.ehb[n] ? C.ERDP_EHB : 0)) >>> 0;
      case C.IR_ERDP_HI:
        return intr.erdpHi;
      default:
        return 0;
    }
  }

  private write32(offset: number, v: number): void {
    if (offset < C.PORT_BASE) return this.operWrite(offset - C.OPER_BASE, v);
    if (offset < C.PORT_BASE + C.PORT_STRIDE * this.ports.length) {
      const p = this.ports[(offset - C.PORT_BASE) >> 4]!;
      switch (offset & 0xf) {
        case C.PORT_PORTSC:
          if (p.write(v)) this.portChanged(p);
          return;
        default:
          return;
      }
    }
    if (offset >= C.RUNTIME_BASE && offset < C.DOORBELL_BASE) return this.runtimeWrite(offset - C.RUNTIME_BASE, v);
    if (offset >= C.DOORBELL_BASE && offset < C.DOORBELL_BASE + 4 * (this.numSlots + 1)) {
      return this.doorbell((offset - C.DOORBELL_BASE) >> 2, v);
    }
  }

  private operWrite(r: number, v: number): void {
    switch (r) {
      case C.OP_USBCMD: {
        if (v & C.USBCMD_HCRST) {
          this.hcReset();
          return;
        }
        this.usbcmd = v & C.USBCMD_RW_MASK;
        if (this.usbcmd & C.USBCMD_RS) this.usbsts &= ~C.USBSTS_HCH;
        else {
          this.usbsts |= C.USBSTS_HCH;
          this.crr = false;
        }
        // Changes that happened while halted stay in PORTSC without an event (as qemu-xhci):
        // the driver reads every PORTSC when it starts.
        // Save and restore state (CSS/CRS) complete at once; nothing is kept.
        this.updateInterrupt();
        return;
      }
      case C.OP_USBSTS:
        this.usbsts &= ~(v & C.USBSTS_W1C);
        this.updateInterrupt();
        return;
      case C.OP_DNCTRL:
        this.dnctrl = v & 0xffff;
        return;
      case C.OP_CRCR_LO:
        if (this.crr) {
          if (v & (C.CRCR_CS | C.CRCR_CA)) this.stopCommandRing();
          return;
        }
        this.crcrLo = v;
        this.cmdDequeue = this.crcrHi * 2 ** 32 + ((v & ~0x3f) >>> 0);
        this.cmdCcs = v & C.CRCR_RCS;
        return;
      case C.OP_CRCR_HI:
        if (this.crr) return;
        // Only the high half changes: the high write that follows an abort
        // (lo_hi_writeq of CRCR|CA) must not move the stopped ring's dequeue pointer.
        this.crcrHi = v;
        this.cmdDequeue = v * 2 ** 32 + (this.cmdDequeue % 2 ** 32);
        return;
      case C.OP_DCBAAP_LO:
        this.dcbaapLo = (v & ~0x3f) >>> 0;
        return;
      case C.OP_DCBAAP_HI:
        this.dcbaapHi = v;
        return;
      case C.OP_CONFIG:
        this.configReg = v & 0xff; // MaxSlotsEn only (no U3E/CIE), as qemu-xhci
        return;
      default:
        return;
    }
  }

  private runtimeWrite(r: number, v: number): void {
    if (r < 0x20) return; // MFINDEX is read-only
    const n = (r - 0x20) >> 5;
    const intr = this.intrs[n];
    if (!intr) return;
    switch (r & 0x1f) {
      case C.IR_IMAN:
        if (v & C.IMAN_IP) intr.iman &= ~C.IMAN_IP;
        intr.iman = (intr.iman & ~C.IMAN_IE) | (v & C.IMAN_IE);
        this.updateInterrupt();
        return;
      case C.IR_IMOD:
        intr.imod = v;
        return;
      case C.IR_ERSTSZ:
        intr.erstsz = v & 0xffff;
        intr.tableChanged();
        return;
      case C.IR_ERSTBA_LO:
        intr.erstbaLo = (v & ~0x3f) >>> 0;
        intr.tableChanged();
        return;
      case C.IR_ERSTBA_HI:
        intr.erstbaHi = v;
        intr.tableChanged();
        return;
      case C.IR_ERDP_LO:
        intr.erdpLo = (v & ~C.ERDP_EHB) >>> 0;
        if (v & C.ERDP_EHB) this.ehb[n] = false;
        this.erdpMoved(n);
        return;
      case C.IR_ERDP_HI:
        intr.erdpHi = v;
        this.erdpMoved(n);
        return;
    }
  }

  /** The guest consumed events: write held events and interrupt again if events remain. */
  private erdpMoved(n: number): void {
    const intr = this.intrs[n]!;
    const r = intr.drain();
    if (r === 'fault') {
      this.hostControllerError('event ring not writable');
      return;
    }
    if (intr.hasUnconsumed()) this.raise(n);
  }

  // ---- interrupts and events ----------------------------------------------------------

  private get running(): boolean {
    return (this.usbcmd & C.USBCMD_RS) !== 0 && (this.usbsts & C.USBSTS_HCE) === 0;
  }

  /** Interrupter n signals: IP set while EHB is clear (§4.17.2); no moderation delay. */
  private raise(n: number): void {
    const intr = this.intrs[n]!;
    if (this.ehb[n] || !(intr.iman & C.IMAN_IE)) return;
    intr.iman |= C.IMAN_IP;
    this.ehb[n] = true;
    this.usbsts |= C.USBSTS_EINT;
    this.updateInterrupt();
  }

  private updateInterrupt(): void {
    const i0 = this.intrs[0]!.iman;
    this.setIntx((this.usbcmd & C.USBCMD_INTE) !== 0 && (i0 & C.IMAN_IP) !== 0 && (i0 & C.IMAN_IE) !== 0);
  }

  /**
   * Posts an event. `target` is the interrupter a TRB asked for; with pin
   * interrupts (the only kind here) every event goes to interrupter 0.
   */
  private postEvent(d0: number, d1: number, d2: number, d3: number, interrupt = true, _target = 0): void {
    const r = this.intrs[0]!.post(d0, d1, d2, d3);
    if (r === 'fault') {
      this.hostControllerError('event ring not usable');
      return;
    }
    if (r === 'dropped') this.log.guestError(this.name, 'event ring full and too many events held: event dropped');
    if (r === 'unconfigured') {
      this.log.guestError(this.name, 'event for interrupter 0, which has no event ring (ERSTSZ = 0): dropped');
      return;
    }
    if (interrupt) this.raise(0);
  }

  private hostControllerError(why: string): void {
    if (this.usbsts & C.USBSTS_HCE) return;
    this.log.guestError(this.name, `host controller error: ${why}`);
    this.usbsts |= C.USBSTS_HCE;
    this.crr = false;
  }

  /** A change bit went from 0 to 1: a Port Status Change event while running (USBSTS.PCD is not used, as qemu-xhci). */
  private portChanged(p: RootPort): void {
    if (!this.running) return;
    this.postEvent((p.number << 24) >>> 0, 0, C.CC_SUCCESS << 24, C.TRB_PORT_STATUS_CHANGE << 10);
  }

  private commandCompletion(trbAddr: number, cc: number, slotId: number, param = 0): void {
    this.postEvent(lo32(trbAddr), hi32(trbAddr), ((cc << 24) | param) >>> 0, (C.TRB_COMMAND_COMPLETION << 10) | (slotId << 24));
  }

  private transferEvent(ptr: number, cc: number, residual: number, slotId: number, dci: number, ed: boolean, interrupt: boolean, target: number): void {
    this.postEvent(
      lo32(ptr),
      hi32(ptr),
      ((cc << 24) | (residual & 0xffffff)) >>> 0,
      (C.TRB_TRANSFER_EVENT << 10) | (ed ? C.TRB_ED : 0) | (dci << 16) | (slotId << 24),
      interrupt,
      target,
    );
  }

  // ---- doorbells and the command ring --------------------------------------------------------

  private doorbell(n: number, v: number): void {
    if (!this.running) return;
    if (this.inDoorbell) {
      this.log.guestError(this.name, 'doorbell rung re-entrantly; ignored');
      return;
    }
    this.inDoorbell = true;
    try {
      if (n === 0) {
        if ((v & 0xff) !== 0) this.log.guestError(this.name, `doorbell 0 target ${v & 0xff} is reserved`);
        else this.runCommands();
        return;
      }
      const dci = v & 0xff;
      if (dci < 1 || dci > 31) {
        this.log.guestError(this.name, `doorbell ${n}: target ${dci} is not an endpoint`);
        return;
      }
      const slot = this.slots[n]!;
      if (!slot.enabled) {
        this.log.guestError(this.name, `doorbell for disabled slot ${n}`);
        return;
      }
      this.kickEndpoint(n, dci, true);
    } finally {
      this.inDoorbell = false;
    }
    for (let i = 0; i < this.ports.length; i++) {
      if (!this.wakePending[i]) continue;
      this.wakePending[i] = false;
      this.inDoorbell = true;
      try {
        this.deviceWakeNow(this.ports[i]!);
      } finally {
        this.inDoorbell = false;
      }
    }
  }

  private readTrb(addr: number): boolean {
    return this.dma.readBytes(addr, this.trb);
  }

  private runCommands(): void {
    this.crr = true;
    let links = 0;
    for (let done = 0; done < C.MAX_COMMANDS_PER_KICK && this.running && this.crr; ) {
      const at = this.cmdDequeue;
      if (!this.readTrb(at)) {
        this.hostControllerError(`command ring TRB at ${hex(at)} is not in RAM`);
        return;
      }
      const t = this.trbView;
      const d0 = t.getUint32(0, true);
      const d1 = t.getUint32(4, true);
      const d3 = t.getUint32(12, true);
      if ((d3 & C.TRB_C) !== this.cmdCcs) return;
      const type = (d3 >>> 10) & 0x3f;
      if (type === C.TRB_LINK) {
        if (++links > C.MAX_LINKS_IN_A_ROW) {
          this.hostControllerError('command ring is a loop of Link TRBs');
          return;
        }
        if (d3 & C.TRB_TC) this.cmdCcs ^= 1;
        this.cmdDequeue = addr64(d0 & ~0xf, d1);
        continue;
      }
      links = 0;
      done++;
      this.cmdDequeue = at + 16;
      const slotId = (d3 >>> 24) & 0xff;
      let cc = C.CC_SUCCESS;
      let outSlot = slotId;
      switch (type) {
        case C.TRB_NOOP_COMMAND:
          outSlot = 0;
          break;
        case C.TRB_ENABLE_SLOT: {
          outSlot = this.enableSlot();
          if (outSlot === 0) cc = C.CC_NO_SLOTS;
          break;
        }
        case C.TRB_DISABLE_SLOT:
          cc = this.disableSlot(slotId);
          break;
        case C.TRB_ADDRESS_DEVICE:
          cc = this.addressDevice(slotId, addr64(d0 & ~0xf, d1), (d3 & C.TRB_BSR) !== 0);
          break;
        case C.TRB_CONFIGURE_ENDPOINT:
          cc = this.configureEndpoint(slotId, addr64(d0 & ~0xf, d1), (d3 & C.TRB_DC) !== 0);
          break;
        case C.TRB_EVALUATE_CONTEXT:
          cc = this.evaluateContext(slotId, addr64(d0 & ~0xf, d1));
          break;
        case C.TRB_RESET_ENDPOINT:
          cc = this.resetEndpoint(slotId, (d3 >>> 16) & 0x1f);
          break;
        case C.TRB_STOP_ENDPOINT:
          cc = this.stopEndpoint(slotId, (d3 >>> 16) & 0x1f);
          break;
        case C.TRB_SET_TR_DEQUEUE:
          cc = this.setTrDequeue(slotId, (d3 >>> 16) & 0x1f, addr64(d0 & ~0xf, d1), d0 & 1);
          break;
        case C.TRB_RESET_DEVICE:
          cc = this.resetDevice(slotId);
          break;
        default:
          this.log.guestError(this.name, `command TRB type ${type} at ${hex(at)} is not supported`);
          cc = C.CC_TRB_ERROR;
          outSlot = 0;
      }
      // A command naming a bad or disabled slot completes with Slot ID 0 (as qemu-xhci).
      if (cc === C.CC_SLOT_NOT_ENABLED || (cc === C.CC_TRB_ERROR && (slotId < 1 || slotId > this.numSlots))) outSlot = 0;
      this.commandCompletion(at, cc, outSlot);
    }
  }

  /** CRCR.CS or CA: commands run to completion in the doorbell write, so there is never one to abort. */
  private stopCommandRing(): void {
    this.crr = false;
    this.commandCompletion(this.cmdDequeue, C.CC_COMMAND_RING_STOPPED, 0);
  }

  // ---- slots and contexts ----------------------------------------------------------------------

  private checkSlot(id: number): number {
    if (id < 1 || id > this.numSlots) return C.CC_TRB_ERROR;
    if (!this.slots[id]!.enabled) return C.CC_SLOT_NOT_ENABLED;
    return C.CC_SUCCESS;
  }

  private enableSlot(): number {
    const max = Math.min(this.numSlots, this.configReg & 0xff);
    for (let i = 1; i <= max; i++) {
      if (!this.slots[i]!.enabled) {
        this.slots[i] = emptySlot();
        this.slots[i]!.enabled = true;
        return i;
      }
    }
    return 0;
  }

  private disableSlot(id: number): number {
    const cc = this.checkSlot(id);
    if (cc !== C.CC_SUCCESS) return cc;
    this.slots[id] = emptySlot();
    return C.CC_SUCCESS;
  }

  /** Reads a 32-byte context into ctxBuf as 8 dwords. */
  private readCtx(addr: number, out: Uint32Array): boolean {
    if (!this.dma.readBytes(addr, this.ctxBuf)) return false;
    for (let i = 0; i < 8; i++) out[i] = this.ctxView.getUint32(4 * i, true);
    return true;
  }

  private writeCtx(addr: number, dw: Uint32Array): boolean {
    for (let i = 0; i < 8; i++) this.ctxView.setUint32(4 * i, dw[i]! >>> 0, true);
    return this.dma.writeBytes(addr, this.ctxBuf);
  }

  private dcbaaEntry(id: number): number | undefined {
    const base = this.dcbaapHi * 2 ** 32 + this.dcbaapLo;
    const lo = this.dma.read32(base + 8 * id);
    const hi = this.dma.read32(base + 8 * id + 4);
    if (lo === undefined || hi === undefined) return undefined;
    return addr64(lo & ~0x3f, hi);
  }

  private writeSlotState(slot: Slot, id: number): void {
    const dw = new Uint32Array(8);
    if (!this.readCtx(slot.ctx, dw)) {
      this.log.guestError(this.name, `slot ${id}: output context at ${hex(slot.ctx)} is not in RAM`);
      return;
    }
    dw[3] = ((dw[3]! & 0x07ffff00) | (slot.state << 27) | (slot.state >= C.SLOT_STATE_ADDRESSED ? id : 0)) >>> 0;
    this.writeCtx(slot.ctx, dw);
  }

  /** Writes an endpoint's state (and its dequeue pointer when `deq`) into the output context. */
  private writeEpState(slot: Slot, dci: number, deq: boolean): void {
    const ep = slot.eps[dci];
    const dw = new Uint32Array(8);
    const at = slot.ctx + C.CTX_SIZE * dci;
    if (!this.readCtx(at, dw)) {
      this.log.guestError(this.name, `endpoint context at ${hex(at)} is not in RAM`);
      return;
    }
    dw[0] = ((dw[0]! & ~7) | (ep ? ep.state : C.EP_DISABLED)) >>> 0;
    if (deq && ep) {
      dw[2] = ((ep.dequeue % 2 ** 32 & ~0xf) | ep.ccs) >>> 0;
      dw[3] = Math.floor(ep.dequeue / 2 ** 32) >>> 0;
    }
    this.writeCtx(at, dw);
  }

  private addressDevice(id: number, input: number, bsr: boolean): number {
    let cc = this.checkSlot(id);
    if (cc !== C.CC_SUCCESS) return cc;
    const slot = this.slots[id]!;
    // BSR = 1 is accepted in the Default state too (a repeat), as qemu-xhci does.
    if (slot.state >= C.SLOT_STATE_ADDRESSED) return C.CC_CONTEXT_STATE_ERROR;
    const ctl = new Uint32Array(8);
    const sc = new Uint32Array(8);
    const ep0 = new Uint32Array(8);
    if (!this.readCtx(input, ctl) || !this.readCtx(input + 32, sc) || !this.readCtx(input + 64, ep0)) {
      this.log.guestError(this.name, `Address Device: input context at ${hex(input)} is not in RAM`);
      return C.CC_TRB_ERROR;
    }
    if (ctl[0] !== 0 || ctl[1] !== 3) {
      this.log.guestError(this.name, `Address Device: add/drop flags ${hex(ctl[1]!)}/${hex(ctl[0]!)} must be 3/0`);
      return C.CC_PARAMETER_ERROR;
    }
    const portNum = (sc[1]! >>> 16) & 0xff;
    const port = this.ports[portNum - 1];
    if (!port || (sc[0]! & 0xfffff) !== 0) {
      this.log.guestError(this.name, `Address Device: root hub port ${portNum} / route string ${hex(sc[0]! & 0xfffff)} names no port`);
      return C.CC_TRB_ERROR;
    }
    if (((ep0[1]! >>> 3) & 7) !== C.EP_TYPE_CONTROL) {
      this.log.guestError(this.name, 'Address Device: endpoint 0 context is not a control endpoint');
      return C.CC_PARAMETER_ERROR;
    }
    const dev = port.device;
    if (!dev || !(port.portsc & C.PORTSC_PED)) return C.CC_USB_TRANSACTION_ERROR;
    const ctx = this.dcbaaEntry(id);
    if (ctx === undefined || ctx === 0) {
      this.log.guestError(this.name, `Address Device: DCBAA entry for slot ${id} is missing`);
      return C.CC_TRB_ERROR;
    }
    if (!bsr) {
      const r = dev.control({ bmRequestType: 0, bRequest: 5, wValue: id, wIndex: 0, wLength: 0 }, new Uint8Array(0));
      if (r === STALL) return C.CC_USB_TRANSACTION_ERROR;
    }
    cc = C.CC_SUCCESS;
    slot.state = bsr ? C.SLOT_STATE_DEFAULT : C.SLOT_STATE_ADDRESSED;
    slot.port = portNum;
    slot.ctx = ctx;
    sc[3] = ((slot.state << 27) | (bsr ? 0 : id)) >>> 0;
    ep0[0] = ((ep0[0]! & ~7) | C.EP_RUNNING) >>> 0;
    if (!this.writeCtx(ctx, sc) || !this.writeCtx(ctx + 32, ep0)) {
      this.log.guestError(this.name, `Address Device: output context at ${hex(ctx)} is not in RAM`);
    }
    for (let i = 2; i < 32; i++) slot.eps[i] = null;
    slot.eps[1] = { state: C.EP_RUNNING, type: C.EP_TYPE_CONTROL, dequeue: addr64(ep0[2]! & ~0xf, ep0[3]!), ccs: ep0[2]! & 1, waiting: false };
    return cc;
  }

  private configureEndpoint(id: number, input: number, dc: boolean): number {
    const cc = this.checkSlot(id);
    if (cc !== C.CC_SUCCESS) return cc;
    const slot = this.slots[id]!;
    if (slot.state !== C.SLOT_STATE_ADDRESSED && slot.state !== C.SLOT_STATE_CONFIGURED) return C.CC_CONTEXT_STATE_ERROR;
    if (dc) {
      for (let i = 2; i < 32; i++) {
        if (slot.eps[i]) {
          slot.eps[i] = null;
          this.writeEpState(slot, i, false);
        }
      }
      slot.state = C.SLOT_STATE_ADDRESSED;
      this.writeSlotState(slot, id);
      return C.CC_SUCCESS;
    }
    const ctl = new Uint32Array(8);
    if (!this.readCtx(input, ctl)) {
      this.log.guestError(this.name, `Configure Endpoint: input context at ${hex(input)} is not in RAM`);
      return C.CC_TRB_ERROR;
    }
    const drop = ctl[0]!;
    const add = ctl[1]!;
    if (drop & 3 || add & 2) {
      this.log.guestError(this.name, `Configure Endpoint: add/drop flags ${hex(add)}/${hex(drop)} touch the slot or endpoint 0`);
      return C.CC_PARAMETER_ERROR;
    }
    // Validate every added endpoint before changing anything.
    const added: Array<[number, Uint32Array]> = [];
    for (let dci = 2; dci < 32; dci++) {
      if (!((add >>> dci) & 1)) continue;
      const ep = new Uint32Array(8);
      if (!this.readCtx(input + 32 * (dci + 1), ep)) return C.CC_TRB_ERROR;
      const type = (ep[1]! >>> 3) & 7;
      const mps = ep[1]! >>> 16;
      const isIn = (dci & 1) === 1;
      const okType = type !== 0 && type !== C.EP_TYPE_CONTROL && (type >= C.EP_TYPE_ISOCH_IN) === isIn;
      if (!okType || mps === 0) {
        this.log.guestError(this.name, `Configure Endpoint: endpoint context ${dci} has type ${type}, max packet ${mps}`);
        return C.CC_PARAMETER_ERROR;
      }
      added.push([dci, ep]);
    }
    for (let dci = 2; dci < 32; dci++) {
      if ((drop >>> dci) & 1 && slot.eps[dci]) {
        slot.eps[dci] = null;
        this.writeEpState(slot, dci, false);
      }
    }
    for (const [dci, ep] of added) {
      ep[0] = ((ep[0]! & ~7) | C.EP_RUNNING) >>> 0;
      slot.eps[dci] = { state: C.EP_RUNNING, type: (ep[1]! >>> 3) & 7, dequeue: addr64(ep[2]! & ~0xf, ep[3]!), ccs: ep[2]! & 1, waiting: false };
      if (!this.writeCtx(slot.ctx + C.CTX_SIZE * dci, ep)) this.log.guestError(this.name, 'Configure Endpoint: output context is not in RAM');
    }
    const out = new Uint32Array(8);
    if (this.readCtx(slot.ctx, out)) {
      if (add & 1) {
        const sc = new Uint32Array(8);
        if (this.readCtx(input + 32, sc)) out[0] = ((out[0]! & 0x07ffffff) | (sc[0]! & 0xf8000000)) >>> 0;
      }
      let any = false;
      for (let i = 2; i < 32; i++) if (slot.eps[i]) any = true;
      slot.state = any ? C.SLOT_STATE_CONFIGURED : C.SLOT_STATE_ADDRESSED;
      out[3] = ((out[3]! & 0x07ffffff) | (slot.state << 27)) >>> 0;
      this.writeCtx(slot.ctx, out);
    }
    return C.CC_SUCCESS;
  }

  private evaluateContext(id: number, input: number): number {
    const cc = this.checkSlot(id);
    if (cc !== C.CC_SUCCESS) return cc;
    const slot = this.slots[id]!;
    if (slot.state === C.SLOT_STATE_DISABLED) return C.CC_CONTEXT_STATE_ERROR;
    const ctl = new Uint32Array(8);
    const sc = new Uint32Array(8);
    const ep0 = new Uint32Array(8);
    if (!this.readCtx(input, ctl) || !this.readCtx(input + 32, sc) || !this.readCtx(input + 64, ep0)) return C.CC_TRB_ERROR;
    if (ctl[0] !== 0 || ctl[1]! & ~3) {
      this.log.guestError(this.name, `Evaluate Context: add/drop flags ${hex(ctl[1]!)}/${hex(ctl[0]!)}`);
      return C.CC_PARAMETER_ERROR;
    }
    const out = new Uint32Array(8);
    if (ctl[1]! & 1 && this.readCtx(slot.ctx, out)) {
      out[1] = ((out[1]! & ~0xffff) | (sc[1]! & 0xffff)) >>> 0; // max exit latency
      out[2] = ((out[2]! & 0x003fffff) | (sc[2]! & 0xffc00000)) >>> 0; // interrupter target
      this.writeCtx(slot.ctx, out);
    }
    if (ctl[1]! & 2 && this.readCtx(slot.ctx + 32, out)) {
      out[1] = ((out[1]! & 0xffff) | (ep0[1]! & 0xffff0000)) >>> 0; // max packet size
      this.writeCtx(slot.ctx + 32, out);
    }
    return C.CC_SUCCESS;
  }

  private endpoint(id: number, dci: number): Endpoint | number {
    const cc = this.checkSlot(id);
    if (cc !== C.CC_SUCCESS) return cc;
    if (dci < 1 || dci > 31) return C.CC_TRB_ERROR;
    const ep = this.slots[id]!.eps[dci];
    if (!ep || ep.state === C.EP_DISABLED) return C.CC_EP_NOT_ENABLED;
    return ep;
  }

  private resetEndpoint(id: number, dci: number): number {
    const ep = this.endpoint(id, dci);
    if (typeof ep === 'number') return ep;
    if (ep.state !== C.EP_HALTED) return C.CC_CONTEXT_STATE_ERROR;
    ep.state = C.EP_STOPPED;
    this.writeEpState(this.slots[id]!, dci, true);
    return C.CC_SUCCESS;
  }

  private stopEndpoint(id: number, dci: number): number {
    const ep = this.endpoint(id, dci);
    if (typeof ep === 'number') return ep;
    if (ep.state !== C.EP_RUNNING) return C.CC_CONTEXT_STATE_ERROR;
    if (ep.waiting && this.readTrb(ep.dequeue)) {
      // The TD the endpoint was waiting on stops with nothing transferred (§4.6.9).
      const len = this.trbView.getUint32(8, true) & 0x1ffff;
      this.transferEvent(ep.dequeue, C.CC_STOPPED, len, id, dci, false, true, 0);
    }
    ep.waiting = false;
    ep.state = C.EP_STOPPED;
    this.writeEpState(this.slots[id]!, dci, true);
    return C.CC_SUCCESS;
  }

  private setTrDequeue(id: number, dci: number, ptr: number, dcs: number): number {
    const ep = this.endpoint(id, dci);
    if (typeof ep === 'number') return ep;
    if (ep.state !== C.EP_STOPPED && ep.state !== C.EP_ERROR) return C.CC_CONTEXT_STATE_ERROR;
    ep.dequeue = ptr;
    ep.ccs = dcs;
    ep.waiting = false;
    this.writeEpState(this.slots[id]!, dci, true);
    return C.CC_SUCCESS;
  }

  private resetDevice(id: number): number {
    const cc = this.checkSlot(id);
    if (cc !== C.CC_SUCCESS) return cc;
    const slot = this.slots[id]!;
    if (slot.state !== C.SLOT_STATE_ADDRESSED && slot.state !== C.SLOT_STATE_CONFIGURED) return C.CC_CONTEXT_STATE_ERROR;
    for (let i = 2; i < 32; i++) {
      if (slot.eps[i]) {
        slot.eps[i] = null;
        this.writeEpState(slot, i, false);
      }
    }
    slot.state = C.SLOT_STATE_DEFAULT;
    const out = new Uint32Array(8);
    if (this.readCtx(slot.ctx, out)) {
      out[0] = ((out[0]! & 0x07ffffff) | (1 << 27)) >>> 0; // context entries = 1
      out[3] = (C.SLOT_STATE_DEFAULT << 27) >>> 0;
      this.writeCtx(slot.ctx, out);
    }
    return C.CC_SUCCESS;
  }

  // ---- transfers ------------------------------------------------------------------------------

  private deviceWake(p: RootPort): void {
    if (this.inDoorbell) {
      // A device woke while a doorbell runs (e.g. data echoed from an OUT transfer): serve it after.
      this.wakePending[p.number - 1] = true;
      return;
    }
    if (!this.running) return;
    this.inDoorbell = true;
    try {
      this.deviceWakeNow(p);
    } finally {
      this.inDoorbell = false;
    }
  }

  private deviceWakeNow(p: RootPort): void {
    for (let id = 1; id <= this.numSlots; id++) {
      const slot = this.slots[id]!;
      if (!slot.enabled || slot.port !== p.number) continue;
      for (let dci = 3; dci < 32; dci += 2) {
        const ep = slot.eps[dci];
        if (ep && ep.state === C.EP_RUNNING) this.kickEndpoint(id, dci, false);
      }
    }
  }

  private kickEndpoint(id: number, dci: number, fromDoorbell: boolean): void {
    const slot = this.slots[id]!;
    const ep = slot.eps[dci];
    if (!ep || ep.state === C.EP_DISABLED) {
      this.log.guestError(this.name, `doorbell for disabled endpoint ${dci} of slot ${id}`);
      return;
    }
    if (ep.state === C.EP_HALTED || ep.state === C.EP_ERROR) return;
    if (ep.state === C.EP_STOPPED) {
      if (!fromDoorbell) return;
      ep.state = C.EP_RUNNING;
      this.writeEpState(slot, dci, false);
    }
    ep.waiting = false;
    for (let n = 0; n < C.MAX_TDS_PER_KICK && this.running && ep.state === C.EP_RUNNING; n++) {
      if (!this.runTd(id, slot, dci, ep)) break;
    }
  }

  /**
   * Gathers the next TD into tdAddr/tdDw, following Link TRBs. A control TD
   * runs from a Setup TRB to its Status TRB; any other TD ends at a TRB
   * without the chain bit. Returns the TRB count or a COLLECT_* code.
   */
  private collect(ep: Endpoint, control: boolean): number {
    let addr = ep.dequeue;
    let ccs = ep.ccs;
    let n = 0;
    let links = 0;
    const t = this.trbView;
    for (;;) {
      if (!this.readTrb(addr)) return COLLECT_FAULT;
      const d3 = t.getUint32(12, true);
      if ((d3 & C.TRB_C) !== ccs) return n === 0 ? COLLECT_EMPTY : COLLECT_INCOMPLETE;
      const type = (d3 >>> 10) & 0x3f;
      if (type === C.TRB_LINK) {
        if (++links > C.MAX_LINKS_IN_A_ROW) return COLLECT_LOOP;
        if (d3 & C.TRB_TC) ccs ^= 1;
        addr = addr64(t.getUint32(0, true) & ~0xf, t.getUint32(4, true));
        continue;
      }
      if (n >= C.MAX_TRBS_PER_TD) return COLLECT_LOOP;
      this.tdAddr[n] = addr;
      this.tdDw[4 * n] = t.getUint32(0, true);
      this.tdDw[4 * n + 1] = t.getUint32(4, true);
      this.tdDw[4 * n + 2] = t.getUint32(8, true);
      this.tdDw[4 * n + 3] = d3;
      n++;
      addr += 16;
      const done = control ? type === C.TRB_STATUS || (n === 1 && type !== C.TRB_SETUP) : (d3 & C.TRB_CH) === 0;
      if (done) {
        this.nextDequeue = addr;
        this.nextCcs = ccs;
        return n;
      }
    }
  }

  /** Runs one TD. Returns false when the endpoint has nothing more to do now. */
  private runTd(id: number, slot: Slot, dci: number, ep: Endpoint): boolean {
    const control = dci === 1;
    const n = this.collect(ep, control);
    if (n === COLLECT_EMPTY || n === COLLECT_INCOMPLETE) return false;
    if (n === COLLECT_FAULT) {
      this.hostControllerError(`slot ${id} endpoint ${dci}: transfer ring TRB is not in RAM`);
      return false;
    }
    if (n === COLLECT_LOOP) {
      this.log.guestError(this.name, `slot ${id} endpoint ${dci}: TD at ${hex(ep.dequeue)} never ends (Link TRB loop or endless chain)`);
      this.halt(slot, dci, ep, id, ep.dequeue, C.CC_TRB_ERROR, 0);
      return false;
    }
    const dev = this.ports[slot.port - 1]?.device ?? null;
    if (!dev || !(this.ports[slot.port - 1]!.portsc & C.PORTSC_PED)) {
      this.halt(slot, dci, ep, id, this.tdAddr[0]!, C.CC_USB_TRANSACTION_ERROR, 0);
      return false;
    }
    return control ? this.runControl(id, slot, ep, dev, n) : this.runData(id, slot, dci, ep, dev, n);
  }

  private halt(slot: Slot, dci: number, ep: Endpoint, id: number, at: number, cc: number, residual: number): void {
    ep.state = C.EP_HALTED;
    ep.waiting = false;
    this.transferEvent(at, cc, residual, id, dci, false, true, 0);
    this.writeEpState(slot, dci, true);
  }

  private trbType(i: number): number {
    return (this.tdDw[4 * i + 3]! >>> 10) & 0x3f;
  }

  private isDataTrb(type: number): boolean {
    return type === C.TRB_NORMAL || type === C.TRB_DATA || type === C.TRB_ISOCH;
  }

  /** Bytes the data TRBs from..to-1 can hold. */
  private tdLength(from: number, to: number): number {
    let total = 0;
    for (let i = from; i < to; i++) if (this.isDataTrb(this.trbType(i))) total += this.tdDw[4 * i + 2]! & 0x1ffff;
    return total;
  }

  /** Reads the OUT data of TRBs from..to-1 (immediate data or buffers). Undefined if a buffer is not in RAM. */
  private gather(from: number, to: number, limit: number): Uint8Array | undefined {
    const out = new Uint8Array(Math.min(limit, this.tdLength(from, to)));
    let at = 0;
    for (let i = from; i < to && at < out.length; i++) {
      if (!this.isDataTrb(this.trbType(i))) continue;
      const d = 4 * i;
      const len = Math.min(this.tdDw[d + 2]! & 0x1ffff, out.length - at);
      if (this.tdDw[d + 3]! & C.TRB_IDT) {
        for (let k = 0; k < Math.min(len, 8); k++) out[at + k] = (this.tdDw[d + (k >> 2)]! >>> (8 * (k & 3))) & 0xff;
      } else if (len > 0 && !this.dma.readBytes(addr64(this.tdDw[d]!, this.tdDw[d + 1]!), out.subarray(at, at + len))) {
        return undefined;
      }
      at += len;
    }
    return out;
  }

  /**
   * Completes TRBs from..to-1 of a TD after `data` (IN) or `moved` bytes
   * (OUT) went through: scatters IN data into the buffers and posts the
   * Transfer Events the IOC, ISP and Event Data TRBs ask for.
   */
  private finish(id: number, dci: number, from: number, to: number, data: Uint8Array | null, moved: number): void {
    let remaining = data ? data.length : moved;
    let offset = 0;
    let short = false;
    let reported = false;
    let edtla = 0;
    let bufferError = false;
    for (let i = from; i < to; i++) {
      const d = 4 * i;
      const d3 = this.tdDw[d + 3]!;
      const type = (d3 >>> 10) & 0x3f;
      const target = this.tdDw[d + 2]! >>> 22;
      const interrupt = (d3 & C.TRB_BEI) === 0;
      if (this.isDataTrb(type)) {
        const len = this.tdDw[d + 2]! & 0x1ffff;
        const chunk = Math.min(len, remaining);
        if (data && chunk > 0 && !bufferError) {
          if (!this.dma.writeBytes(addr64(this.tdDw[d]!, this.tdDw[d + 1]!), data.subarray(offset, offset + chunk))) {
            this.log.guestError(this.name, `slot ${id} endpoint ${dci}: data buffer at ${hex(addr64(this.tdDw[d]!, this.tdDw[d + 1]!))} is not in RAM`);
            bufferError = true;
            this.transferEvent(this.tdAddr[i]!, C.CC_DATA_BUFFER_ERROR, len, id, dci, false, true, target);
            reported = true;
          }
        }
        offset += chunk;
        remaining -= chunk;
        edtla += chunk;
        if (chunk < len) short = true;
        if (!reported && (d3 & C.TRB_IOC || (short && d3 & C.TRB_ISP))) {
          this.transferEvent(this.tdAddr[i]!, short ? C.CC_SHORT_PACKET : C.CC_SUCCESS, len - chunk, id, dci, false, interrupt, target);
          reported = true;
        }
      } else if (type === C.TRB_EVENT_DATA) {
        if (!reported && (d3 & C.TRB_IOC || (short && d3 & C.TRB_ISP))) {
          const p = addr64(this.tdDw[d]!, this.tdDw[d + 1]!);
          this.transferEvent(p, short ? C.CC_SHORT_PACKET : C.CC_SUCCESS, edtla, id, dci, true, interrupt, target);
          reported = true;
        }
        edtla = 0;
      } else if (type === C.TRB_NOOP || type === C.TRB_SETUP || type === C.TRB_STATUS) {
        if (!reported && d3 & C.TRB_IOC) {
          this.transferEvent(this.tdAddr[i]!, C.CC_SUCCESS, 0, id, dci, false, interrupt, target);
          reported = true;
        }
      } else {
        this.log.guestError(this.name, `slot ${id} endpoint ${dci}: TRB type ${type} at ${hex(this.tdAddr[i]!)} does not belong on a transfer ring`);
        this.transferEvent(this.tdAddr[i]!, C.CC_TRB_ERROR, 0, id, dci, false, true, target);
        reported = true;
      }
    }
  }

  /** Moves past the TD just run; the output context follows (as qemu-xhci, which keeps it current). */
  private advance(slot: Slot, ep: Endpoint, dci: number): void {
    ep.dequeue = this.nextDequeue;
    ep.ccs = this.nextCcs;
    const at = slot.ctx + C.CTX_SIZE * dci + 8;
    this.dma.write32(at, ((ep.dequeue % 2 ** 32 & ~0xf) | ep.ccs) >>> 0);
    this.dma.write32(at + 4, Math.floor(ep.dequeue / 2 ** 32) >>> 0);
  }

  private runControl(id: number, slot: Slot, ep: Endpoint, dev: UsbDevice, n: number): boolean {
    if (this.trbType(0) !== C.TRB_SETUP) {
      this.log.guestError(this.name, `slot ${id}: control TD at ${hex(this.tdAddr[0]!)} does not start with a Setup TRB`);
      this.halt(slot, 1, ep, id, this.tdAddr[0]!, C.CC_TRB_ERROR, 0);
      return false;
    }
    if (n < 2 || this.trbType(n - 1) !== C.TRB_STATUS) {
      this.halt(slot, 1, ep, id, this.tdAddr[0]!, C.CC_TRB_ERROR, 0);
      return false;
    }
    const setup = setupFromDwords(this.tdDw[0]!, this.tdDw[1]!);
    const dirIn = (setup.bmRequestType & 0x80) !== 0;
    const room = this.tdLength(1, n - 1);
    // Errors of a control transfer are reported on its Setup TRB, as qemu-xhci does.
    const stallAt = this.tdAddr[0]!;
    let result;
    let moved = 0;
    if (dirIn) {
      result = dev.control(setup, new Uint8Array(0));
    } else {
      const out = this.gather(1, n - 1, Math.min(setup.wLength, C.MAX_CONTROL_DATA));
      if (!out) {
        this.log.guestError(this.name, `slot ${id}: control OUT data buffer is not in RAM`);
        this.halt(slot, 1, ep, id, stallAt, C.CC_DATA_BUFFER_ERROR, room);
        return false;
      }
      moved = out.length;
      result = dev.control(setup, out);
    }
    if (result === STALL) {
      this.halt(slot, 1, ep, id, stallAt, C.CC_STALL, 0);
      return false;
    }
    this.advance(slot, ep, 1);
    this.finish(id, 1, 0, 1, null, 0);
    if (n > 2) {
      const data = dirIn ? result.subarray(0, Math.min(result.length, setup.wLength, room)) : null;
      this.finish(id, 1, 1, n - 1, data, moved);
    }
    this.finish(id, 1, n - 1, n, null, 0);
    return true;
  }

  private runData(id: number, slot: Slot, dci: number, ep: Endpoint, dev: UsbDevice, n: number): boolean {
    const dirIn = (dci & 1) === 1;
    const epNum = dci >> 1;
    const room = this.tdLength(0, n);
    if (dirIn) {
      const r = dev.transferIn(epNum, room);
      if (r === NAK) {
        ep.waiting = true;
        return false;
      }
      if (r === STALL) {
        this.halt(slot, dci, ep, id, this.tdAddr[0]!, C.CC_STALL, this.tdDw[2]! & 0x1ffff);
        return false;
      }
      if (r.length > room) {
        this.halt(slot, dci, ep, id, this.tdAddr[0]!, C.CC_BABBLE, 0);
        return false;
      }
      this.advance(slot, ep, dci);
      this.finish(id, dci, 0, n, r, 0);
      return true;
    }
    const out = this.gather(0, n, room);
    if (!out) {
      this.log.guestError(this.name, `slot ${id} endpoint ${dci}: OUT data buffer is not in RAM`);
      this.advance(slot, ep, dci);
      this.transferEvent(this.tdAddr[0]!, C.CC_DATA_BUFFER_ERROR, room, id, dci, false, true, 0);
      return true;
    }
    const r = dev.transferOut(epNum, out);
    if (r === NAK) {
      ep.waiting = true;
      return false;
    }
    if (r === STALL) {
      this.halt(slot, dci, ep, id, this.tdAddr[0]!, C.CC_STALL, this.tdDw[2]! & 0x1ffff);
      return false;
    }
    this.advance(slot, ep, dci);
    this.finish(id, dci, 0, n, null, out.length);
    return true;
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  override saveState(): DeviceState<SavedState> {
    const pci = super.saveState().data;
    return makeState('xhci:' + this.name, STATE_VERSION, {
      ...pci,
      usbcmd: this.usbcmd,
      usbsts: this.usbsts,
      dnctrl: this.dnctrl,
      crcrLo: this.crcrLo,
      crcrHi: this.crcrHi,
      cmdDequeue: this.cmdDequeue,
      cmdCcs: this.cmdCcs,
      crr: this.crr,
      dcbaap: (this.dcbaapHi * 2 ** 32 + this.dcbaapLo).toString(),
      configReg: this.configReg,
      ports: this.ports.map((p) => ({ portsc: p.portsc, portpmsc: p.portpmsc, porthlpmc: p.porthlpmc, device: p.device?.saveState() ?? null })),
      interrupters: this.intrs.map((i) => i.saveState()),
      ehb: [...this.ehb],
      slots: this.slots.map((s) =>
        s.enabled
          ? {
              state: s.state,
              port: s.port,
              ctx: s.ctx.toString(),
              eps: s.eps.flatMap((e, dci): Array<[number, number, number, string, number, boolean]> =>
                e ? [[dci, e.state, e.type, e.dequeue.toString(), e.ccs, e.waiting]] : [],
              ),
            }
          : null,
      ),
    });
  }

  /**
   * Restores registers, rings, slots, endpoints and the attached devices'
   * state. Devices are not part of the state: the same devices must be
   * attached to the same ports before restoring.
   */
  override restoreState(state: DeviceState<{ config: string; intx: boolean }>): void {
    const d = checkState<SavedState>(state, 'xhci:' + this.name, STATE_VERSION);
    super.restoreState({ type: 'pci:' + this.name, version: 1, data: { config: d.config, intx: d.intx } });
    this.usbcmd = d.usbcmd & C.USBCMD_RW_MASK;
    this.usbsts = d.usbsts >>> 0;
    this.dnctrl = d.dnctrl & 0xffff;
    this.crcrLo = d.crcrLo >>> 0;
    this.crcrHi = d.crcrHi >>> 0;
    this.cmdDequeue = Number(d.cmdDequeue);
    this.cmdCcs = d.cmdCcs & 1;
    this.crr = !!d.crr;
    const dcbaap = Number(d.dcbaap);
    this.dcbaapLo = dcbaap % 2 ** 32 >>> 0;
    this.dcbaapHi = Math.floor(dcbaap / 2 ** 32) >>> 0;
    this.configReg = d.configReg & 0x3ff;
    d.ports.forEach((s, i) => {
      const p = this.ports[i];
      if (!p) return;
      p.portsc = s.portsc >>> 0;
      p.portpmsc = s.portpmsc >>> 0;
      p.porthlpmc = s.porthlpmc >>> 0;
      if (s.device && p.device) p.device.restoreState(s.device);
      if (!p.device) p.connectState(false);
    });
    d.interrupters.forEach((s, i) => this.intrs[i]?.restoreState(s));
    d.ehb.forEach((b, i) => {
      if (i < this.ehb.length) this.ehb[i] = !!b;
    });
    for (let i = 0; i < this.slots.length; i++) {
      const s = d.slots[i];
      const slot = emptySlot();
      if (s) {
        slot.enabled = true;
        slot.state = s.state & 3;
        slot.port = s.port;
        slot.ctx = Number(s.ctx);
        for (const [dci, st, type, deq, ccs, waiting] of s.eps) {
          if (dci >= 1 && dci < 32) slot.eps[dci] = { state: st & 7, type: type & 7, dequeue: Number(deq), ccs: ccs & 1, waiting: !!waiting };
        }
      }
      this.slots[i] = slot;
    }
    this.updateInterrupt();
  }
}

function emptySlot(): Slot {
  return { enabled: false, state: C.SLOT_STATE_DISABLED, port: 0, ctx: 0, eps: new Array<Endpoint | null>(32).fill(null) };
}

function addr64(lo: number, hi: number): number {
  return (hi >>> 0) * 2 ** 32 + (lo >>> 0);
}

function lo32(a: number): number {
  return a % 2 ** 32 >>> 0;
}

function hi32(a: number): number {
  return Math.floor(a / 2 ** 32) >>> 0;
}
