/**
 * A virtio-blk driver for tests, from the driver's side of virtio 1.2 §5.2.6:
 * a request is a 16-byte header (type, reserved, sector), data, and a status
 * byte the device writes last.
 */
import { AddressSpace, type BlockBackend, IrqProbe, Log, type LogEntry, MemoryBlockBackend } from '@vmapple/core-bus';
import { VirtioBlkPci, type VirtioBlkOptions } from '../src/index.js';
import { type Buf, GuestRam, PciDriver, type RingDriver } from '../../virtio/test/driver.js';

export const T = { IN: 0, OUT: 1, FLUSH: 4, GET_ID: 8, GET_LIFETIME: 10, DISCARD: 11, WRITE_ZEROES: 13, SECURE_ERASE: 14, APPLE_BARRIER: 0x10000 } as const;
export const S = { OK: 0, IOERR: 1, UNSUPP: 2 } as const;
/** Feature bits (virtio 1.2 §5.2.3, §6). */
export const F = {
  SEG_MAX: 1n << 2n,
  RO: 1n << 5n,
  BLK_SIZE: 1n << 6n,
  FLUSH: 1n << 9n,
  TOPOLOGY: 1n << 10n,
  MQ: 1n << 12n,
  DISCARD: 1n << 13n,
  WRITE_ZEROES: 1n << 14n,
  ZONED: 1n << 17n,
  INDIRECT: 1n << 28n,
  EVENT_IDX: 1n << 29n,
  VERSION_1: 1n << 32n,
} as const;
export const ALL = (1n << 64n) - 1n;

export function header(type: number, sector: number): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setUint32(0, type >>> 0, true);
  v.setUint32(8, sector % 2 ** 32, true);
  v.setUint32(12, Math.floor(sector / 2 ** 32), true);
  return h;
}

export function dwzSegment(sector: number, sectors: number, flags: number): Uint8Array {
  const s = new Uint8Array(16);
  const v = new DataView(s.buffer);
  v.setUint32(0, sector % 2 ** 32, true);
  v.setUint32(4, Math.floor(sector / 2 ** 32), true);
  v.setUint32(8, sectors, true);
  v.setUint32(12, flags, true);
  return s;
}

export interface Request {
  head: number;
  /** Device-writable data buffers (without the status byte). */
  inBufs: Buf[];
  statusAddr: number;
}

/** Splits `len` into up to `parts` pieces of random-ish but deterministic sizes. */
function split(len: number, parts: number): number[] {
  if (parts <= 1 || len === 0) return [len];
  const out: number[] = [];
  let left = len;
  for (let i = 0; i < parts - 1 && left > 1; i++) {
    const n = Math.max(1, Math.floor(left / (parts - i)) + (i % 2 ? 7 : -3));
    const take = Math.min(left - 1, Math.max(1, n));
    out.push(take);
    left -= take;
  }
  out.push(left);
  return out;
}

export class BlkTestBench<B extends BlockBackend = MemoryBlockBackend> {
  readonly g: GuestRam;
  readonly pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
  readonly intx = new IrqProbe();
  readonly errors: LogEntry[] = [];
  readonly log = new Log((e) => {
    if (e.kind === 'guest-error') this.errors.push(e);
  });
  readonly fn: VirtioBlkPci;
  readonly drv: PciDriver;
  ring!: RingDriver;
  features = 0n;

  constructor(
    readonly backend: B,
    options: Partial<VirtioBlkOptions> = {},
    ramSize = 1 << 22,
  ) {
    this.g = new GuestRam(0x4000_0000, ramSize);
    this.fn = new VirtioBlkPci({ backend, variant: options.model === 'standard' ? undefined : 'root', log: this.log, ...options });
    this.fn.attach({ memory: this.pciMem, dma: this.g.mem, setIntx: (l) => this.intx.setLevel(l) });
    this.drv = new PciDriver(this.fn, this.pciMem, this.g);
  }

  /** Linux-like bring-up: negotiate, queue 0 (size `qsize`), DRIVER_OK. */
  start(want = ALL, qsize = 64): this {
    this.features = this.drv.negotiate(want);
    this.ring = this.drv.setupQueue(0, qsize);
    this.drv.driverOk();
    return this;
  }

  /**
   * Adds a request: header, `out` data (device-readable), `inLen` bytes of
   * device-writable data, then the status byte. `parts` splits each data
   * area over several descriptors; `indirect` uses an indirect table.
   */
  add(type: number, sector: number, opts: { out?: Uint8Array; inLen?: number; parts?: number; indirect?: boolean; ring?: RingDriver } = {}): Request {
    const bufs: Buf[] = [{ addr: this.g.put(header(type, sector)), len: 16 }];
    const parts = opts.parts ?? 1;
    if (opts.out && opts.out.length > 0) {
      let off = 0;
      for (const n of split(opts.out.length, parts)) {
        bufs.push({ addr: this.g.put(opts.out.subarray(off, off + n), 1), len: n });
        off += n;
      }
    }
    const inBufs: Buf[] = [];
    if (opts.inLen) for (const n of split(opts.inLen, parts)) inBufs.push({ addr: this.g.alloc(n, 1), len: n, write: true });
    const statusAddr = this.g.alloc(1, 1);
    this.g.mem.write8(statusAddr, 0xee);
    const head = (opts.ring ?? this.ring).add([...bufs, ...inBufs, { addr: statusAddr, len: 1, write: true }], { indirect: opts.indirect });
    return { head, inBufs, statusAddr };
  }

  status(r: Request): number {
    return this.g.mem.read8(r.statusAddr)!;
  }

  dataIn(r: Request): Uint8Array {
    const total = r.inBufs.reduce((a, b) => a + b.len, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of r.inBufs) {
      out.set(this.g.get(b.addr, b.len), off);
      off += b.len;
    }
    return out;
  }

  kick(queue = 0): void {
    this.drv.kick(queue);
  }

  /** Adds one request, kicks, and returns its status and used length. */
  run(type: number, sector: number, opts: Parameters<BlkTestBench<B>['add']>[2] = {}): { status: number; len: number; req: Request } {
    const req = this.add(type, sector, opts);
    this.kick();
    const used = this.ring.takeUsed();
    if (used.length !== 1 || used[0]!.id !== req.head) throw new Error(`expected one used entry for head ${req.head}, got ${JSON.stringify(used)}`);
    return { status: this.status(req), len: used[0]!.len, req };
  }
}

export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export { MemoryBlockBackend };
