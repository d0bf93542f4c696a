import {
  checkState,
  ConfigValidator,
  type DeviceState,
  hex,
  IrqLine,
  type Log,
  type MmioHandler,
  MmioRegion,
  type Resettable,
  silentLog,
  type Snapshottable,
  type Timer,
  type VirtualClock,
} from '@vmapple/core-bus';
import { Fifo } from './fifo.js';
import * as R from './registers.js';

/** Where transmitted bytes go (a terminal, a file, a test buffer). */
export type TransmitSink = (byte: number) => void;

/** Receive errors a host can attach to an injected character. */
export interface ReceiveErrors {
  framing?: boolean;
  parity?: boolean;
  /** A break condition: the character is 0 and BE is set. */
  break?: boolean;
}

/** Levels of the modem status inputs (true = asserted). */
export interface ModemInputs {
  cts?: boolean;
  dsr?: boolean;
  dcd?: boolean;
  ri?: boolean;
}

export interface Pl011Options {
  /** Name used in logs. Default "pl011". */
  name?: string;
  log?: Log;
  /** Virtual clock for the receive timeout. Without one the timeout is immediate. */
  clock?: VirtualClock;
  /** UARTCLK in Hz, used to turn the baud divisor into a receive timeout. Default 24 MHz. */
  clockHz?: number;
  /** Transmitted bytes. Can also be set later through the `onTransmit` property. */
  onTransmit?: TransmitSink;
  /** Called when the RX FIFO has room again after `receive` refused bytes. */
  onReceiveSpace?: () => void;
  /** Called when the guest starts (true) or stops (false) sending a break (UARTLCR_H.BRK). */
  onBreak?: (active: boolean) => void;
  /**
   * When true, UARTCR.UARTEN/TXE/RXE gate the data paths as in the TRM: bytes
   * written while the transmitter is disabled wait in the TX FIFO (and go out
   * once it is enabled), and input is held back while the receiver is
   * disabled. Default false: like QEMU, the UART transmits and receives
   * whatever UARTCR says, so an early console that never enables the UART
   * still works.
   */
  honourEnable?: boolean;
}

interface Pl011Data {
  dr: number;
  rsr: number;
  ilpr: number;
  ibrd: number;
  fbrd: number;
  lcrh: number;
  cr: number;
  ifls: number;
  imsc: number;
  ris: number;
  dmacr: number;
  rx: number[];
  tx: number[];
  pendingOverrun: boolean;
  wantSpace: boolean;
  modem: number;
  /** Deadline (virtual ns) of the receive timeout, or null. */
  timeoutAt: number | null;
}

const STATE_TYPE = 'pl011';
const STATE_VERSION = 1;
const DEFAULT_CLOCK_HZ = 24_000_000;
/** Receive timeout when the divisor is not programmed: 32 bit periods at 115200 baud. */
const DEFAULT_TIMEOUT_NS = Math.round((32 * 1e9) / 115200);

/**
 * Arm PrimeCell PL011 UART (r1p5): 32-entry FIFOs, the interrupt conditions
 * of the TRM combined into one level output `irq`, and a host side with
 * back-pressure: `receive` takes only what fits, and `onReceiveSpace` says
 * when to try again, so no input byte is ever dropped.
 */
export class Pl011 implements MmioHandler, Resettable, Snapshottable<Pl011Data> {
  readonly name: string;
  readonly region: MmioRegion;
  /** UARTINTR: high while UARTMIS != 0. */
  readonly irq = new IrqLine();
  onTransmit: TransmitSink | null;
  onReceiveSpace: (() => void) | null;
  onBreak: ((active: boolean) => void) | null;

  private readonly log: Log;
  private readonly clock: VirtualClock | null;
  private readonly timer: Timer | null;
  private readonly clockHz: number;
  private readonly honourEnable: boolean;
  private readonly rx = new Fifo(R.PL011_FIFO_DEPTH);
  private readonly tx = new Fifo(R.PL011_FIFO_DEPTH);

