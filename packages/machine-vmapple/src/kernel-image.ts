/**
 * Recognises what `--kernel` was given: an arm64 Linux `Image` (header per
 * the kernel's Documentation/arch/arm64/booting.rst), an ELF64 AArch64
 * executable, or a raw binary. Errors are one clear sentence.
 */
export class KernelImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelImageError';
  }
}

/** One piece of the kernel to copy into guest memory. */
export interface KernelSegment {
  /** Guest-physical address. */
  address: number;
  data: Uint8Array;
  /** Bytes to reserve from `address` (data plus zero-filled rest, e.g. .bss). */
  memorySize: number;
}

export interface LoadedKernel {
  kind: 'image' | 'elf' | 'raw';
  entry: number;
  segments: KernelSegment[];
  /** First byte after everything the kernel may use (image_size for an Image). */
  end: number;
}

const ARM64_MAGIC = 0x644d5241; // "ARM\x64"
const SZ_2M = 0x20_0000;
export const RAW_KERNEL_OFFSET = 0x8_0000;

/** Loads a kernel for a RAM window starting at `ramBase` (2 MiB aligned) of `ramSize` bytes. */
export function loadKernel(bytes: Uint8Array, ramBase: number, ramSize: number): LoadedKernel {
  let kernel: LoadedKernel;
  if (bytes.length >= 64 && u32(bytes, 0x38) === ARM64_MAGIC) kernel = loadImage(bytes, ramBase);
  else if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    kernel = loadElf(bytes);
  } else if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new KernelImageError('the kernel is gzip-compressed (vmlinuz.gz/Image.gz): decompress it first (gunzip)');
  } else if (bytes.length === 0) {
    throw new KernelImageError('the kernel file is empty');
  } else {
    const address = ramBase + RAW_KERNEL_OFFSET;
    kernel = { kind: 'raw', entry: address, segments: [{ address, data: bytes, memorySize: bytes.length }], end: address + bytes.length };
  }
  for (const s of kernel.segments) {
    if (s.address < ramBase || s.address + s.memorySize > ramBase + ramSize) {
      throw new KernelImageError(
        `the kernel needs 0x${s.address.toString(16)}..0x${(s.address + s.memorySize).toString(16)}, outside RAM ` +
          `0x${ramBase.toString(16)}..0x${(ramBase + ramSize).toString(16)} (give more --memory?)`,
      );
    }
  }
  return kernel;
}

function loadImage(bytes: Uint8Array, ramBase: number): LoadedKernel {
  const textOffset = u64(bytes, 0x08);
  let imageSize = u64(bytes, 0x10);
  const flags = u64(bytes, 0x18);
  if ((flags & 1) !== 0) throw new KernelImageError('the kernel Image is big-endian; this machine runs little-endian guests');
  const pageSizeCode = (flags >> 1) & 3;
  if (pageSizeCode !== 0 && pageSizeCode !== 1) {
    throw new KernelImageError(`the kernel Image needs ${pageSizeCode === 2 ? '16' : '64'} KiB pages; this CPU supports 4 KiB pages`);
  }
  if (textOffset % 4096 !== 0 || textOffset >= SZ_2M * 16) {
    throw new KernelImageError(`the kernel Image header has an implausible text_offset 0x${textOffset.toString(16)}`);
  }
  // image_size 0 means a kernel older than 3.17: text_offset is 0x80000 and the size unknown.
  if (imageSize === 0) imageSize = bytes.length;
  if (imageSize < bytes.length) {
    throw new KernelImageError(`the kernel Image header says image_size 0x${imageSize.toString(16)}, smaller than the file`);
  }
  const base = Math.ceil(ramBase / SZ_2M) * SZ_2M; // flags bit 3 (anywhere) or not: the start of RAM is right either way
  const address = base + textOffset;
  return { kind: 'image', entry: address, segments: [{ address, data: bytes, memorySize: imageSize }], end: address + imageSize };
}

function loadElf(bytes: Uint8Array): LoadedKernel {
  if (bytes.length < 64) throw new KernelImageError('the kernel ELF file is truncated (no complete header)');
  if (bytes[4] !== 2) throw new KernelImageError('the kernel ELF is 32-bit; an AArch64 (ELF64) executable is needed');
  if (bytes[5] !== 1) throw new KernelImageError('the kernel ELF is big-endian; a little-endian AArch64 executable is needed');
  const machine = u16(bytes, 18);
  if (machine !== 183) throw new KernelImageError(`the kernel ELF is for machine ${machine}, not AArch64 (183)`);
  const entry = u64(bytes, 24);
  const phoff = u64(bytes, 32);
  const phentsize = u16(bytes, 54);
  const phnum = u16(bytes, 56);
  if (phentsize < 56 || phoff + phnum * phentsize > bytes.length) {
    throw new KernelImageError('the kernel ELF program headers lie outside the file');
  }
  const segments: KernelSegment[] = [];
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (u32(bytes, ph) !== 1) continue; // PT_LOAD
    const offset = u64(bytes, ph + 8);
    const paddr = u64(bytes, ph + 24);
    const filesz = u64(bytes, ph + 32);
    const memsz = u64(bytes, ph + 40);
    if (offset + filesz > bytes.length || filesz > memsz) {
      throw new KernelImageError(`the kernel ELF segment ${i} lies outside the file`);
    }
    segments.push({ address: paddr, data: bytes.subarray(offset, offset + filesz), memorySize: memsz });
    end = Math.max(end, paddr + memsz);
  }
  if (segments.length === 0) throw new KernelImageError('the kernel ELF has no loadable segment');
  return { kind: 'elf', entry, segments, end };
}

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function u64(b: Uint8Array, o: number): number {
  const hi = u32(b, o + 4);
  if (hi >= 0x20_0000) throw new KernelImageError(`a 64-bit field at offset ${o} of the kernel is too large (0x${hi.toString(16)}…)`);
  return hi * 2 ** 32 + u32(b, o);
}
