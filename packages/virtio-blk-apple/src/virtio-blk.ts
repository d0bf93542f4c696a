import { type BlockBackend, ConfigValidator, type GuestMemory, type Log, MemoryBlockBackend, silentLog } from '@vmapple/core-bus';
import { type DescriptorChain, featureBit, type Segment, type SplitQueue, type VirtioContext, type VirtioDevice } from '@vmapple/virtio';
import * as B from './constants.js';

export type VirtioBlkModel = 'apple' | 'standard';
export type AppleVariant = 'root' | 'aux';

export interface VirtioBlkOptions {
  backend: BlockBackend;
  /** 'apple' (106B:1A00, vmapple spec §5; the default) or 'standard' (1AF4:1042). */
  model?: VirtioBlkModel;
  /** Apple model only, and required there: which volume the guest sees this disk as. */
  variant?: AppleVariant;
  /** Refuse writes (VIRTIO_BLK_F_RO). Default: the backend's readOnly; a read-only backend forces it. */
  readOnly?: boolean;
  /** GET_ID serial, at most 20 bytes. Default empty (20 zero bytes). */
  serial?: string;
  /** Logical block size, a power of two from 512 to 65536. Default 512. */
  logicalBlockSize?: number;
  /** Physical block size (a power-of-two multiple of the logical one). Default = logical. */
  physicalBlockSize?: number;
  /** Topology hints in bytes (multiples of the logical block size). Default 0. */
  minIoSize?: number;
  optIoSize?: number;
  /** Size of each queue (a power of two, 4..1024). Default 256. */
  queueSize?: number;
  /** Request queues (MQ offered when more than 1). Default 1. */
  numQueues?: number;
  /** Offer VIRTIO_BLK_F_DISCARD. Default true. */
  discard?: boolean;
  /** Offer VIRTIO_BLK_F_WRITE_ZEROES. Default true. */
  writeZeroes?: boolean;
  log?: Log;
  /** Name in logs and snapshots (default vmapple-virtio-blk-root/aux, or virtio-blk). */
  name?: string;
}

/** Largest bounce buffer used when a guest buffer is not one contiguous RAM slice. */
const BOUNCE_SIZE = 0x10000;
/**
 * Largest request whose scattered guest buffers are gathered into one
 * backend call (Linux's default max_sectors_kb is 1280 KiB, so its largest
 * requests fit). The buffer is allocated on first use and grows to this.
 */
const GATHER_MAX = 2 << 20;

/** A request's status byte (VIRTIO_BLK_S_*). */
type Outcome = number;

/**
 * The virtio-blk device model (virtio 1.2 §5.2) with the vmapple Apple
 * variant (spec §5): IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES and
 * APPLE_BARRIER over a `BlockBackend`. Writes are acknowledged only after the
 * backend accepted them; FLUSH and APPLE_BARRIER call `backend.flush()`.
 */
export class VirtioBlk implements VirtioDevice {
  readonly deviceType = B.VIRTIO_ID_BLOCK;
  readonly deviceFeatures: bigint;
  readonly numQueues: number;
  readonly queueMaxSize: number;
  readonly configSize: number;
  readonly model: VirtioBlkModel;
  readonly variant: AppleVariant | undefined;
  readonly readOnly: boolean;
  readonly backend: BlockBackend;
  readonly log: Log;
  readonly name: string;
  /** Capacity in 512-byte sectors. */
  readonly capacity: number;
  private readonly blockSize: number;
  private readonly config: Uint8Array;
  private readonly id: Uint8Array;
  private readonly idLength: number;
  private readonly header = new Uint8Array(B.VIRTIO_BLK_OUTHDR_SIZE);
  private readonly headerView = new DataView(this.header.buffer);
  private readonly statusByte = new Uint8Array(1);
  private readonly dwz = new Uint8Array(B.VIRTIO_BLK_DWZ_SEGMENT_SIZE);
  private readonly dwzView = new DataView(this.dwz.buffer);
  private bounce: Uint8Array | null = null;
  private gather: Uint8Array | null = null;
  /**
   * Whether a request over several separate guest buffers goes to the
   * backend as one call through a gather buffer. A backend call may be a
   * system call (a file) or an async-handle call (OPFS), so one per request
   * beats one per 4 KiB page; an in-memory backend is a plain copy, so there
   * gathering would only add a copy.
   */
  private readonly gatherIo: boolean;
  private readonly offerDiscard: boolean;
  private readonly offerWriteZeroes: boolean;
  private readonly maxDwzSeg = 1;

