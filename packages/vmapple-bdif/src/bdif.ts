import { type BlockBackend, type GuestMemory, hex, type Log, MmioRegion, silentLog, type TracePoint } from '@vmapple/core-bus';
import {
  BDIF_SIZE,
  BdifReg,
  BdifWindow,
  Desc,
  DESCRIPTOR_SIZE,
  FLAGS_READ,
  FLAGS_WRITE,
  MAX_DATA_LENGTH,
  REG_MASK,
  REG_VALUES,
  SECTOR_FIELD,
  SECTOR_HEADER_SIZE,
  SECTOR_SIZE,
  STATUS_ERROR,
  STATUS_OK,
  WINDOW_MASK,
} from './registers.js';

export interface VmappleBdifOptions {
  /** Guest physical memory the requests are read from and written to. */
  memory: GuestMemory;
  /** Back-end of the ROOT window (window 0x0_0000). */
  root?: BlockBackend;
  /** Back-end of the AUX window (window 0x1_0000). */
  aux?: BlockBackend;
  log?: Log;
  /** Name in logs; default "vmapple-bdif". */
  name?: string;
}

/** Bounce buffers up to this size are kept for reuse; larger reads allocate per request. */
const KEEP_BOUNCE = 1 << 20;
const TWO_32 = 0x1_0000_0000;

/**
 * The vmapple backdoor interface (`vmapple-bdif`, spec §3): the boot ROM's
 * way to read the ROOT and AUX volumes. A guest writes the address of a
 * 48-byte request descriptor to a window's CMD register; the request runs
 * synchronously inside that write and leaves a status byte in guest memory.
 */
export class VmappleBdif {
  /** Map at `BDIF_BASE`. Accesses of 1, 2, 4 or 8 bytes, naturally aligned. */
  readonly region: MmioRegion;
  readonly name: string;
  readonly root: BlockBackend | null;
  readonly aux: BlockBackend | null;
  /** The trace points of spec §3.6 (all disabled); set `enabled` to trace. */
  readonly tracePoints: readonly TracePoint[];

  private readonly memory: GuestMemory;
  private readonly log: Log;
  private readonly trRead: TracePoint;
  private readonly trWrite: TracePoint;
  private readonly trVblk: TracePoint;
  private readonly desc = new Uint8Array(DESCRIPTOR_SIZE);
  private readonly descView = new DataView(this.desc.buffer);
  private readonly header = new Uint8Array(SECTOR_HEADER_SIZE);
  private bounce = new Uint8Array(0);

  constructor(options: VmappleBdifOptions) {
    this.name = options.name ?? 'vmapple-bdif';
    this.memory = options.memory;
    this.root = options.root ?? null;
    this.aux = options.aux ?? null;
    this.log = options.log ?? silentLog;
    this.trRead = this.log.tracePoint('bdif_read');
    this.trWrite = this.log.tracePoint('bdif_write');
    this.trVblk = this.log.tracePoint('bdif_vblk_read');
    this.tracePoints = [this.trRead, this.trWrite, this.trVblk];
    this.region = new MmioRegion({
      name: this.name,
      size: BDIF_SIZE,
      valid: { min: 1, max: 8 },
      impl: { min: 1, max: 8 },
      handler: {
        read: (offset, size) => this.read(offset, size),
        write: (offset, size, value) => this.write(offset, value, size),
        read64: (offset) => this.read64(offset),
        write64: (offset, value) => this.write64(offset, value),
      },
    });
  }

  /** Nothing to reset: the device holds no state between requests. */
  reset(): void {}

  /** The register value at full width: a number, or -1 for "all ones at the access width". */
  private regValue(offset: number): number {
    const window = offset & WINDOW_MASK;
    switch (offset & REG_MASK) {
      case BdifReg.STATUS:
        return REG_VALUES.STATUS;
      case BdifReg.CFG:
        return REG_VALUES.CFG;
      case BdifReg.UNK1:
        return REG_VALUES.UNK1;
      case BdifReg.BUSY:
        return REG_VALUES.BUSY;
      case BdifReg.UNK2:
        return REG_VALUES.UNK2;
      case BdifReg.UNK3:
        return REG_VALUES.UNK3;
      case BdifReg.NEXT_DEVICE:
        if (window === BdifWindow.ROOT) return REG_VALUES.NEXT_DEVICE_ROOT;
        if (window === BdifWindow.AUX) return REG_VALUES.NEXT_DEVICE_AUX;
        return -1;
      default:
        return -1; // CMD and everything unknown read as all ones
    }
  }

  private read(offset: number, size: number): number {
    const v = this.regValue(offset);
    const value = v < 0 ? (size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1) : size === 4 ? v : v & ((1 << (8 * size)) - 1);
    if (this.trRead.enabled) this.trRead.emit(`offset ${hex(offset)} size ${size} value ${hex(value)}`);
    return value;
  }

  private read64(offset: number): bigint {
    const v = this.regValue(offset);
    const value = v < 0 ? 0xffff_ffff_ffff_ffffn : BigInt(v);
    if (this.trRead.enabled) this.trRead.emit(`offset ${hex(offset)} size 8 value ${hex(value)}`);
    return value;
  }