  private dr = 0;
  private rsr = 0;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private lcrh = 0;
  private cr = R.RESET_CR;
  private ifls = R.RESET_IFLS;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  /** An overrun happened; the next character stored carries DR.OE. */
  private pendingOverrun = false;
  /** `receive` refused bytes: call onReceiveSpace when room appears. */
  private wantSpace = false;
  /** Modem inputs as UARTFR bits (CTS, DSR, DCD, RI). */
  private modem = 0;
  /** Guards against a sink that writes back into the UART while it drains. */
  private draining = false;

  constructor(options: Pl011Options = {}) {
    const v = new ConfigValidator('pl011');
    this.name = v.string('name', options.name, 'pl011', 64);
    this.clockHz = v.int('clockHz', options.clockHz, DEFAULT_CLOCK_HZ, { min: 1, max: 1_000_000_000 });
    this.honourEnable = v.bool('honourEnable', options.honourEnable, false);
    this.log = options.log ?? silentLog;
    this.clock = options.clock ?? null;
    this.timer = this.clock ? this.clock.createTimer(() => this.receiveTimeout()) : null;
    this.onTransmit = options.onTransmit ?? null;
    this.onReceiveSpace = options.onReceiveSpace ?? null;
    this.onBreak = options.onBreak ?? null;
    this.region = new MmioRegion({
      name: this.name,
      size: R.PL011_REGION_SIZE,
      handler: this,
      valid: { min: 1, max: 4 },
      impl: { min: 1, max: 4 },
    });
    this.reset();
  }

  // ---- host side ----------------------------------------------------------

  /** How many bytes `receive` would accept now. */
  get receiveSpace(): number {
    if (!this.receiverOn()) return 0;
    return this.fifoDepth() - this.rx.length;
  }

  /**
   * Offers input bytes; returns how many were taken (a prefix of `bytes`).
   * If fewer than all, `onReceiveSpace` fires once the guest has made room.
   */
  receive(bytes: ArrayLike<number>): number {
    let n = 0;
    if (this.receiverOn()) {
      const depth = this.fifoDepth();
      while (n < bytes.length && this.rx.length < depth) {
        this.storeReceived(bytes[n]! & 0xff);
        n++;
      }
    }
    if (n < bytes.length) this.wantSpace = true;
    if (n > 0) this.received();
    return n;
  }

  /**
   * Offers one character with receive errors (framing, parity, break), as a
   * line fault would deliver it. Returns false (try again later) when the
   * RX FIFO is full.
   */
  receiveWithErrors(byte: number, errors: ReceiveErrors): boolean {
    if (!this.receiverOn() || this.rx.length >= this.fifoDepth()) {
      this.wantSpace = true;
      return false;
    }
    let flags = 0;
    if (errors.framing) flags |= R.DR_FE;
    if (errors.parity) flags |= R.DR_PE;
    if (errors.break) flags |= R.DR_BE;
    this.storeReceived((errors.break ? 0 : byte & 0xff) | flags);
    this.received();
    return true;
  }

  /** Sets the modem status inputs; a change raises the matching modem interrupt. */
  setModemInputs(inputs: ModemInputs): void {
    let next = this.modem;
    const apply = (value: boolean | undefined, bit: number) => {
      if (value !== undefined) next = value ? next | bit : next & ~bit;
    };
    apply(inputs.cts, R.FR_CTS);
    apply(inputs.dsr, R.FR_DSR);
    apply(inputs.dcd, R.FR_DCD);
    apply(inputs.ri, R.FR_RI);
    const changed = this.modem ^ next;
    this.modem = next;
    if (changed & R.FR_CTS) this.ris |= R.INT_CTS;
    if (changed & R.FR_DSR) this.ris |= R.INT_DSR;
    if (changed & R.FR_DCD) this.ris |= R.INT_DCD;
    if (changed & R.FR_RI) this.ris |= R.INT_RI;
    this.updateIrq();
  }

  // ---- reset and snapshots -------------------------------------------------

  /** Power-on state: registers at their TRM reset values, FIFOs empty (queued input is discarded). */
  reset(): void {
    this.dr = 0;
    this.rsr = 0;
    this.ilpr = 0;
    this.ibrd = 0;
    this.fbrd = 0;
    const wasBreak = (this.lcrh & R.LCR_H_BRK) !== 0;
    this.lcrh = 0;
    this.cr = R.RESET_CR;
    this.ifls = R.RESET_IFLS;
    this.imsc = 0;
    this.ris = 0;
    this.dmacr = 0;
    this.pendingOverrun = false;
    this.rx.clear();
    this.tx.clear();
    this.timer?.cancel();
    this.updateIrq();
    if (wasBreak) this.onBreak?.(false);
    this.notifySpace();
  }