  constructor(options: VirtioBlkOptions) {
    const model = new ConfigValidator('virtio-blk').oneOf('model', options.model, 'apple', ['apple', 'standard'] as const);
    this.name = options.name ?? (model === 'apple' ? 'vmapple-virtio-blk' : 'virtio-blk');
    const v = new ConfigValidator(this.name);
    this.model = model;
    this.log = options.log ?? silentLog;
    if (!options.backend || typeof options.backend.read !== 'function') v.fail('backend', 'must be a BlockBackend');
    this.backend = options.backend;
    this.gatherIo = !(this.backend instanceof MemoryBlockBackend);
    if (model === 'apple') {
      if (options.variant === undefined) v.fail('variant', "must be 'root' or 'aux' for the Apple model (use model 'standard' for a plain virtio-blk disk)");
      this.variant = v.oneOf('variant', options.variant, 'root', ['root', 'aux'] as const);
    } else if (options.variant !== undefined) {
      v.fail('variant', `is only for the Apple model, got ${JSON.stringify(options.variant)}`);
    }
    const ro = v.bool('readOnly', options.readOnly, this.backend.readOnly);
    if (!ro && this.backend.readOnly) v.fail('readOnly', 'must be true for a read-only backend, got false');
    this.readOnly = ro;
    const serial = new TextEncoder().encode(v.string('serial', options.serial, '', B.VIRTIO_BLK_ID_BYTES));
    this.id = new Uint8Array(B.VIRTIO_BLK_ID_BYTES);
    this.id.set(serial);
    this.idLength = serial.length + 1;
    const lbs = v.int('logicalBlockSize', options.logicalBlockSize, 512, { min: 512, max: 65536 });
    if ((lbs & (lbs - 1)) !== 0) v.fail('logicalBlockSize', `must be a power of two, got ${lbs}`);
    const pbs = v.int('physicalBlockSize', options.physicalBlockSize, lbs, { min: lbs, max: lbs * 2 ** 15 });
    if ((pbs & (pbs - 1)) !== 0) v.fail('physicalBlockSize', `must be a power of two, got ${pbs}`);
    const minIo = v.int('minIoSize', options.minIoSize, 0, { min: 0, max: lbs * 0xffff });
    const optIo = v.int('optIoSize', options.optIoSize, 0, { min: 0, max: lbs * 0xffff_ffff });
    if (minIo % lbs !== 0) v.fail('minIoSize', `must be a multiple of the logical block size ${lbs}, got ${minIo}`);
    if (optIo % lbs !== 0) v.fail('optIoSize', `must be a multiple of the logical block size ${lbs}, got ${optIo}`);
    this.blockSize = lbs;
    const queueSize = v.int('queueSize', options.queueSize, 256, { min: 4, max: 1024 });
    if ((queueSize & (queueSize - 1)) !== 0) v.fail('queueSize', `must be a power of two, got ${queueSize}`);
    this.queueMaxSize = queueSize;
    this.numQueues = v.int('numQueues', options.numQueues, 1, { min: 1, max: 64 });
    this.offerDiscard = v.bool('discard', options.discard, true);
    this.offerWriteZeroes = v.bool('writeZeroes', options.writeZeroes, true);
    this.capacity = Math.floor(this.backend.size / B.VIRTIO_BLK_SECTOR_SIZE);

    let f = featureBit(B.VIRTIO_BLK_F_SEG_MAX) | featureBit(B.VIRTIO_BLK_F_BLK_SIZE) | featureBit(B.VIRTIO_BLK_F_FLUSH) | featureBit(B.VIRTIO_BLK_F_TOPOLOGY);
    if (this.readOnly) f |= featureBit(B.VIRTIO_BLK_F_RO);
    if (this.numQueues > 1) f |= featureBit(B.VIRTIO_BLK_F_MQ);
    if (this.offerDiscard) f |= featureBit(B.VIRTIO_BLK_F_DISCARD);
    if (this.offerWriteZeroes) f |= featureBit(B.VIRTIO_BLK_F_WRITE_ZEROES);
    if (model === 'apple') f |= featureBit(B.VIRTIO_BLK_F_ZONED);
    this.deviceFeatures = f;

    // QEMU sizes the config to the end of the last field its features use (reads past it give all ones).
    this.configSize =
      model === 'apple'
        ? B.BLK_CFG_SIZE_APPLE
        : this.offerWriteZeroes
          ? B.BLK_CFG_WRITE_ZEROES_MAY_UNMAP + 1
          : this.offerDiscard
            ? B.BLK_CFG_DISCARD_SECTOR_ALIGNMENT + 4
            : B.BLK_CFG_MAX_DISCARD_SECTORS;
    this.config = new Uint8Array(B.BLK_CFG_SIZE_APPLE);
    const c = new DataView(this.config.buffer);
    c.setUint32(B.BLK_CFG_CAPACITY, this.capacity % 2 ** 32, true);
    c.setUint32(B.BLK_CFG_CAPACITY + 4, Math.floor(this.capacity / 2 ** 32), true);
    c.setUint32(B.BLK_CFG_SEG_MAX, queueSize - 2, true);
    c.setUint32(B.BLK_CFG_BLK_SIZE, lbs, true);
    c.setUint8(B.BLK_CFG_PHYSICAL_BLOCK_EXP, Math.log2(pbs / lbs));
    c.setUint8(B.BLK_CFG_ALIGNMENT_OFFSET, 0);
    c.setUint16(B.BLK_CFG_MIN_IO_SIZE, minIo / lbs, true);
    c.setUint32(B.BLK_CFG_OPT_IO_SIZE, optIo / lbs, true);
    c.setUint16(B.BLK_CFG_NUM_QUEUES, this.numQueues, true);
    if (this.offerDiscard) {
      c.setUint32(B.BLK_CFG_MAX_DISCARD_SECTORS, B.DEFAULT_MAX_DWZ_SECTORS, true);
      c.setUint32(B.BLK_CFG_MAX_DISCARD_SEG, this.maxDwzSeg, true);
      c.setUint32(B.BLK_CFG_DISCARD_SECTOR_ALIGNMENT, lbs / B.VIRTIO_BLK_SECTOR_SIZE, true);
    }
    if (this.offerWriteZeroes) {
      c.setUint32(B.BLK_CFG_MAX_WRITE_ZEROES_SECTORS, B.DEFAULT_MAX_DWZ_SECTORS, true);
      c.setUint32(B.BLK_CFG_MAX_WRITE_ZEROES_SEG, this.maxDwzSeg, true);
      c.setUint8(B.BLK_CFG_WRITE_ZEROES_MAY_UNMAP, 1);
    }
    // Written after the standard fields, so it overrides max_secure_erase_sectors (spec §5).
    if (model === 'apple') c.setUint32(B.BLK_CFG_APPLE_VARIANT, this.variant === 'root' ? B.APPLE_VARIANT_ROOT : B.APPLE_VARIANT_AUX, true);
  }

