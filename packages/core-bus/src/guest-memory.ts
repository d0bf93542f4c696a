/**
 * Guest memory as a DMA-capable device sees it. Every method reports failure
 * (unmapped, outside RAM, address overflow) as a result, never by throwing:
 * a guest that hands a device a bad address must not crash the host.
 * Only RAM is reachable by DMA; a failed bulk transfer has no partial effect.
 */
export interface GuestMemory {
  /** Copies guest bytes at `addr` into `dst`. False if any byte is not RAM. */
  readBytes(addr: number, dst: Uint8Array): boolean;
  /** Copies `src` to guest memory at `addr`. False (and nothing written) if any byte is not RAM. */
  writeBytes(addr: number, src: Uint8Array): boolean;
  /** A zero-copy view of `length` bytes when they lie in one RAM region, else undefined. */
  ramSlice(addr: number, length: number): Uint8Array | undefined;
  read8(addr: number): number | undefined;
  read16(addr: number): number | undefined;
  read32(addr: number): number | undefined;
  read64u(addr: number): bigint | undefined;
  write8(addr: number, value: number): boolean;
  write16(addr: number, value: number): boolean;
  write32(addr: number, value: number): boolean;
  write64u(addr: number, value: bigint): boolean;
}