  saveState(): DeviceState<Pl011Data> {
    return {
      type: STATE_TYPE,
      version: STATE_VERSION,
      data: {
        dr: this.dr,
        rsr: this.rsr,
        ilpr: this.ilpr,
        ibrd: this.ibrd,
        fbrd: this.fbrd,
        lcrh: this.lcrh,
        cr: this.cr,
        ifls: this.ifls,
        imsc: this.imsc,
        ris: this.ris,
        dmacr: this.dmacr,
        rx: this.rx.toArray(),
        tx: this.tx.toArray(),
        pendingOverrun: this.pendingOverrun,
        wantSpace: this.wantSpace,
        modem: this.modem,
        timeoutAt: this.timer?.armed ? this.timer.deadline : null,
      },
    };
  }

  restoreState(state: DeviceState<Pl011Data>): void {
    const d = checkState<Pl011Data>(state, STATE_TYPE, STATE_VERSION);
    this.dr = d.dr & 0xfff;
    this.rsr = d.rsr & 0xf;
    this.ilpr = d.ilpr & R.MASK_ILPR;
    this.ibrd = d.ibrd & R.MASK_IBRD;
    this.fbrd = d.fbrd & R.MASK_FBRD;
    this.lcrh = d.lcrh & R.MASK_LCR_H;
    this.cr = d.cr & R.MASK_CR;
    this.ifls = d.ifls & R.MASK_IFLS;
    this.imsc = d.imsc & R.INT_ALL;
    this.ris = d.ris & R.INT_ALL;
    this.dmacr = d.dmacr & R.MASK_DMACR;
    this.rx.load(d.rx);
    this.tx.load(d.tx);
    this.pendingOverrun = d.pendingOverrun === true;
    this.wantSpace = d.wantSpace === true;
    this.modem = d.modem & (R.FR_CTS | R.FR_DSR | R.FR_DCD | R.FR_RI);
    this.timer?.cancel();
    if (this.timer && typeof d.timeoutAt === 'number') this.timer.arm(d.timeoutAt);
    this.updateIrq();
  }

  // ---- MMIO -----------------------------------------------------------------