  readConfig(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.config[offset + i]!;
    return v;
  }

  writeConfig(offset: number, size: number, value: number): void {
    // Only `writeback` is writable, and only with VIRTIO_BLK_F_CONFIG_WCE, which is not offered.
    this.log.guestError(this.name, `write of ${value} (${size} bytes) to read-only config offset 0x${offset.toString(16)}`);
  }

  reset(): void {}

  processQueue(ctx: VirtioContext, queue: SplitQueue): void {
    const mem = ctx.mem;
    let done = 0;
    // At most one ring's worth per notification pass: the ring itself bounds it (pop fails past the size).
    for (let n = 0; n <= queue.size; n++) {
      const chain = queue.pop(mem);
      if (!chain) break;
      const out = this.handle(ctx, chain);
      if (chain.writableLength < 1) {
        ctx.needsReset(`request at descriptor ${chain.head} has no device-writable status byte`);
        return;
      }
      this.statusByte[0] = out;
      if (!chain.writeTo(mem, chain.writableLength - 1, this.statusByte)) {
        ctx.needsReset(`status byte of request at descriptor ${chain.head} is not in RAM`);
        return;
      }
      // As QEMU: the used length is the whole device-writable size, whatever the outcome.
      if (!queue.pushUsed(mem, chain.head, chain.writableLength)) return;
      done++;
    }
    if (done > 0) ctx.notifyUsed(queue);
  }

