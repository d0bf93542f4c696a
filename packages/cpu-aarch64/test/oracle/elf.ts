/** Minimal ELF64 little-endian reader: loadable segments and symbols (enough for our test programs). */
export interface ElfSegment {
  vaddr: number;
  paddr: number;
  /** File bytes (filesz); the rest up to memsz is zero. */
  data: Uint8Array;
  memsz: number;
  flags: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: Map<string, number>;
}

export function parseElf(bytes: Uint8Array): ElfImage {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new Error('not a little-endian ELF64 file');
  }
  const u64 = (off: number): number => Number(v.getBigUint64(off, true));
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const phentsize = v.getUint16(54, true);
  const phnum = v.getUint16(56, true);
  const shentsize = v.getUint16(58, true);
  const shnum = v.getUint16(60, true);
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (v.getUint32(p, true) !== 1) continue; // PT_LOAD
    const flags = v.getUint32(p + 4, true);
    const offset = u64(p + 8);
    const vaddr = u64(p + 16);
    const paddr = u64(p + 24);
    const filesz = u64(p + 32);
    const memsz = u64(p + 40);
    segments.push({ vaddr, paddr, data: bytes.subarray(offset, offset + filesz), memsz, flags });
  }
  const symbols = new Map<string, number>();
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    if (v.getUint32(s + 4, true) !== 2) continue; // SHT_SYMTAB
    const symOff = u64(s + 24);
    const symSize = u64(s + 32);
    const strIndex = v.getUint32(s + 40, true);
    const strOff = u64(shoff + strIndex * shentsize + 24);
    for (let at = symOff; at + 24 <= symOff + symSize; at += 24) {
      const nameOff = v.getUint32(at, true);
      if (nameOff === 0) continue;
      let end = strOff + nameOff;
      while (bytes[end] !== 0) end++;
      const name = new TextDecoder().decode(bytes.subarray(strOff + nameOff, end));
      symbols.set(name, u64(at + 8));
    }
  }
  return { entry, segments, symbols };
}