  read(offset: number, size: number): number {
    const shift = (offset & 3) * 8;
    const value = this.readRegister(offset & ~3);
    return size === 4 ? value >>> 0 : (value >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: number, value: number): void {
    if ((offset & 3) !== 0) {
      this.log.guestError(this.name, `${size}-byte write at ${hex(offset)} is not at a register's start; ignored`);
      return;
    }
    this.writeRegister(offset, value);
  }

  private readRegister(reg: number): number {
    switch (reg) {
      case R.UARTDR:
        return this.readData();
      case R.UARTRSR_ECR:
        return this.rsr;
      case R.UARTFR:
        return this.flags();
      case R.UARTILPR:
        return this.ilpr;
      case R.UARTIBRD:
        return this.ibrd;
      case R.UARTFBRD:
        return this.fbrd;
      case R.UARTLCR_H:
        return this.lcrh;
      case R.UARTCR:
        return this.cr;
      case R.UARTIFLS:
        return this.ifls;
      case R.UARTIMSC:
        return this.imsc;
      case R.UARTRIS:
        return this.ris;
      case R.UARTMIS:
        return this.ris & this.imsc;
      case R.UARTICR:
        this.log.guestError(this.name, 'read of write-only UARTICR');
        return 0;
      case R.UARTDMACR:
        return this.dmacr;
    }
    if (reg >= R.UARTPeriphID0 && reg <= 0xffc) return R.PL011_ID[(reg - R.UARTPeriphID0) >> 2]!;
    this.log.guestError(this.name, `read of unknown register ${hex(reg)}`);
    return 0;
  }

  private writeRegister(reg: number, value: number): void {
    switch (reg) {
      case R.UARTDR:
        this.writeData(value & 0xff);
        return;
      case R.UARTRSR_ECR:
        this.rsr = 0;
        return;
      case R.UARTILPR:
        this.ilpr = value & R.MASK_ILPR;
        return;
      case R.UARTIBRD:
        this.ibrd = value & R.MASK_IBRD;
        return;
      case R.UARTFBRD:
        this.fbrd = value & R.MASK_FBRD;
        return;
      case R.UARTLCR_H:
        this.writeLineControl(value & R.MASK_LCR_H);
        return;
      case R.UARTCR:
        this.writeControl(value & R.MASK_CR);
        return;
      case R.UARTIFLS:
        if ((value & 7) > 4 || ((value >> 3) & 7) > 4) {
          this.log.guestError(this.name, `UARTIFLS ${hex(value)} selects a reserved trigger level (treated as 7/8)`);
        }
        this.ifls = value & R.MASK_IFLS;
        this.levelsChanged();
        return;
      case R.UARTIMSC:
        this.imsc = value & R.INT_ALL;
        this.updateIrq();
        return;
      case R.UARTICR:
        this.clearInterrupts(value & R.INT_ALL);
        return;
      case R.UARTDMACR:
        this.dmacr = value & R.MASK_DMACR;
        if (this.dmacr & (R.DMACR_RXDMAE | R.DMACR_TXDMAE)) {
          this.log.unimplemented(this.name, 'DMA requests (UARTDMACR) are not connected');
        }
        return;
      case R.UARTFR:
      case R.UARTRIS:
      case R.UARTMIS:
        this.log.guestError(this.name, `write to read-only register ${hex(reg)}`);
        return;
    }
    if (reg >= R.UARTPeriphID0 && reg <= 0xffc) {
      this.log.guestError(this.name, `write to read-only ID register ${hex(reg)}`);
      return;
    }
    this.log.guestError(this.name, `write of ${hex(value)} to unknown register ${hex(reg)}`);
  }

  // ---- data paths -------------------------------------------------------------

  private fifoDepth(): number {
    return this.lcrh & R.LCR_H_FEN ? R.PL011_FIFO_DEPTH : 1;
  }

  private rxTrigger(): number {
    if (!(this.lcrh & R.LCR_H_FEN)) return 1;
    return R.TRIGGER_LEVELS[Math.min((this.ifls >> 3) & 7, 4)]!;
  }

  /** The TX interrupt is asserted while the TX FIFO holds at most this many entries. */
  private txTrigger(): number {
    if (!(this.lcrh & R.LCR_H_FEN)) return 0;
    return R.TRIGGER_LEVELS[Math.min(this.ifls & 7, 4)]!;
  }

  private transmitterOn(): boolean {
    return !this.honourEnable || (this.cr & (R.CR_UARTEN | R.CR_TXE)) === (R.CR_UARTEN | R.CR_TXE);
  }

  private receiverOn(): boolean {
    return !this.honourEnable || (this.cr & (R.CR_UARTEN | R.CR_RXE)) === (R.CR_UARTEN | R.CR_RXE);
  }

  private flags(): number {
    let fr = this.modem;
    const depth = this.fifoDepth();
    if (this.tx.length > 0) fr |= R.FR_BUSY;
    else fr |= R.FR_TXFE;
    if (this.tx.length >= depth) fr |= R.FR_TXFF;
    if (this.rx.length === 0) fr |= R.FR_RXFE;
    if (this.rx.length >= depth) fr |= R.FR_RXFF;
    return fr;
  }

  private readData(): number {
    const entry = this.rx.pop();
    if (entry < 0) return this.dr; // empty FIFO: the last character read again
    this.dr = entry;
    this.rsr = (this.rsr & R.RSR_OE) | ((entry >> 8) & (R.RSR_FE | R.RSR_PE | R.RSR_BE));
    if (this.rx.length < this.rxTrigger()) this.ris &= ~R.INT_RX;
    if (this.rx.length === 0) {
      this.ris &= ~R.INT_RT;
      this.timer?.cancel();
    }
    this.updateIrq();
    this.notifySpace();
    return entry;
  }

  private writeData(byte: number): void {
    if (!this.tx.push(byte, this.fifoDepth())) {
      this.log.guestError(this.name, `write to UARTDR while the TX FIFO is full; ${hex(byte, 2)} dropped`);
      return;
    }
    if (this.tx.length > this.txTrigger()) this.ris &= ~R.INT_TX;
    this.drainTx();
    this.updateIrq();
  }

  /** Sends queued bytes while the transmitter runs; each one leaving the FIFO may assert TXRIS. */
  private drainTx(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.tx.length > 0 && this.transmitterOn()) {
        const byte = this.tx.pop() & 0xff;
        if (this.tx.length <= this.txTrigger()) this.ris |= R.INT_TX;
        if (this.cr & R.CR_LBE) this.loopBack(byte);
        else this.onTransmit?.(byte);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Loopback mode: the transmitted byte arrives at the receiver (and may overrun it). */
  private loopBack(byte: number): void {
    if (this.rx.length >= this.fifoDepth()) {
      this.overrun();
      return;
    }
    this.storeReceived(byte);
    this.received();
  }

  private overrun(): void {
    this.rsr |= R.RSR_OE;
    this.ris |= R.INT_OE;
    this.pendingOverrun = true;
  }

  /** Puts one character (plus error flags) in the RX FIFO; the caller checked for room. */
  private storeReceived(entry: number): void {
    if (this.pendingOverrun) {
      entry |= R.DR_OE;
      this.pendingOverrun = false;
    }
    this.rx.push(entry);
    if (entry & R.DR_FE) this.ris |= R.INT_FE;
    if (entry & R.DR_PE) this.ris |= R.INT_PE;
    if (entry & R.DR_BE) this.ris |= R.INT_BE;
    if (this.rx.length >= this.rxTrigger()) this.ris |= R.INT_RX;
  }

  /** After characters arrived: restart the receive timeout and update the line. */
  private received(): void {
    this.ris &= ~R.INT_RT;
    if (this.timer) this.timer.armIn(this.timeoutNs());
    else if (this.rx.length > 0) this.ris |= R.INT_RT;
    this.updateIrq();
  }

  /** 32 bit periods at the programmed baud rate: 32 * 16 * divisor / UARTCLK. */
  private timeoutNs(): number {
    const divisor = this.ibrd + this.fbrd / 64;
    if (this.ibrd === 0) return DEFAULT_TIMEOUT_NS;
    return Math.max(1, Math.round((512 * divisor * 1e9) / this.clockHz));
  }

  private receiveTimeout(): void {
    if (this.rx.length > 0) {
      this.ris |= R.INT_RT;
      this.updateIrq();
    }
  }

  private writeLineControl(value: number): void {
    const old = this.lcrh;
    this.lcrh = value;
    if ((old ^ value) & R.LCR_H_FEN) {
      // Switching between FIFO and character mode empties both FIFOs.
      this.rx.clear();
      this.tx.clear();
      this.timer?.cancel();
      this.ris &= ~R.INT_RT;
    }
    if ((old ^ value) & R.LCR_H_BRK) this.onBreak?.((value & R.LCR_H_BRK) !== 0);
    this.levelsChanged();
    if ((old ^ value) & R.LCR_H_FEN) this.notifySpace();
  }

  private writeControl(value: number): void {
    this.cr = value;
    this.drainTx();
    this.updateIrq();
    this.notifySpace();
  }

  /** Trigger levels or FIFO depth changed: re-evaluate the level-based conditions. */
  private levelsChanged(): void {
    if (this.rx.length >= this.rxTrigger() && this.rx.length > 0) this.ris |= R.INT_RX;
    else this.ris &= ~R.INT_RX;
    this.updateIrq();
  }

  private clearInterrupts(bits: number): void {
    this.ris &= ~bits;
    // The timeout condition persists while data waits: restart its count.
    if (bits & R.INT_RT && this.rx.length > 0) {
      if (this.timer) this.timer.armIn(this.timeoutNs());
    }
    this.updateIrq();
  }

  private notifySpace(): void {
    if (this.wantSpace && this.receiveSpace > 0) {
      this.wantSpace = false;
      this.onReceiveSpace?.();
    }
  }

  private updateIrq(): void {
    this.irq.setLevel((this.ris & this.imsc) !== 0);
  }
}