  private ioerr(ctx: VirtioContext, msg: string): Outcome {
    ctx.log.guestError(this.name, msg);
    return B.VIRTIO_BLK_S_IOERR;
  }

  private handle(ctx: VirtioContext, chain: DescriptorChain): Outcome {
    if (chain.readableLength < B.VIRTIO_BLK_OUTHDR_SIZE) return this.ioerr(ctx, `request header is ${chain.readableLength} bytes, not 16`);
    if (chain.writableLength < 1) return B.VIRTIO_BLK_S_IOERR;
    if (!chain.readFrom(ctx.mem, 0, this.header)) return this.ioerr(ctx, 'request header is not in RAM');
    const h = this.headerView;
    const type = h.getUint32(0, true);
    const sectorHi = h.getUint32(12, true);
    // Sectors beyond 2^53 bytes are out of range anyway.
    const sector = sectorHi >= 0x20_0000 / B.VIRTIO_BLK_SECTOR_SIZE ? Infinity : sectorHi * 2 ** 32 + h.getUint32(8, true);
    const dataOut = chain.readableLength - B.VIRTIO_BLK_OUTHDR_SIZE;
    const dataIn = chain.writableLength - 1;
    switch (type) {
      case B.VIRTIO_BLK_T_IN:
        if (dataOut !== 0) return this.ioerr(ctx, `read request carries ${dataOut} device-readable data bytes`);
        return this.read(ctx, chain, sector, dataIn);
      case B.VIRTIO_BLK_T_OUT:
        if (dataIn !== 0) return this.ioerr(ctx, `write request carries ${dataIn} device-writable data bytes`);
        if (this.readOnly) return this.ioerr(ctx, 'write to a read-only disk');
        return this.write(ctx, chain, sector, dataOut);
      case B.VIRTIO_BLK_T_FLUSH:
        return this.flush(ctx);
      case B.VIRTIO_BLK_T_GET_ID: {
        // As QEMU: the serial and its NUL when shorter than 20 bytes, cut to the buffer.
        const n = Math.min(this.idLength, B.VIRTIO_BLK_ID_BYTES, dataIn);
        if (!chain.writeTo(ctx.mem, 0, this.id.subarray(0, n))) return this.ioerr(ctx, 'GET_ID buffer is not in RAM');
        return B.VIRTIO_BLK_S_OK;
      }
      case B.VIRTIO_BLK_T_DISCARD:
      case B.VIRTIO_BLK_T_WRITE_ZEROES:
        return this.discardOrWriteZeroes(ctx, chain, type === B.VIRTIO_BLK_T_WRITE_ZEROES, dataOut);
      case B.VIRTIO_BLK_T_APPLE_BARRIER:
        // Apple only; QEMU treats it as a no-op, we make it a flush barrier (prior writes durable).
        if (this.model === 'apple') return this.flush(ctx);
        return this.unsupported(ctx, type);
      default:
        return this.unsupported(ctx, type);
    }
  }

