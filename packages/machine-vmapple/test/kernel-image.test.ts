import { describe, expect, it } from 'vitest';
import { KernelImageError, loadKernel } from '../src/kernel-image.js';

const RAM = 0x7000_0000;

/** An arm64 Image header laid out per Documentation/arch/arm64/booting.rst. */
function image(textOffset: number, imageSize: number, flags: number, length = 4096): Uint8Array {
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x91005a4d, true); // "MZ" + add x13, x18, #0x16 (the EFI stub's code0)
  v.setBigUint64(8, BigInt(textOffset), true);
  v.setBigUint64(16, BigInt(imageSize), true);
  v.setBigUint64(24, BigInt(flags), true);
  v.setUint32(0x38, 0x644d5241, true);
  return b;
}

describe('loadKernel', () => {
  it('places an Image at the 2 MiB-aligned RAM base plus text_offset and reserves image_size', () => {
    const k = loadKernel(image(0, 0x201_0000, 0xa), RAM, 1 << 30);
    expect(k.kind).toBe('image');
    expect(k.entry).toBe(RAM);
    expect(k.segments[0]!.memorySize).toBe(0x201_0000);
    expect(k.end).toBe(RAM + 0x201_0000);
    expect(loadKernel(image(0x8_0000, 0x10_0000, 0), RAM, 1 << 30).entry).toBe(RAM + 0x8_0000);
  });

  it('rejects big-endian, 64K-page and implausible headers with a clear sentence', () => {
    expect(() => loadKernel(image(0, 0x10000, 1), RAM, 1 << 30)).toThrow(/big-endian/);
    expect(() => loadKernel(image(0, 0x10000, 3 << 1), RAM, 1 << 30)).toThrow(/64 KiB pages/);
    expect(() => loadKernel(image(0x123, 0x10000, 0), RAM, 1 << 30)).toThrow(/text_offset/);
    expect(() => loadKernel(image(0, 0x10, 0), RAM, 1 << 30)).toThrow(/smaller than the file/);
    expect(() => loadKernel(image(0, 0x1000_0000, 0), RAM, 64 << 20)).toThrow(/outside RAM.*more --memory/);
  });

  it('loads ELF PT_LOAD segments at their physical addresses', () => {
    const b = new Uint8Array(0x200);
    const v = new DataView(b.buffer);
    b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    v.setUint16(18, 183, true);
    v.setBigUint64(24, BigInt(RAM + 0x1000), true); // e_entry
    v.setBigUint64(32, 64n, true); // e_phoff
    v.setUint16(54, 56, true);
    v.setUint16(56, 1, true);
    v.setUint32(64, 1, true); // PT_LOAD
    v.setBigUint64(64 + 8, 0x100n, true); // p_offset
    v.setBigUint64(64 + 24, BigInt(RAM + 0x1000), true); // p_paddr
    v.setBigUint64(64 + 32, 0x100n, true); // p_filesz
    v.setBigUint64(64 + 40, 0x2000n, true); // p_memsz
    const k = loadKernel(b, RAM, 1 << 30);
    expect(k.kind).toBe('elf');
    expect(k.entry).toBe(RAM + 0x1000);
    expect(k.segments[0]).toMatchObject({ address: RAM + 0x1000, memorySize: 0x2000 });
    expect(k.segments[0]!.data.length).toBe(0x100);
    v.setUint16(18, 62, true);
    expect(() => loadKernel(b, RAM, 1 << 30)).toThrow(/machine 62, not AArch64/);
  });

  it('loads anything else raw at RAM + 0x80000, and refuses gzip and empty files', () => {
    const k = loadKernel(new Uint8Array([1, 2, 3, 4]), RAM, 1 << 30);
    expect(k).toMatchObject({ kind: 'raw', entry: RAM + 0x8_0000 });
    expect(() => loadKernel(new Uint8Array([0x1f, 0x8b, 8, 0]), RAM, 1 << 30)).toThrow(/gunzip/);
    expect(() => loadKernel(new Uint8Array(0), RAM, 1 << 30)).toThrow(KernelImageError);
  });
});
