import { AddressSpace, IrqProbe, Log, type LogEntry, RamRegion } from '@vmapple/core-bus';
import { AES2_BASE, AES_BASE, type AesBackend, AesReg, AppleAes, type AppleAesOptions, SoftAesBackend } from '../src/index.js';
import { NodeCryptoAesBackend } from '../src/node/index.js';

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 4 << 20;

/** A board slice: RAM, the engine's two regions at the spec's addresses, an IRQ probe and a log. */
export function makeBoard(options: Partial<AppleAesOptions> = {}) {
  const entries: LogEntry[] = [];
  const log = new Log((e) => entries.push(e));
  const bus = new AddressSpace({ log });
  const ram = new RamRegion('ram', RAM_SIZE);
  bus.mapRam(RAM_BASE, ram);
  const aes = new AppleAes({ memory: bus, log, ...options });
  bus.mapMmio(AES_BASE, aes.region);
  bus.mapMmio(AES2_BASE, aes.region2);
  const irq = new IrqProbe();
  aes.irq.connect(irq);
  const reg = (off: number) => bus.read(AES_BASE + off, 4);
  const setReg = (off: number, v: number) => bus.write(AES_BASE + off, 4, v >>> 0);
  const push = (...words: number[]) => {
    for (const w of words) setReg(AesReg.FIFO, w);
  };
  const guestErrors = () => entries.filter((e) => e.kind === 'guest-error').length;
  return { bus, ram, aes, irq, log, entries, reg, setReg, push, guestErrors };
}

export type Board = ReturnType<typeof makeBoard>;

/** The cipher backends every engine test runs against. */
export const BACKENDS: { name: string; create: () => AesBackend }[] = [
  { name: 'pure-TS', create: () => new SoftAesBackend() },
  { name: 'node:crypto', create: () => new NodeCryptoAesBackend() },
];

/** Little-endian 32-bit words of `bytes` (the FIFO payload order of keys and IVs). */
export function leWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    out.push((bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0);
  }
  return out;
}

/** KEY command word from the §2.5 field table. */
export function keyCmd(f: { slot?: number; select?: number; lenCode?: number; encrypt?: boolean; mode?: number }): number {
  return (
    ((0x1 << 28) |
      ((f.slot ?? 0) << 27) |
      ((f.select ?? 0) << 24) |
      ((f.lenCode ?? 0) << 22) |
      ((f.encrypt ? 1 : 0) << 20) |
      ((f.mode ?? 0) << 16)) >>>
    0
  );
}

export const lenCodeFor = (keyBytes: number) => ({ 16: 0, 24: 1, 32: 2 })[keyBytes as 16 | 24 | 32];

/** DATA command (4 words) from the §2.5 field table. */
export function dataCmd(length: number, src: number, dst: number, keySlot = 0, ivContext = 0): number[] {
  const hi = (a: number) => Math.floor(a / 0x1_0000_0000) & 0xffff;
  return [
    ((0x5 << 28) | (keySlot << 27) | (ivContext << 25) | length) >>> 0,
    ((hi(src) << 16) | hi(dst)) >>> 0,
    src >>> 0,
    dst >>> 0,
  ];
}