  private unsupported(ctx: VirtioContext, type: number): Outcome {
    ctx.log.unimplemented(this.name, `request type 0x${type.toString(16)}`);
    return B.VIRTIO_BLK_S_UNSUPP;
  }

  private flush(ctx: VirtioContext): Outcome {
    if (!this.backend.flush()) return this.ioerr(ctx, 'backend flush failed');
    return B.VIRTIO_BLK_S_OK;
  }

  /** Checks a transfer of `bytes` at `sector`; returns an error message or null. */
  private checkRange(sector: number, bytes: number): string | null {
    if (bytes % B.VIRTIO_BLK_SECTOR_SIZE !== 0) return `data length ${bytes} is not a multiple of 512`;
    if (!(sector <= this.capacity) || sector * B.VIRTIO_BLK_SECTOR_SIZE + bytes > this.capacity * B.VIRTIO_BLK_SECTOR_SIZE) {
      return `request at sector ${sector} of ${bytes} bytes is beyond the capacity of ${this.capacity} sectors`;
    }
    if ((sector * B.VIRTIO_BLK_SECTOR_SIZE) % this.blockSize !== 0 || bytes % this.blockSize !== 0) {
      return `request at sector ${sector} of ${bytes} bytes is not aligned to the ${this.blockSize}-byte block size`;
    }
    return null;
  }

  /**
   * IN: `bytes` from the disk into the device-writable buffers. Buffers that
   * follow each other in guest memory are one run and take one backend call
   * straight into guest RAM; a request of several runs is read with one
   * backend call into the gather buffer and then copied out (see `gatherIo`).
   */
  private read(ctx: VirtioContext, chain: DescriptorChain, sector: number, bytes: number): Outcome {
    const bad = this.checkRange(sector, bytes);
    if (bad !== null) return this.ioerr(ctx, bad);
    const segs = chain.writable;
    const runs = countRuns(segs, 0, bytes);
    if (runs < 0) return this.ioerr(ctx, 'read buffer address is beyond 2^53');
    const mem = ctx.mem;
    const pos = sector * B.VIRTIO_BLK_SECTOR_SIZE;
    if (runs > 1 && this.gatherIo && bytes <= GATHER_MAX) {
      const buf = this.gatherBuffer(bytes);
      if (!this.backend.read(pos, buf)) return this.ioerr(ctx, `backend read of ${bytes} bytes at ${pos} failed`);
      let done = 0;
      for (let i = 0; done < bytes; i++) {
        const seg = segs[i]!;
        const n = Math.min(seg.len, bytes - done);
        if (!mem.writeBytes(seg.addr, buf.subarray(done, done + n))) return this.ioerr(ctx, `read buffer at 0x${seg.addr.toString(16)} is not in RAM`);
        done += n;
      }
      return B.VIRTIO_BLK_S_OK;
    }
    let done = 0;
    for (let i = 0; done < bytes; ) {
      // One run: buffers i..j-1 back to back in guest memory.
      const addr = segs[i]!.addr;
      let n = 0;
      do {
        const take = Math.min(segs[i]!.len, bytes - done - n);
        n += take;
        i++;
      } while (done + n < bytes && segs[i]!.addr === addr + n);
      if (!this.readRun(mem, pos + done, addr, n)) return this.ioerr(ctx, `read of ${n} bytes at ${pos + done} into 0x${addr.toString(16)} failed (backend error or buffer not in RAM)`);
      done += n;
    }
    return B.VIRTIO_BLK_S_OK;
  }

  /** Reads `n` disk bytes at `pos` into guest memory at `addr`: straight into RAM, or through the bounce buffer. */
  private readRun(mem: GuestMemory, pos: number, addr: number, n: number): boolean {
    const slice = mem.ramSlice(addr, n);
    if (slice) return this.backend.read(pos, slice);
    for (let off = 0; off < n; ) {
      const part = Math.min(BOUNCE_SIZE, n - off);
      const buf = this.bounceBuffer().subarray(0, part);
      if (!this.backend.read(pos + off, buf) || !mem.writeBytes(addr + off, buf)) return false;
      off += part;
    }
    return true;
  }