  private write(offset: number, value: number, size: number): void {
    if (this.trWrite.enabled) this.trWrite.emit(`offset ${hex(offset)} size ${size} value ${hex(value)}`);
    if ((offset & REG_MASK) === BdifReg.CMD) this.command(offset & WINDOW_MASK, value);
  }

  private write64(offset: number, value: bigint): void {
    if (this.trWrite.enabled) this.trWrite.emit(`offset ${hex(offset)} size 8 value ${hex(value)}`);
    if ((offset & REG_MASK) !== BdifReg.CMD) return;
    // A descriptor beyond 2^53 cannot be RAM here: let the DMA read fail.
    const addr = value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1;
    this.command(offset & WINDOW_MASK, addr);
  }

  /** A CMD write: `addr` is the guest-physical address of a request descriptor. */
  private command(window: number, addr: number): void {
    let drive: 'root' | 'aux';
    if (window === BdifWindow.ROOT) drive = 'root';
    else if (window === BdifWindow.AUX) drive = 'aux';
    else return; // CMD of other windows (USB included) is ignored
    const mem = this.memory;
    const desc = this.desc;
    if (addr < 0 || !mem.readBytes(addr, desc)) {
      // QEMU writes status 1 through an uninitialised descriptor here; we do nothing.
      this.log.guestError(this.name, `${drive}: request descriptor at ${addr < 0 ? 'beyond 2^53' : hex(addr)} is not in RAM`);
      return;
    }
    const statusAddr = this.u64(Desc.STATUS_ADDR);
    const status = this.execute(drive);
    if (!mem.write8(statusAddr, status)) {
      this.log.guestError(this.name, `${drive}: status byte address ${hex(statusAddr)} is not in RAM`);
    }
  }

  /** Runs the request in `this.desc`; returns the status byte. */
  private execute(drive: 'root' | 'aux'): number {
    const dv = this.descView;
    const mem = this.memory;
    const headerLen = dv.getUint32(Desc.HEADER_LEN, true);
    if (headerLen !== SECTOR_HEADER_SIZE) {
      this.log.guestError(this.name, `${drive}: sector header length ${headerLen} (must be ${SECTOR_HEADER_SIZE})`);
      return STATUS_ERROR;
    }
    const headerAddr = this.u64(Desc.HEADER_ADDR);
    if (!mem.readBytes(headerAddr, this.header)) {
      this.log.guestError(this.name, `${drive}: sector header at ${hex(headerAddr)} is not in RAM`);
      return STATUS_ERROR;
    }
    const sector = new DataView(this.header.buffer).getUint32(SECTOR_FIELD, true);
    const offset = sector * SECTOR_SIZE;
    const length = dv.getUint32(Desc.DATA_LEN, true);
    if (length > MAX_DATA_LENGTH) {
      this.log.guestError(this.name, `${drive}: data length ${hex(length)} exceeds ${hex(MAX_DATA_LENGTH)}`);
      return STATUS_ERROR;
    }
    const flags = dv.getUint32(Desc.DATA_FLAGS, true);
    if (flags === FLAGS_WRITE) {
      this.log.unimplemented(this.name, `${drive}: write requests are not supported`);
      return STATUS_ERROR;
    }
    if (flags !== FLAGS_READ) {
      this.log.guestError(this.name, `${drive}: unknown request flags ${hex(flags, 8)}`);
      return STATUS_ERROR;
    }
    const dataAddr = this.u64(Desc.DATA_ADDR);
    const ok = this.readDrive(drive, offset, length, dataAddr);
    if (this.trVblk.enabled) {
      this.trVblk.emit(`${drive} buffer ${hex(dataAddr)} offset ${hex(offset)} length ${hex(length)} result ${ok ? 0 : 1}`);
    }
    return ok ? STATUS_OK : STATUS_ERROR;
  }

  /** Reads from the back-end into a bounce buffer, then DMAs it out: a failure leaves RAM untouched. */
  private readDrive(drive: 'root' | 'aux', offset: number, length: number, dataAddr: number): boolean {
    const backend = drive === 'root' ? this.root : this.aux;
    if (!backend) {
      this.log.guestError(this.name, `${drive}: no drive attached`);
      return false;
    }
    if (offset + length > backend.size) {
      this.log.guestError(this.name, `${drive}: read of ${hex(length)} bytes at ${hex(offset)} is beyond the end (${hex(backend.size)})`);
      return false;
    }
    if (length === 0) return true;
    let buf: Uint8Array;
    if (length <= KEEP_BOUNCE) {
      if (this.bounce.length < length) this.bounce = new Uint8Array(KEEP_BOUNCE);
      buf = this.bounce.subarray(0, length);
    } else {
      buf = new Uint8Array(length);
    }
    if (!backend.read(offset, buf)) {
      this.log.guestError(this.name, `${drive}: back-end read of ${hex(length)} bytes at ${hex(offset)} failed`);
      return false;
    }
    if (!this.memory.writeBytes(dataAddr, buf)) {
      this.log.guestError(this.name, `${drive}: data buffer ${hex(dataAddr)} (+${hex(length)}) is not in RAM`);
      return false;
    }
    return true;
  }

  /** A u64 descriptor field as a number; values beyond 2^53 become an address DMA refuses. */
  private u64(off: number): number {
    const lo = this.descView.getUint32(off, true);
    const hi = this.descView.getUint32(off + 4, true);
    return hi < 0x20_0000 ? hi * TWO_32 + lo : -1;
  }
}
