/** CRC32 (polynomial 0x04C11DB7, reflected 0xEDB88320) and CRC32C (0x1EDC6F41, reflected 0x82F63B78) tables. */
function makeTable(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  return t;
}

const CRC32 = makeTable(0xedb88320);
const CRC32C = makeTable(0x82f63b78);

/** One CRC32 or CRC32C instruction step: no pre/post inversion, data bytes little-endian. */
export function crc32Update(acc: number, lo: number, hi: number, size: number, castagnoli: boolean): number {
  const t = castagnoli ? CRC32C : CRC32;
  let c = acc;
  for (let i = 0; i < size; i++) {
    const byte = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
    c = (c >>> 8) ^ t[(c ^ byte) & 0xff]!;
  }
  return c | 0;
}