  /**
   * OUT: the device-readable buffers after the 16-byte header to the disk,
   * one backend call per run of adjacent buffers, or one call for the whole
   * request through the gather buffer (then nothing reaches the backend when
   * a buffer is not in RAM).
   */
  private write(ctx: VirtioContext, chain: DescriptorChain, sector: number, bytes: number): Outcome {
    const bad = this.checkRange(sector, bytes);
    if (bad !== null) return this.ioerr(ctx, bad);
    const segs = chain.readable;
    const runs = countRuns(segs, B.VIRTIO_BLK_OUTHDR_SIZE, bytes);
    if (runs < 0) return this.ioerr(ctx, 'write buffer address is beyond 2^53');
    const mem = ctx.mem;
    const pos = sector * B.VIRTIO_BLK_SECTOR_SIZE;
    // Skip the buffers (or the part of one) that hold the header.
    let i = 0;
    let skip = B.VIRTIO_BLK_OUTHDR_SIZE;
    while (bytes > 0 && skip >= segs[i]!.len) skip -= segs[i++]!.len;
    if (runs > 1 && this.gatherIo && bytes <= GATHER_MAX) {
      const buf = this.gatherBuffer(bytes);
      for (let done = 0; done < bytes; i++, skip = 0) {
        const seg = segs[i]!;
        const n = seg.len - skip;
        if (!mem.readBytes(seg.addr + skip, buf.subarray(done, done + n))) return this.ioerr(ctx, `write buffer at 0x${(seg.addr + skip).toString(16)} is not in RAM`);
        done += n;
      }
      if (!this.backend.write(pos, buf)) return this.ioerr(ctx, `backend write of ${bytes} bytes at ${pos} failed`);
      return B.VIRTIO_BLK_S_OK;
    }
    let done = 0;
    while (done < bytes) {
      const addr = segs[i]!.addr + skip;
      let n = 0;
      do {
        n += segs[i]!.len - skip;
        skip = 0;
        i++;
      } while (done + n < bytes && segs[i]!.addr === addr + n);
      if (!this.writeRun(mem, pos + done, addr, n)) return this.ioerr(ctx, `write of ${n} bytes at ${pos + done} from 0x${addr.toString(16)} failed (buffer not in RAM or backend error)`);
      done += n;
    }
    return B.VIRTIO_BLK_S_OK;
  }

  /** Writes `n` bytes of guest memory at `addr` to the disk at `pos`: straight from RAM, or through the bounce buffer. */
  private writeRun(mem: GuestMemory, pos: number, addr: number, n: number): boolean {
    const slice = mem.ramSlice(addr, n);
    if (slice) return this.backend.write(pos, slice);
    for (let off = 0; off < n; ) {
      const part = Math.min(BOUNCE_SIZE, n - off);
      const buf = this.bounceBuffer().subarray(0, part);
      if (!mem.readBytes(addr + off, buf) || !this.backend.write(pos + off, buf)) return false;
      off += part;
    }
    return true;
  }

