import { AddressSpace, Log, type LogEntry, MemoryBlockBackend, RamRegion } from '@vmapple/core-bus';
import { BDIF_BASE, VmappleBdif } from '../src/index.js';

export const RAM_BASE = 0x7000_0000;
export const RAM_SIZE = 0x200_0000; // 32 MiB: 0x7000_0000..0x7200_0000

/** A deterministic image: byte i is a hash of i, so misplaced sectors show. */
export function image(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (Math.imul(i + seed, 0x9e37_79b1) >>> 24) ^ (i >>> 9);
  return b;
}

export function makeBoard(opts: { rootSize?: number; auxSize?: number; noRoot?: boolean } = {}) {
  const entries: LogEntry[] = [];
  const log = new Log((e) => entries.push(e));
  const bus = new AddressSpace({ log });
  const ram = new RamRegion('ram', RAM_SIZE);
  bus.mapRam(RAM_BASE, ram);
  const rootImage = image(opts.rootSize ?? 0x10_0000, 1);
  const auxImage = image(opts.auxSize ?? 0x2_0000, 2);
  const root = new MemoryBlockBackend(rootImage);
  const aux = new MemoryBlockBackend(auxImage);
  const bdif = new VmappleBdif({ memory: bus, root: opts.noRoot ? undefined : root, aux, log });
  bus.mapMmio(BDIF_BASE, bdif.region);
  const errors = () => entries.filter((e) => e.kind === 'guest-error' || e.kind === 'unimplemented').length;
  return { bus, ram, bdif, rootImage, auxImage, root, aux, entries, errors, log };
}

/** Writes a 48-byte descriptor (spec §3.4) at `at`. */
export function writeDescriptor(
  bus: AddressSpace,
  at: number,
  d: { header: number; headerLen?: number; data: number; length: number; flags?: number; status: number },
): void {
  const b = new Uint8Array(48);
  const v = new DataView(b.buffer);
  v.setBigUint64(0x00, BigInt(d.header), true);
  v.setUint32(0x08, d.headerLen ?? 16, true);
  v.setBigUint64(0x10, BigInt(d.data), true);
  v.setUint32(0x18, d.length, true);
  v.setUint32(0x1c, d.flags ?? 0x0003_0001, true);
  v.setBigUint64(0x20, BigInt(d.status), true);
  v.setUint32(0x28, 1, true);
  bus.writeBytes(at, b);
}

export function writeSectorHeader(bus: AddressSpace, at: number, sector: number): void {
  const b = new Uint8Array(16).fill(0xee); // padding is ignored
  new DataView(b.buffer).setUint32(8, sector, true);
  bus.writeBytes(at, b);
}
