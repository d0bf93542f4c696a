/** Parses a size like QEMU's -m: "512M", "1G", "1.5G", "4096" (MiB when no suffix), "64K". */
export function parseSize(text: string, defaultUnit: 'M' | 'B' = 'M'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$/.exec(text);
  if (!m) throw new RangeError(`'${text}' is not a size (examples: 512M, 1G, 2048)`);
  const unit = (m[2] || defaultUnit).toUpperCase();
  const mult = { B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[unit]!;
  const bytes = Number(m[1]) * mult;
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`'${text}' is not a whole number of bytes`);
  return bytes;
}

/** Parses an unsigned 64-bit integer the way QEMU does: decimal, 0x hex, leading 0 octal. */
export function parseU64(text: string): bigint {
  const t = text.trim();
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
  else if (/^0[0-7]+$/.test(t)) v = BigInt('0o' + t.slice(1));
  else if (/^\d+$/.test(t)) v = BigInt(t);
  else throw new RangeError(`'${text}' is not an unsigned integer (decimal, 0x hex or 0 octal)`);
  if (v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`'${text}' does not fit in 64 bits`);
  return v;
}