  /** DISCARD and WRITE_ZEROES (virtio 1.2 §5.2.6, device requirements §5.2.6.2). */
  private discardOrWriteZeroes(ctx: VirtioContext, chain: DescriptorChain, zeroes: boolean, bytes: number): Outcome {
    const what = zeroes ? 'write-zeroes' : 'discard';
    if (!(zeroes ? this.offerWriteZeroes : this.offerDiscard) || !ctx.hasFeature(zeroes ? B.VIRTIO_BLK_F_WRITE_ZEROES : B.VIRTIO_BLK_F_DISCARD)) {
      ctx.log.guestError(this.name, `${what} request without the feature negotiated`);
      return B.VIRTIO_BLK_S_UNSUPP;
    }
    if (chain.writableLength !== 1) return this.ioerr(ctx, `${what} request carries ${chain.writableLength - 1} device-writable data bytes`);
    if (bytes === 0 || bytes % B.VIRTIO_BLK_DWZ_SEGMENT_SIZE !== 0) return this.ioerr(ctx, `${what} payload of ${bytes} bytes is not a whole number of 16-byte segments`);
    const count = bytes / B.VIRTIO_BLK_DWZ_SEGMENT_SIZE;
    if (count > this.maxDwzSeg) {
      ctx.log.guestError(this.name, `${what} with ${count} segments, more than the ${this.maxDwzSeg} advertised`);
      return B.VIRTIO_BLK_S_UNSUPP;
    }
    if (this.readOnly) return this.ioerr(ctx, `${what} on a read-only disk`);
    const d = this.dwzView;
    for (let i = 0; i < count; i++) {
      if (!chain.readFrom(ctx.mem, B.VIRTIO_BLK_OUTHDR_SIZE + 16 * i, this.dwz)) return this.ioerr(ctx, `${what} segment is not in RAM`);
      const hi = d.getUint32(4, true);
      const sector = hi >= 0x20_0000 / B.VIRTIO_BLK_SECTOR_SIZE ? Infinity : hi * 2 ** 32 + d.getUint32(0, true);
      const sectors = d.getUint32(8, true);
      const flags = d.getUint32(12, true);
      if (flags & ~B.VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP || (!zeroes && flags !== 0)) {
        ctx.log.guestError(this.name, `${what} segment with unsupported flags 0x${flags.toString(16)}`);
        return B.VIRTIO_BLK_S_UNSUPP;
      }
      if (sectors > B.DEFAULT_MAX_DWZ_SECTORS) return this.ioerr(ctx, `${what} of ${sectors} sectors exceeds the advertised maximum`);
      const bad = this.checkRange(sector, sectors * B.VIRTIO_BLK_SECTOR_SIZE);
      if (bad !== null) return this.ioerr(ctx, bad);
      // Discard keeps the data (the spec allows it: discarded sectors read back unspecified contents).
      if (!zeroes) continue;
      const zero = this.bounceBuffer();
      zero.fill(0);
      let pos = sector * B.VIRTIO_BLK_SECTOR_SIZE;
      let left = sectors * B.VIRTIO_BLK_SECTOR_SIZE;
      while (left > 0) {
        const part = Math.min(left, zero.length);
        if (!this.backend.write(pos, zero.subarray(0, part))) return this.ioerr(ctx, `backend write-zeroes at ${pos} failed`);
        pos += part;
        left -= part;
      }
    }
    return B.VIRTIO_BLK_S_OK;
  }

  private bounceBuffer(): Uint8Array {
    return (this.bounce ??= new Uint8Array(BOUNCE_SIZE));
  }

  /** A view of `bytes` (at most GATHER_MAX) bytes of the gather buffer. */
  private gatherBuffer(bytes: number): Uint8Array {
    if (this.gather === null || this.gather.length < bytes) this.gather = new Uint8Array(Math.min(GATHER_MAX, Math.max(bytes, 2 * (this.gather?.length ?? 0x20000))));
    return this.gather.subarray(0, bytes);
  }
}

/**
 * Counts the runs of back-to-back buffers that hold `bytes` bytes starting
 * `skip` bytes into `segs`; -1 when one of them has an address beyond 2^53.
 * The caller has checked that the buffers hold at least skip + bytes bytes.
 */
function countRuns(segs: readonly Segment[], skip: number, bytes: number): number {
  let runs = 0;
  let end = -1;
  let left = bytes;
  for (let i = 0; i < segs.length && left > 0; i++) {
    const seg = segs[i]!;
    if (skip >= seg.len) {
      skip -= seg.len;
      continue;
    }
    if (seg.addr < 0) return -1;
    const start = seg.addr + skip;
    const n = Math.min(seg.len - skip, left);
    skip = 0;
    if (start !== end) runs++;
    end = start + n;
    left -= n;
  }
  return runs;
}
